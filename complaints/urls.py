from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.new, name="new"),
    path("allocate/", views.allocate_selected, name="allocate-selected"),
    path("<int:complaint_id>/", views.detail, name="detail"),
    path("<int:complaint_id>/letters/<int:letter_id>/", views.letter_sent, name="letter-sent"),
    path("<int:complaint_id>/letters/<int:letter_id>/pdf/", views.letter_pdf, name="letter-pdf"),
    path("<int:complaint_id>/letters/<slug:kind>/<str:stage>/", views.letter, name="letter"),
    path("learning-actions/", views.learning_actions, name="learning-actions"),
    path("<int:complaint_id>/recommendations/<int:recommendation_id>/done/", views.recommendation_done,
         name="recommendation-done"),
    path("<int:complaint_id>/learning-actions/new/", views.learning_action_new, name="learning-action-new"),
    path("<int:complaint_id>/learning-actions/<int:action_id>/done/", views.learning_action_mark_done,
         name="learning-action-done"),
    path("<int:complaint_id>/<slug:action_slug>/", views.act, name="act"),
]

from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("", views.staff, name="staff"),
    path("<int:user_id>/reassign/", views.reassign, name="reassign"),
]

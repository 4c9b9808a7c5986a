from django.urls import path

from selfservice import views

app_name = "selfservice"

urlpatterns = [
    path("", views.start, name="start"),
    path("check/", views.check, name="check"),
    path("done/", views.done, name="done"),
    path("progress/", views.progress, name="progress"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("<slug:step>/", views.question, name="question"),
]

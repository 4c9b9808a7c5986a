from django.urls import path

from intake import views

app_name = "intake"

# Under /contacts/ (config/urls.py), where the adviser's screen has always been.
urlpatterns = [
    path("log/", views.contact_log_page, name="log"),
    path("log/team/", views.team_log_page, name="team-log"),
]

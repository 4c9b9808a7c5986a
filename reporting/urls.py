from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("channels/", views.channels, name="channels"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/cases/", views.complaint_cases, name="complaint-cases"),
    path("handoffs/", views.handoffs, name="handoffs"),
    path("handoffs/cases/", views.handoff_cases, name="handoff-cases"),
    path("joined-up/", views.joined_up, name="joined_up"),
    path("contacts/", views.contacts, name="contacts"),
    path("annual/", views.annual, name="annual"),
]

from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("", views.survey_results, name="surveys"),
    # Public: the link in the survey email (core/middleware.py lets it through without sign-in).
    path("survey/<str:token>/", views.survey_answer, name="survey-answer"),
    path("surveys/counter/", views.counter_surveys, name="counter"),
    path("surveys/counter/<int:contact_id>/", views.counter_survey_record, name="counter-record"),
    path("journeys/", views.journeys, name="journeys"),
    path("journeys/customers/<int:customer_id>/", views.customer_journey, name="customer-journey"),
    path("services-together/", views.services_together, name="services-together"),
    path("life-events/", views.life_events, name="life-events"),
    path("life-events/new/", views.life_event_customer, name="life-event-customer"),
    path("life-events/new/<int:customer_id>/", views.life_event_new, name="life-event-new"),
    path("life-events/<int:life_event_id>/", views.life_event_detail, name="life-event"),
]

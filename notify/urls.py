from django.urls import path

from notify import views

app_name = "notify"

urlpatterns = [
    path("receipts/", views.delivery_receipt, name="receipts"),
    path("effect/", views.updates_effect, name="effect"),
]

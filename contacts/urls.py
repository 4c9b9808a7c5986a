from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("repeats/", views.repeat_contacts, name="repeats"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_new, name="customer-new"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("customers/<int:customer_id>/merge/<int:other_id>/", views.customer_merge,
         name="customer-merge"),
    path("customers/merges/<int:merge_id>/undo/", views.customer_merge_undo, name="customer-merge-undo"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer-edit"),
    path("customers/<int:customer_id>/export/", views.customer_export, name="customer-export"),
    path("customers/<int:customer_id>/export.json", views.customer_export, {"export_format": "json"},
         name="customer-export-json"),
    path("<int:contact_id>/", views.contact_detail, name="contact"),
    path("stop-messages/<str:token>/", views.stop_messages, name="stop-messages"),
]

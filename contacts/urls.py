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
    path("customers/<int:customer_id>/erasure/", views.erasure_new, name="erasure-new"),
    path("customers/<int:customer_id>/rectification/", views.rectification_new, name="rectification-new"),
    path("requests/<int:request_id>/", views.personal_data_request, name="personal-data-request"),
    path("exports/<int:export_id>/download/", views.export_download, name="export-download"),
    path("<int:contact_id>/", views.contact_detail, name="contact"),
    path("stop-messages/<str:token>/", views.stop_messages, name="stop-messages"),
]

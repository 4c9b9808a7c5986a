from django.urls import path

from intake import api

urlpatterns = [
    path("contacts/", api.ContactListApi.as_view(), name="api-contacts"),
]

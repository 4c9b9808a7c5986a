from django.urls import path

from contacts import api

urlpatterns = [
    path("customers/", api.CustomerListApi.as_view(), name="api-customers"),
    path("customers/<int:customer_id>/", api.CustomerDetailApi.as_view(), name="api-customer"),
    path("customers/<int:customer_id>/timeline/", api.CustomerTimelineApi.as_view(),
         name="api-customer-timeline"),
]

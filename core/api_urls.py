from django.urls import path

from core import api

urlpatterns = [
    path("auth/token/", api.TokenObtainApi.as_view(), name="api-token"),
    path("services/", api.ServiceListApi.as_view(), name="api-services"),
    path("avoidable-reasons/", api.AvoidableReasonListApi.as_view(), name="api-avoidable-reasons"),
]

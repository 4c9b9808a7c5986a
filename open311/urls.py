from django.urls import path, register_converter

from open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311_format")

app_name = "open311"

urlpatterns = [
    path("discovery.<open311_format:format>", views.discovery, name="discovery"),
    path("services.<open311_format:format>", views.service_list, name="services"),
    path("services/<slug:service_code>.<open311_format:format>", views.service_definition,
         name="service"),
    path("requests.<open311_format:format>", views.requests, name="requests"),
    path("requests/<str:service_request_id>.<open311_format:format>", views.request_detail,
         name="request"),
]

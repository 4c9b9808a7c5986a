from django.urls import path

from reporting import api

urlpatterns = [
    path("reports/ni14/", api.Ni14ReportApi.as_view(), name="api-reports-ni14"),
]

from django.urls import path

from planning import api

urlpatterns = [
    path("reports/forecast/", api.ForecastApi.as_view(), name="api-reports-forecast"),
    path("reports/staffing/", api.StaffingApi.as_view(), name="api-reports-staffing"),
]

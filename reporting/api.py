"""NI14 report API (API.md, "Reports"), served from the summary rows. Managers and admins."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_permissions import role_permission
from core.roles import Role
from reporting import selectors
from reporting.serializers import Ni14QuerySerializer, Ni14ReportSerializer


def ni14_report(query: dict) -> dict:
    filters = selectors.Filters(date_from=query["from"], date_to=query["to"],
                                service=query.get("service"), channel=query.get("channel"),
                                site=query.get("site"), sampling_period=query.get("sampling_period"))
    head, tables = selectors.breakdowns(filters, (query["group_by"],))  # one read for both
    return {
        "from": filters.date_from, "to": filters.date_to,
        "total_contacts": head["total_contacts"], "avoidable_contacts": head["avoidable_contacts"],
        "ni14_percent": head["ni14_percent"],
        "first_contact_resolution_percent": head["first_contact_resolution_percent"],
        "rows": tables[query["group_by"]],
        "sampling_period": filters.sampling_period,
    }


class Ni14ReportApi(APIView):
    permission_classes = [role_permission(Role.MANAGER, Role.ADMIN)]

    @extend_schema(
        parameters=[Ni14QuerySerializer],
        responses={200: Ni14ReportSerializer,
                   400: OpenApiResponse(description='Invalid input: {"field": ["message"]}'),
                   403: OpenApiResponse(description="Managers and admins only.")},
        description="Avoidable contact (NI14) for a period, grouped by service, channel, NI14 "
                    "reason or month. Without from/to: the last 90 days; with sampling_period, "
                    "that NI14 sampling period's days. Percentages have one "
                    "decimal place and are null when there are no contacts. With group_by=reason, "
                    "`total` is every contact in the period and `avoidable` that reason's contacts.",
    )
    def get(self, request):
        query = Ni14QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(Ni14ReportSerializer(ni14_report(query.validated_data)).data)

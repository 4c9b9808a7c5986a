"""Hand-offs API (API.md, "Hand-offs"): thin views over the selectors and services.

Scope: a caller sees the hand-offs `handoffs_visible_to` allows (partner systems: those of
contacts they created) and gets 404 for any other id; acting needs `handoff_can` (else 403);
partner keys may read but not act.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_pagination import StandardPagination
from handoffs import selectors, services
from handoffs.models import Handoff
from handoffs.serializers import (
    ErrorDetailSerializer,
    HandoffAcceptSerializer,
    HandoffFilterSerializer,
    HandoffResolveSerializer,
    HandoffSerializer,
    HandoffUpdateRequestSerializer,
)

_ERRORS = {
    400: OpenApiResponse(description="Invalid input: {\"field\": [\"message\"]}"),
    403: OpenApiResponse(ErrorDetailSerializer, description="Not allowed to act on this hand-off."),
    404: OpenApiResponse(ErrorDetailSerializer, description="Unknown, or not visible to the caller."),
    409: OpenApiResponse(ErrorDetailSerializer, description="Not allowed in the current status."),
}


def _visible(request, handoff_id: int) -> Handoff:
    try:
        return selectors.handoff_detail(request.user, handoff_id)
    except Handoff.DoesNotExist:
        raise Http404 from None


def _render(request, handoff_id: int) -> Response:
    handoff = selectors.with_timeline(
        selectors.with_deadline_flags(selectors.handoffs_visible_to(request.user))
        .select_related("team", "assigned_to")).get(pk=handoff_id)
    return Response(HandoffSerializer(handoff).data)


class HandoffListApi(APIView):
    pagination_class = StandardPagination  # documents the answer as a page
    @extend_schema(parameters=[HandoffFilterSerializer],
                   responses={200: HandoffSerializer(many=True), 400: _ERRORS[400]})
    def get(self, request):
        query = HandoffFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        handoffs = selectors.with_timeline(selectors.handoff_list(
            request.user, selectors.QueueFilters(**query.validated_data)))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(handoffs, request, view=self)
        return paginator.get_paginated_response(HandoffSerializer(page, many=True).data)


class HandoffDetailApi(APIView):
    @extend_schema(responses={200: HandoffSerializer, 404: _ERRORS[404]})
    def get(self, request, handoff_id: int):
        _visible(request, handoff_id)
        return _render(request, handoff_id)


class _HandoffActionApi(APIView):
    action_name = ""
    input_serializer = HandoffAcceptSerializer

    def post(self, request, handoff_id: int):
        handoff = _visible(request, handoff_id)
        if not selectors.handoff_can(request.user, handoff, self.action_name):
            self.permission_denied(request, message="You may not do this to this hand-off.")
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.perform(handoff, request.user, **data.validated_data)
        return _render(request, handoff_id)


_ACTION_RESPONSES = {200: HandoffSerializer, **_ERRORS}


class HandoffAcceptApi(_HandoffActionApi):
    action_name = "accept"
    input_serializer = HandoffAcceptSerializer

    @extend_schema(request=HandoffAcceptSerializer, responses=_ACTION_RESPONSES)
    def post(self, request, handoff_id: int):
        return super().post(request, handoff_id)

    def perform(self, handoff, user, at=None):
        services.handoff_accept(handoff=handoff, actor=user, at=at)


class HandoffUpdateApi(_HandoffActionApi):
    action_name = "update"
    input_serializer = HandoffUpdateRequestSerializer

    @extend_schema(request=HandoffUpdateRequestSerializer, responses=_ACTION_RESPONSES)
    def post(self, request, handoff_id: int):
        return super().post(request, handoff_id)

    def perform(self, handoff, user, note, customer_informed=False, informed_via="", at=None):
        services.handoff_add_update(handoff=handoff, actor=user, note=note,
                                    customer_informed=customer_informed, informed_via=informed_via,
                                    at=at)


class HandoffResolveApi(_HandoffActionApi):
    action_name = "resolve"
    input_serializer = HandoffResolveSerializer

    @extend_schema(request=HandoffResolveSerializer, responses=_ACTION_RESPONSES)
    def post(self, request, handoff_id: int):
        return super().post(request, handoff_id)

    def perform(self, handoff, user, note, at=None):
        services.handoff_resolve(handoff=handoff, actor=user, outcome=note, at=at)

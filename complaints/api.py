"""The complaints partner API (API.md, "Complaints"): thin views over selectors and services.

Who may log a complaint (API.md v1.1, "a complaint is taken wherever it arrives"): complaints
officers, Legal Services (corporate), social care complaints officers (statutory), managers,
admins, advisers and partner keys. Partner keys (least privilege) get the 201 answer and 404 on
later reads, and take no workflow actions (403).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import serializers as s
from complaints.models import Complaint, OmbudsmanRecommendation
from complaints.selectors import complaint_for_user, complaints_register, user_may_act, user_may_create
from complaints.services import ACTION_SERVICES, complaint_create, ombudsman_recommendation_done
from complaints.transitions import Action
from contacts.models import Customer
from contacts.selectors import contacts_visible_to
from core.api_pagination import StandardPagination
from core.models import Service, User
from core.roles import Role, has_role, is_staff_member

ERRORS = {
    400: OpenApiResponse(description="Invalid input: {field: [messages]}"),
    403: OpenApiResponse(description="Not allowed for this caller"),
    404: OpenApiResponse(description="Unknown complaint, or one the caller may not see"),
}
CONFLICT = {409: OpenApiResponse(description="Not allowed in the complaint's current state: {detail}")}


def _detail(complaint: Complaint, request, code=status.HTTP_200_OK) -> Response:
    complaint = (Complaint.objects.select_related("assigned_to", "service", "ombudsman_decision")
                 .prefetch_related("stages__remedies", "stages__review_panel", "events__actor",
                                   "ombudsman_recommendations").get(pk=complaint.pk))
    data = s.ComplaintSerializer(complaint, context={"today": timezone.localdate()}).data
    data["stages"] = sorted(data["stages"], key=lambda stage: stage["started_at"])
    return Response(data, status=code)


def _caller_may_use_complaints(user) -> bool:
    return is_staff_member(user) or has_role(user, Role.PARTNER)


class ComplaintListCreateApi(GenericAPIView):
    pagination_class = StandardPagination
    serializer_class = s.ComplaintListSerializer
    queryset = Complaint.objects.none()  # for the schema only; rows come from the selectors

    @extend_schema(
        parameters=[
            OpenApiParameter("process", str, enum=["corporate", "statutory"]),
            OpenApiParameter("stage", str, enum=["1", "2", "3", "ombudsman"]),
            OpenApiParameter("status", str, enum=["awaiting_allocation", "open", "responded", "closed"]),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("service", str, description="Service code"),
        ],
        responses={200: s.ComplaintListSerializer(many=True), 400: ERRORS[400]},
    )
    def get(self, request):
        filters = s.ComplaintFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        complaints = complaints_register(request.user, **filters.validated_data)
        page = self.paginate_queryset(complaints)
        data = s.ComplaintListSerializer(page, many=True, context={"today": timezone.localdate()}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=s.ComplaintCreateSerializer,
        responses={201: s.ComplaintSerializer, 400: ERRORS[400], 403: ERRORS[403]},
        description=(
            "Log a complaint at stage 1, awaiting allocation. Complaints officers, Legal Services "
            "(corporate), social care complaints officers (statutory), managers, admins, advisers "
            "and partner keys (v1.1) may log one, with the `contact` it arrived with. A statutory "
            "complaint goes straight to the social care complaints team. The caller gets the 201 "
            "answer; later reads follow the visibility rules: 404 for partner keys, and for "
            "advisers unless the complaint is allocated to them."),
    )
    def post(self, request):
        payload = s.ComplaintCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        user = request.user
        allowed = _caller_may_use_complaints(user) and user_may_create(user, values["process"])
        if not allowed:
            raise PermissionDenied("You may not log complaints.")
        customer = Customer.objects.active().filter(pk=values["customer"]).first()
        if customer is None:
            raise ValidationError({"customer": "No such customer."})
        service = Service.objects.filter(code=values["service"], is_active=True).first()
        if service is None:
            raise ValidationError({"service": "No such service."})
        contact = None
        if values.get("contact") is not None:
            contact = contacts_visible_to(user).filter(pk=values["contact"]).first()
            if contact is None:
                raise ValidationError({"contact": "No such contact."})
        complaint = complaint_create(
            actor=request.user, customer=customer, service=service, summary=values["summary"],
            process=values["process"], received_at=values.get("received_at"),
            via_ombudsman=values["via_ombudsman"], ombudsman_reference=values["ombudsman_reference"],
            contact=contact,
        )
        return _detail(complaint, request, status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    @extend_schema(responses={200: s.ComplaintSerializer, 404: ERRORS[404]})
    def get(self, request, complaint_id: int):
        return _detail(complaint_for_user(request.user, complaint_id), request)


class ComplaintActionApi(APIView):
    """POST /complaints/{id}/<action>/: one workflow action; 409 when the state forbids it."""

    action: Action
    input_serializer = s.AtSerializer

    def post(self, request, complaint_id: int):
        complaint = complaint_for_user(request.user, complaint_id)
        if not user_may_act(request.user, complaint, self.action):
            raise PermissionDenied("You may not take this action on this complaint.")
        payload = self.input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        if self.action == Action.ALLOCATE:
            values["officer"] = User.objects.filter(username=values["officer"]).first()
        complaint = ACTION_SERVICES[self.action](complaint=complaint, actor=request.user, **values)
        return _detail(complaint, request)


def _action_api(action: Action, serializer) -> type[ComplaintActionApi]:
    view = type(f"Complaint{action.name.title().replace('_', '')}Api", (ComplaintActionApi,),
                {"action": action, "input_serializer": serializer,
                 "__doc__": f"{action.label} (API.md, Complaints)."})

    # A function of its own per action, so each gets its own schema (request body, operation id).
    def post(self, request, complaint_id: int):
        return ComplaintActionApi.post(self, request, complaint_id)

    view.post = extend_schema(
        request=serializer, operation_id=f"complaints_{action.value}",
        responses={200: s.ComplaintSerializer, **ERRORS, **CONFLICT},
    )(post)
    return view


ACTION_APIS = {
    Action.ALLOCATE: _action_api(Action.ALLOCATE, s.AllocateSerializer),
    Action.ACKNOWLEDGE: _action_api(Action.ACKNOWLEDGE, s.AtSerializer),
    Action.INTERIM_RESPONSE: _action_api(Action.INTERIM_RESPONSE, s.InterimResponseSerializer),
    Action.EXTEND: _action_api(Action.EXTEND, s.ExtendSerializer),
    Action.RESPOND: _action_api(Action.RESPOND, s.RespondSerializer),
    Action.ESCALATE: _action_api(Action.ESCALATE, s.EscalateSerializer),
    Action.MAKE_STATUTORY: _action_api(Action.MAKE_STATUTORY, s.AtSerializer),
    Action.REFER_TO_OMBUDSMAN: _action_api(Action.REFER_TO_OMBUDSMAN, s.ReferSerializer),
    Action.CLOSE: _action_api(Action.CLOSE, s.AtSerializer),
    Action.OMBUDSMAN_DECISION: _action_api(Action.OMBUDSMAN_DECISION, s.OmbudsmanDecisionSerializer),
    Action.REVIEW_PANEL: _action_api(Action.REVIEW_PANEL, s.ReviewPanelSerializer),
}


class RecommendationDoneApi(APIView):
    """POST /complaints/{id}/recommendations/{rid}/done/ (API.md v1.2): the council did what the
    Ombudsman recommended. 404 for another complaint's or an unknown recommendation; marking a
    done one done again answers 200 with the complaint unchanged (a safe retry); 409 when the
    complaint is not with the Ombudsman (the transition table)."""

    @extend_schema(request=s.AtSerializer, operation_id="complaints_recommendation_done",
                   responses={200: s.ComplaintSerializer, **ERRORS, **CONFLICT})
    def post(self, request, complaint_id: int, recommendation_id: int):
        complaint = complaint_for_user(request.user, complaint_id)
        if not user_may_act(request.user, complaint, Action.RECOMMENDATION_DONE):
            raise PermissionDenied("You may not take this action on this complaint.")
        payload = s.AtSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            complaint = ombudsman_recommendation_done(complaint=complaint, actor=request.user,
                                                      recommendation=recommendation_id,
                                                      **payload.validated_data)
        except OmbudsmanRecommendation.DoesNotExist as missing:
            raise Http404("No such recommendation on this complaint.") from missing
        return _detail(complaint, request)

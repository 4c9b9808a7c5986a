from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.directory import local_password_allowed
from core.roles import is_staff_member
from core.selectors import avoidable_reasons_active, services_with_enquiry_types
from core.serializers import (
    AvoidableReasonSerializer,
    ServiceSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from core.services import api_token_create


class TokenObtainApi(APIView):
    """Staff exchange username and password for an API key (API.md, "Auth"). With local
    passwords switched off (single sign-on) only break-glass accounts may; everyone else makes a
    key on their profile page (/profile/)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={
        200: TokenSerializer,
        400: OpenApiResponse(description='Missing fields, wrong credentials, or password sign-in switched '
                                         'off for this account: {"field": ["message"]}.')})
    def post(self, request):
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        if not local_password_allowed(credentials.validated_data["username"]):
            return Response(
                {"non_field_errors": ["Password sign-in is switched off: sign in with your council "
                                      "account and create an API key on your profile page (/profile/)."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        user = authenticate(request=request._request, **credentials.validated_data)
        if user is None or not is_staff_member(user):
            return Response(
                {"non_field_errors": ["Unable to log in with the credentials provided."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        _, key = api_token_create(user=user, name="Issued at sign-in")
        return Response({"token": key})


class ServiceListApi(APIView):
    @extend_schema(responses={200: ServiceSerializer(many=True)})
    def get(self, request):
        return Response(ServiceSerializer(services_with_enquiry_types(), many=True).data)


class AvoidableReasonListApi(APIView):
    @extend_schema(responses={200: AvoidableReasonSerializer(many=True)})
    def get(self, request):
        return Response(AvoidableReasonSerializer(avoidable_reasons_active(), many=True).data)

"""Reads of the shared app: the catalogue as the pages and the API show it."""

from django.db.models import Prefetch, QuerySet

from core.models import ApiToken, AvoidableReason, EnquiryType, Service


def services_with_enquiry_types() -> QuerySet[Service]:
    active_types = EnquiryType.objects.filter(is_active=True).select_related("team").order_by(
        "name", "pk"
    )
    return (
        Service.objects.filter(is_active=True)
        .prefetch_related(Prefetch("enquiry_types", active_types, to_attr="active_enquiry_types"))
        .order_by("name", "pk")
    )


def avoidable_reasons_active() -> QuerySet[AvoidableReason]:
    return AvoidableReason.objects.filter(is_active=True).order_by("name", "pk")


def audit_events_for(object_type: str, object_id: str):
    """The audit trail of one record, newest first."""
    from core.models import AuditEvent

    return (
        AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """A member of staff's own API keys, newest first (their profile page)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")

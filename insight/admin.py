from django.contrib import admin

from core.admin import AuditedAdmin
from insight.models import (
    LifeEvent,
    LifeEventNotice,
    Survey,
    SurveySampling,
    TellUsOnceContactType,
    TellUsOnceRoute,
)


@admin.register(SurveySampling)
class SurveySamplingAdmin(admin.ModelAdmin):
    """Admins set the share of resolved enquiries of each channel sent a survey by email."""

    list_display = ["channel", "percent"]
    ordering = ["channel", "pk"]


@admin.register(TellUsOnceRoute)
class TellUsOnceRouteAdmin(admin.ModelAdmin):
    """Which enquiry type each service receives a life event as."""

    list_display = ["kind", "service", "enquiry_type", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["service", "enquiry_type"]
    ordering = ["kind", "service__name", "pk"]


@admin.register(TellUsOnceContactType)
class TellUsOnceContactTypeAdmin(AuditedAdmin):
    """What the customer's own contact is recorded as, for each kind of life event: the one
    contact NI14 counts, however many services are told."""

    list_display = ["kind", "enquiry_type"]
    list_select_related = ["enquiry_type__service"]
    ordering = ["kind", "pk"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Read-only: surveys are sent by the sweep and answered by customers or at the counter."""

    list_display = ["id", "method", "channel", "service", "asked_at", "responded_at", "satisfaction"]
    list_filter = ["method", "channel", "resolution"]
    list_select_related = ["service"]
    raw_id_fields = ["contact", "customer", "asked_by"]
    exclude = ["token_hash"]
    ordering = ["-asked_at", "pk"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LifeEventNoticeInline(admin.TabularInline):
    model = LifeEventNotice
    extra = 0
    fields = ["service", "handoff"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    """Read-only: a life event and its hand-offs are made together by the Tell Us Once page."""

    list_display = ["id", "kind", "customer", "event_date", "recorded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["customer", "recorded_by", "contact"]
    ordering = ["-recorded_at", "pk"]
    inlines = [LifeEventNoticeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

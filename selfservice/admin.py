from django.contrib import admin

from core.admin import AuditedAdmin
from selfservice.models import SelfServiceOffer, SelfServiceSubmission


@admin.register(SelfServiceOffer)
class SelfServiceOfferAdmin(AuditedAdmin):
    """Which enquiry types residents may report or request online, and in what words."""

    list_display = ["title", "kind", "enquiry_type", "order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["title", "enquiry_type__name"]
    ordering = ["kind", "order", "title", "pk"]


@admin.register(SelfServiceSubmission)
class SelfServiceSubmissionAdmin(admin.ModelAdmin):
    """Read-only: residents make these online; staff work them as contacts and complaints."""

    list_display = ["reference", "kind", "contact", "complaint", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=reference"]
    ordering = ["-created_at", "-pk"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

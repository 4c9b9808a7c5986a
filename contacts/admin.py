from django.contrib import admin

from contacts.models import Contact, Customer, SamplingPeriod
from core.admin import AuditedAdmin


@admin.register(SamplingPeriod)
class SamplingPeriodAdmin(AuditedAdmin):
    """NI14 sample periods, for councils that measure by sample weeks (DOMAIN.md)."""

    list_display = ["name", "start_date", "end_date"]
    ordering = ["-start_date", "pk"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Read-only: customers are created and corrected on their pages (services, audit)."""

    list_display = ["id", "first_name", "last_name", "postcode", "is_vulnerable", "anonymised_at"]
    search_fields = ["=id", "last_name", "=postcode", "=email", "=uprn"]
    ordering = ["last_name", "first_name", "pk"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Read-only: contacts are recorded once, through their services."""

    list_display = ["id", "received_at", "channel", "service", "enquiry_type", "avoidable", "source"]
    list_filter = ["channel", "source", "avoidable", "service"]
    list_select_related = ["service", "enquiry_type"]
    raw_id_fields = ["customer", "repeat_of", "handled_by", "created_by"]
    ordering = ["-received_at", "-pk"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

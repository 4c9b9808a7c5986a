from django.contrib import admin

from core.admin import AuditedAdmin
from open311.models import Open311Attribute, Open311Request, Open311Service


class Open311AttributeInline(admin.TabularInline):
    model = Open311Attribute
    extra = 0
    ordering = ["order", "pk"]


@admin.register(Open311Service)
class Open311ServiceAdmin(AuditedAdmin):
    """Which enquiry types street-reporting partners may report through Open311, and what they
    ask (GeoReport v2 service list and service definitions)."""

    list_display = ["service_code", "enquiry_type", "group", "is_active"]
    list_filter = ["is_active", "group"]
    search_fields = ["service_code", "enquiry_type__name"]
    ordering = ["service_code", "pk"]
    inlines = [Open311AttributeInline]


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    """Read-only: requests arrive through the API and are worked as contacts and hand-offs."""

    list_display = ["contact", "service", "partner", "requested_at", "address_string"]
    list_filter = ["service"]
    ordering = ["-requested_at", "-pk"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

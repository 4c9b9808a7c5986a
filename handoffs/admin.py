from django.contrib import admin

from handoffs.models import Handoff, HandoffUpdate


class HandoffUpdateInline(admin.TabularInline):
    model = HandoffUpdate
    extra = 0
    fields = ["kind", "at", "author", "note", "customer_informed", "informed_via", "informed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    """Read-only: hand-offs change only through their services (audit, messages)."""

    list_display = ["id", "method", "team", "status", "assigned_to", "due_date", "overdue_at"]
    list_filter = ["method", "status", "team"]
    list_select_related = ["team", "assigned_to"]
    raw_id_fields = ["contact", "assigned_to", "advocate"]
    ordering = ["due_date", "pk"]
    inlines = [HandoffUpdateInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

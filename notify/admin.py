from django.contrib import admin

from core.admin import AuditedAdmin
from notify.models import MessageUnitCost


@admin.register(MessageUnitCost)
class MessageUnitCostAdmin(AuditedAdmin):
    list_display = ("channel", "unit_cost")

from django import forms
from django.contrib import admin

from contacts import services
from contacts.models import Contact, Customer, ProactiveRule, SamplingPeriod
from core.admin import AuditedAdmin
from core.govuk_forms import GovukMessagesMixin


class SamplingPeriodForm(GovukMessagesMixin, forms.ModelForm):
    class Meta:
        model = SamplingPeriod
        fields = ["name", "start_date", "end_date"]

    def clean(self):
        data = super().clean()
        period = SamplingPeriod(pk=self.instance.pk, start_date=data.get("start_date"),
                                end_date=data.get("end_date"))
        for field, message in services.sampling_period_errors(period).items():
            self.add_error(field, message)
        return data


@admin.register(SamplingPeriod)
class SamplingPeriodAdmin(admin.ModelAdmin):
    """NI14 sample periods, for councils that measure by sample weeks (DOMAIN.md). Saving one
    stamps the contacts received on its days (`contacts.services.sampling_period_save`), which
    writes the audit row."""

    form = SamplingPeriodForm
    list_display = ["name", "start_date", "end_date"]
    ordering = ["-start_date", "pk"]

    def save_model(self, request, obj, form, change):
        services.sampling_period_save(period=obj, actor=request.user,
                                      ip_address=request.META.get("REMOTE_ADDR"))

    def delete_model(self, request, obj):
        services.sampling_period_delete(period=obj, actor=request.user,
                                        ip_address=request.META.get("REMOTE_ADDR"))

    def delete_queryset(self, request, queryset):
        for period in queryset.order_by("pk"):
            self.delete_model(request, period)


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


@admin.register(ProactiveRule)
class ProactiveRuleAdmin(AuditedAdmin):
    """Which events tell customers, unasked, for which enquiry types (issue 19)."""

    list_display = ("event", "enquiry_type", "enabled", "warn_working_days", "extra_working_days")
    list_filter = ("event", "enabled")
    list_editable = ("enabled",)

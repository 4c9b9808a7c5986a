from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.validators import MinValueValidator
from django.utils import timezone

from core.client_address import client_ip
from core.govuk_forms import GovukMessagesMixin
from core.models import (
    ApiToken,
    AuditEvent,
    AvoidableReason,
    Channel,
    ClosureDay,
    DeliveryAttempt,
    DirectoryRoleMapping,
    EnquiryType,
    OutboundMessage,
    RetentionRule,
    RetentionRun,
    Service,
    Site,
    Team,
    TransactionCost,
    User,
)
from core.personal_data import describe_days, schedules
from core.services import api_token_revoke, audit_record


class AuditedAdmin(admin.ModelAdmin):
    """Catalogue changes made in the admin go to the audit trail like every other change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {field: str(form.cleaned_data.get(field)) for field in form.changed_data}
        audit_record(
            actor=request.user,
            action="changed" if change else "created",
            target=obj,
            changes=changes,
            ip_address=client_ip(request),
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="deleted", target=obj, changes={"was": str(obj)})
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Rows changed through an inline (enquiry types, transaction costs) are audited too."""
        ip_address = request.META.get("REMOTE_ADDR")
        # Deleting clears the primary key, so the doomed rows are audited first.
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:
                audit_record(actor=request.user, action="deleted", target=inline_form.instance,
                             changes={"was": str(inline_form.instance)}, ip_address=ip_address)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(actor=request.user, action="created", target=obj, ip_address=ip_address)
        for obj, fields in formset.changed_objects:
            audit_record(actor=request.user, action="changed", target=obj,
                         changes={"fields": sorted(fields)}, ip_address=ip_address)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Council", {"fields": ("job_title", "line_manager", "is_senior_officer")}),
        ("Single sign-on", {"fields": ("directory_subject", "deactivated_as_unseen_at")}),
    )
    readonly_fields = ("deactivated_as_unseen_at",)
    list_display = ("username", "first_name", "last_name", "is_active", "is_senior_officer", "last_login")
    list_filter = ("groups", "is_active", "is_staff", "is_senior_officer")


@admin.register(DirectoryRoleMapping)
class DirectoryRoleMappingAdmin(AuditedAdmin):
    """Which directory groups or app roles give which role at single sign-on, on top of the
    OIDC_ROLE_MAP setting; applied at each person's next sign-in (core/directory.py)."""

    list_display = ("claim_value", "role", "description")
    list_filter = ("role",)
    search_fields = ("claim_value", "description")


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "code", "is_front_office", "lead", "site")
    filter_horizontal = ("members",)
    search_fields = ("name", "code")


class EnquiryTypeInline(admin.TabularInline):
    model = EnquiryType
    extra = 0


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ("name", "code", "is_active")
    inlines = [EnquiryTypeInline]
    search_fields = ("name", "code")


class TransactionCostInline(admin.TabularInline):
    """Cost per transaction by channel, where it differs from the channel's unit cost."""

    model = TransactionCost
    extra = 0


@admin.register(EnquiryType)
class EnquiryTypeAdmin(AuditedAdmin):
    list_display = ("name", "service", "handoff_method", "team", "target_working_days", "is_active")
    inlines = [TransactionCostInline]
    list_filter = ("service", "handoff_method", "team")
    search_fields = ("name", "code")


@admin.register(AvoidableReason)
class AvoidableReasonAdmin(AuditedAdmin):
    list_display = ("name", "code", "is_active")


@admin.register(Channel)
class ChannelAdmin(AuditedAdmin):
    list_display = ("code", "unit_cost")


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "is_active")


@admin.register(ClosureDay)
class ClosureDayAdmin(AuditedAdmin):
    list_display = ("date", "reason")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at",
                       "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are made by create_partner_token or the token endpoint

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = readonly_fields = ("number", "started_at", "finished_at", "outcome", "error", "worker")
    ordering = ("number",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "subject", "to_email", "sent_at", "attempt_count", "failed_at")
    list_filter = ("channel", ("sent_at", admin.EmptyFieldListFilter),
                   ("failed_at", admin.EmptyFieldListFilter))
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request):
        return False


class RetentionRuleForm(GovukMessagesMixin, forms.ModelForm):
    """One line of the retention schedule, chosen from the lines the apps declare."""

    schedule = forms.ChoiceField(choices=())

    class Meta:
        model = RetentionRule
        fields = ("schedule", "days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule"].choices = [
            (line.key, f"{line.label} (default {describe_days(line.default_days)} {line.starts})")
            for line in schedules()]
        self.fields["days"].min_value = 1
        self.fields["days"].validators.append(MinValueValidator(1, "Enter at least 1 day."))


@admin.register(RetentionRule)
class RetentionRuleAdmin(AuditedAdmin):
    """The council's retention schedule (issue 17): how long each kind of record is kept before
    the nightly retention task erases its personal data. A line with no rule keeps its default."""

    form = RetentionRuleForm
    list_display = ("schedule_label", "days", "length", "changed_at", "changed_by")
    ordering = ("schedule",)

    @admin.display(description="Records")
    def schedule_label(self, obj):
        line = next((line for line in schedules() if line.key == obj.schedule), None)
        return f"{line.label} ({line.starts})" if line else obj.schedule

    @admin.display(description="Kept for")
    def length(self, obj):
        return describe_days(obj.days)

    def save_model(self, request, obj, form, change):
        obj.changed_at = timezone.now()
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """Each run of the retention task with its counts (read only)."""

    list_display = ("started_at", "finished_at", "total")
    readonly_fields = ("started_at", "finished_at", "cutoffs", "counts")
    ordering = ("-started_at", "-pk")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

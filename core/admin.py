from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.core.validators import MinValueValidator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.client_address import client_ip
from core.govuk_forms import GovukMessagesMixin
from core.messages import example_personalisation, render, template_errors
from core.models import (
    MESSAGE_FIELDS,
    ApiToken,
    AuditEvent,
    AvoidableReason,
    Channel,
    ClosureDay,
    DeliveryAttempt,
    DirectoryRoleMapping,
    EnquiryType,
    MessageTemplate,
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
    list_display = ("created_at", "channel", "subject", "to_email", "to_phone", "sent_at", "attempt_count",
                    "delivery_status", "failed_at")
    list_filter = ("channel", "delivery_status", "message_type", ("sent_at", admin.EmptyFieldListFilter),
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
class MessageTemplateForm(GovukMessagesMixin, forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["message_type", "channel", "language", "notify_template_id", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10, "cols": 80})}

    def clean(self):
        cleaned = super().clean()
        errors = template_errors(message_type=cleaned.get("message_type", ""),
                                 channel=cleaned.get("channel", ""),
                                 subject=cleaned.get("subject", ""), body=cleaned.get("body", ""))
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedAdmin):
    """The words of each message to residents and their Notify template ids (issue 19), with a
    preview filled with example values."""

    form = MessageTemplateForm
    list_display = ("message_type", "channel", "language", "notify_template_id", "updated_at", "preview_link")
    list_filter = ("message_type", "channel", "language")
    readonly_fields = ("fields_help", "updated_at")
    fields = ("message_type", "channel", "language", "notify_template_id", "fields_help", "subject",
              "body", "updated_at")

    @admin.display(description="Fields you can use")
    def fields_help(self, obj):
        if obj is None or not obj.pk:
            return "Save the template first: the fields depend on the message type."
        return ", ".join(f"(({name}))" for name in MESSAGE_FIELDS.get(obj.message_type, []))

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html('<a href="{}">Preview<span class="visually-hidden"> {}</span></a>',
                           reverse("admin:core_messagetemplate_preview", args=[obj.pk]), obj)

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [path("<int:template_id>/preview/", self.admin_site.admin_view(self.preview),
                     name="core_messagetemplate_preview"), *super().get_urls()]

    def preview(self, request, template_id: int):
        template = get_object_or_404(MessageTemplate, pk=template_id)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        example = example_personalisation(template.message_type)
        return TemplateResponse(request, "admin/core/messagetemplate/preview.html", {
            **self.admin_site.each_context(request),
            "title": f"Preview: {template}", "template": template, "opts": self.model._meta,
            "subject": render(template.subject, example), "body": render(template.body, example),
            "example": example,
        })

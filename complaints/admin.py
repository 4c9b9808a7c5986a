from django import forms
from django.contrib import admin, messages
from django.template import TemplateSyntaxError, engines
from django.utils import timezone

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintLetter,
    ComplaintRuleSet,
    ComplaintStage,
    ComplaintStageRule,
    LetterTemplate,
)
from complaints.selectors import LETTER_PLACEHOLDERS
from complaints.services import letter_template_change, rule_set_activate, stage_rule_change
from core.govuk_forms import GovukMessagesMixin
from core.services import audit_record


class ComplaintStageRuleInline(admin.TabularInline):
    model = ComplaintStageRule
    extra = 0
    fields = ["process", "stage", "acknowledge_working_days", "response_clock_starts", "working_days",
              "extensions_allowed", "interim_response_revises_target", "extension_working_days",
              "reminder_working_days", "owning_role", "owner_description",
              "different_officer_from_previous_stage"]


@admin.register(ComplaintRuleSet)
class ComplaintRuleSetAdmin(admin.ModelAdmin):
    """Complaint timescales as data: a change raises the version and applies to stages started
    afterwards; running stages keep the deadline they started with."""

    list_display = ["name", "code", "is_active", "version", "changed_at"]
    readonly_fields = ["is_active", "version", "changed_at"]
    inlines = [ComplaintStageRuleInline]
    actions = ["activate"]

    def save_model(self, request, obj, form, change):
        obj.changed_at = timezone.now()
        if change and form.changed_data:
            obj.version += 1
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="changed" if change else "created", target=obj,
                     changes={field: str(form.cleaned_data.get(field)) for field in form.changed_data})

    def save_formset(self, request, form, formset, change):
        for rule_form in formset.forms:
            if not rule_form.has_changed() or rule_form in formset.deleted_forms:
                continue
            rule = rule_form.instance
            if rule.pk:
                values = {field: rule_form.cleaned_data[field] for field in rule_form.changed_data}
                rule.refresh_from_db()
                stage_rule_change(rule=rule, actor=request.user, **values)
            else:
                rule.save()
        for deleted in formset.deleted_objects:
            deleted.delete()

    @admin.action(description="Make the selected rule set the one new stages use")
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one rule set.", messages.ERROR)
            return
        rule_set_activate(rule_set=queryset.get(), actor=request.user)
        self.message_user(request, "Activated. Stages already running keep their deadlines.")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Complaints change only through the workflow (complaints/services.py)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["id", "process", "stage", "status", "service", "assigned_to", "due_date", "received_at"]
    list_filter = ["process", "stage", "status", "via_ombudsman"]


@admin.register(ComplaintStage)
class ComplaintStageAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "stage", "started_at", "due_date", "responded_at", "outcome"]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "action", "at", "actor"]


class LetterTemplateForm(GovukMessagesMixin, forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "cols": 100})}
        help_texts = {"body": "Plain text; a blank line between paragraphs. Placeholders: "
                              + ", ".join(f"{{{{ {name} }}}}" for name in LETTER_PLACEHOLDERS)
                              + ". Conditions such as {% if remedy %}...{% endif %} work too. The "
                                "letterhead, address, date, greeting and signature are added."}

    def clean(self):
        cleaned = super().clean()
        for field in ("subject", "body"):
            try:
                engines["django"].from_string(cleaned.get(field) or "")
            except TemplateSyntaxError as error:
                self.add_error(field, f"A placeholder or condition does not work: {error}")
        return cleaned


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """The wording of each letter (issue 18, "Letters as documents"); the officer edits the
    filled-in letter before sending, and letters already sent keep their words."""

    form = LetterTemplateForm
    list_display = ["kind", "subject", "changed_at"]
    readonly_fields = ["kind", "changed_at"]

    def has_add_permission(self, request):
        return False  # one template per kind, loaded by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: the same check of the placeholders, and the audit row.
        letter_template_change(template=LetterTemplate.objects.get(pk=obj.pk), actor=request.user,
                               subject=obj.subject, body=obj.body)


@admin.register(ComplaintLetter)
class ComplaintLetterAdmin(admin.ModelAdmin):
    """Letters as sent: a record, never edited."""

    list_display = ["complaint", "kind", "stage", "channel", "sent_at", "sent_by"]
    list_filter = ["kind", "channel"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

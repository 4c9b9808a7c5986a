"""Issue 18: rule sets drive the clock. Each stage rule says which event starts its clocks, how
long each runs and how far the response may be extended; running stages copy it. The presets are
renamed `strategy-2008` (as before) and `lgsco-2026` (the Ombudsman's Complaint Handling Code:
acknowledge within 5 working days of receipt or of the escalation request, respond within 10 or
20 working days of the acknowledgement, extend by at most 10 or 20 with a reason)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

RENAMES = {
    "strategy": ("strategy-2008", "Customer Contact and Care Strategy (2008)",
                 "Corporate 5 and 20 working days; statutory 10, 56 and 56 (DOMAIN.md, Complaints). "
                 "Stage 1 counts from allocation, later stages from escalation; an interim response "
                 "revises the target (corporate stage 1 by at most 10 working days)."),
    "complaint-handling-code-2026": (
        "lgsco-2026", "Ombudsman's Complaint Handling Code (April 2026)",
        "Corporate: acknowledge within 5 working days of receipt or of the escalation request; "
        "respond within 10 (stage 1) or 20 (stage 2) working days of the acknowledgement; extend by "
        "at most 10 or 20 working days with a reason. Statutory social care complaints keep the "
        "strategy's timescales (their own regulations)."),
}
LGSCO_CORPORATE = {"1": 10, "2": 20}  # stage: working days to respond, and the extension limit


def forwards(apps, schema_editor):
    RuleSet = apps.get_model("complaints", "ComplaintRuleSet")
    StageRule = apps.get_model("complaints", "ComplaintStageRule")
    Stage = apps.get_model("complaints", "ComplaintStage")
    Complaint = apps.get_model("complaints", "Complaint")
    Event = apps.get_model("complaints", "ComplaintEvent")
    for old, (code, name, description) in RENAMES.items():
        RuleSet.objects.filter(code=old).update(code=code, name=name, description=description)
    # Every preset: later stages' clocks run from escalation, stage 1's from allocation, and an
    # interim response revises the target (the behaviour before this change).
    StageRule.objects.exclude(stage="1").update(response_clock_starts="escalation")
    lgsco = RuleSet.objects.filter(code="lgsco-2026").first()
    if lgsco is not None:
        for stage, days in LGSCO_CORPORATE.items():
            StageRule.objects.filter(rule_set=lgsco, process="corporate", stage=stage).update(
                working_days=days, acknowledge_working_days=5, response_clock_starts="acknowledgement",
                extensions_allowed=True, extension_working_days=days, interim_response_revises_target=False,
            )
        RuleSet.objects.filter(pk=lgsco.pk).update(version=models.F("version") + 1)
    # Running stages: the same copy of the old behaviour, and each stage's first allocation.
    Stage.objects.exclude(stage="1").update(rule_response_clock_starts="escalation")
    Stage.objects.filter(stage="1").update(allocated_at=Subquery(
        Complaint.objects.filter(pk=OuterRef("complaint_id")).values("allocated_at")[:1]))
    first_allocation = (Event.objects.filter(complaint_id=OuterRef("complaint_id"), stage=OuterRef("stage"),
                                             action="allocate").order_by("at", "pk").values("at")[:1])
    Stage.objects.exclude(stage="1").update(allocated_at=Subquery(first_allocation))


# The presets as this migration leaves them, for `load`: process, stage, working days to respond,
# to acknowledge, the response clock's start, extensions allowed, extension limit, interim response
# revises the target, reminder, owning role, owner, a different officer from the previous stage.
STRATEGY_ROWS = [
    ("corporate", "1", 5, None, "allocation", False, 10, True, 2, "complaints_officer", "Allocated officer",
     False),
    ("corporate", "2", 20, None, "escalation", False, 0, True, 2, "complaints_officer",
     "Assistant Chief Executive, Assistant Executive Director or Head of Service", False),
    ("statutory", "1", 10, None, "allocation", False, 0, True, 2, "social_care_complaints",
     "Responsible officer", False),
    ("statutory", "2", 56, None, "escalation", False, 0, True, 2, "social_care_complaints",
     "External investigator", False),
    ("statutory", "3", 56, None, "escalation", False, 0, True, 2, "social_care_complaints",
     "Review panel, recommending actions to the Director of Social Services", False),
]
LGSCO_ROWS = [
    ("corporate", "1", 10, 5, "acknowledgement", True, 10, False, 2, "complaints_officer", "Allocated officer",
     False),
    ("corporate", "2", 20, 5, "acknowledgement", True, 20, False, 2, "complaints_officer",
     "A different, senior officer", True),
    *[row for row in STRATEGY_ROWS if row[0] == "statutory"],
]


def load(apps, schema_editor):
    """The two presets, created when missing (idempotent): `seed_demo` re-runs this after a
    database's tables were emptied, as it does the other reference data."""
    RuleSet = apps.get_model("complaints", "ComplaintRuleSet")
    StageRule = apps.get_model("complaints", "ComplaintStageRule")
    from django.utils import timezone

    for code, active, rows in (("strategy-2008", True, STRATEGY_ROWS), ("lgsco-2026", False, LGSCO_ROWS)):
        name, description = {new: (name, description) for new, name, description in RENAMES.values()}[code]
        active = active and not RuleSet.objects.filter(is_active=True).exists()
        rule_set, created = RuleSet.objects.get_or_create(code=code, defaults={
            "name": name, "description": description, "is_active": active, "changed_at": timezone.now()})
        if not created:
            continue
        for (process, stage, days, acknowledge, starts, allowed, limit, interim, reminder, role, owner,
             different) in rows:
            StageRule.objects.create(
                rule_set=rule_set, process=process, stage=stage, working_days=days,
                acknowledge_working_days=acknowledge, response_clock_starts=starts, extensions_allowed=allowed,
                extension_working_days=limit, interim_response_revises_target=interim,
                reminder_working_days=reminder, owning_role=role, owner_description=owner,
                different_officer_from_previous_stage=different)


def backwards(apps, schema_editor):
    RuleSet = apps.get_model("complaints", "ComplaintRuleSet")
    for old, (code, _, _) in RENAMES.items():
        RuleSet.objects.filter(code=code).update(code=old)
    RuleSet.objects.filter(code="complaint-handling-code-2026").update(acknowledge_working_days=5)


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0004_issue18b_letters'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaintstage',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='complaintstage',
            name='acknowledgement_due_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='complaintstage',
            name='allocated_at',
            field=models.DateTimeField(blank=True, help_text='First allocation at this stage.', null=True),
        ),
        migrations.AddField(
            model_name='complaintstage',
            name='extended_by_working_days',
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='complaintstage',
            name='rule_acknowledge_working_days',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='complaintstage',
            name='rule_extensions_allowed',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name='complaintstage',
            name='rule_interim_response_revises_target',
            field=models.BooleanField(db_default=True, default=True),
        ),
        migrations.AddField(
            model_name='complaintstage',
            name='rule_response_clock_starts',
            field=models.CharField(choices=[('receipt', 'Receipt of the complaint'), ('allocation', 'Allocation to an officer'), ('acknowledgement', 'The acknowledgement'), ('escalation', 'The escalation request')], db_default='allocation', default='allocation', max_length=20),
        ),
        migrations.AddField(
            model_name='complaintstagerule',
            name='acknowledge_working_days',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Working days to acknowledge, from the start of the stage (receipt at stage 1, the escalation request later); empty: no acknowledgement clock.', null=True),
        ),
        migrations.AddField(
            model_name='complaintstagerule',
            name='extensions_allowed',
            field=models.BooleanField(default=False, help_text='Whether the response may be extended, with a reason (the extend action).'),
        ),
        migrations.AddField(
            model_name='complaintstagerule',
            name='interim_response_revises_target',
            field=models.BooleanField(default=True, help_text='Whether an interim response moves the deadline to a revised target.'),
        ),
        migrations.AddField(
            model_name='complaintstagerule',
            name='response_clock_starts',
            field=models.CharField(choices=[('receipt', 'Receipt of the complaint'), ('allocation', 'Allocation to an officer'), ('acknowledgement', 'The acknowledgement'), ('escalation', 'The escalation request')], default='allocation', help_text='The event the working days to respond count from.', max_length=20),
        ),
        migrations.AlterField(
            model_name='complaintstage',
            name='clock_started_at',
            field=models.DateTimeField(blank=True, help_text="The response clock's start.", null=True),
        ),
        migrations.AlterField(
            model_name='complaintstage',
            name='due_date',
            field=models.DateField(blank=True, help_text='The response deadline before any extension.', null=True),
        ),
        migrations.AlterField(
            model_name='complaintstagerule',
            name='extension_working_days',
            field=models.PositiveSmallIntegerField(default=0, help_text='How far an extension, or an interim response, may move the response deadline, in working days (0 = no limit for an interim response).'),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name='complaintruleset',
            name='acknowledge_working_days',
        ),
    ]

"""The two rule presets: the strategy's timescales (active) and the Ombudsman's Complaint Handling
Code from April 2026 (inactive until an admin activates it)."""

from django.db import migrations
from django.utils import timezone

STRATEGY = [
    # process, stage, working days, extension, reminder, owning role, owner
    ("corporate", "1", 5, 10, 2, "complaints_officer", "Allocated officer"),
    ("corporate", "2", 20, 0, 2, "complaints_officer",
     "Assistant Chief Executive, Assistant Executive Director or Head of Service"),
    ("corporate", "ombudsman", None, 0, 5, "legal", "Legal Services coordinates"),
    ("statutory", "1", 10, 0, 2, "social_care_complaints", "Responsible officer"),
    ("statutory", "2", 56, 0, 2, "social_care_complaints", "External investigator"),
    ("statutory", "3", 56, 0, 2, "social_care_complaints",
     "Review panel, recommending actions to the Director of Social Services"),
    ("statutory", "ombudsman", None, 0, 5, "social_care_complaints", "Ombudsman investigation"),
]

# Complaint Handling Code (LGSCO, April 2026): acknowledge in 5 working days; stage 1 in 10 working
# days of acknowledgement, extendable by 10; stage 2 in 20, extendable by 20, by someone other
# than the stage 1 officer. Statutory social care complaints follow their own regulations.
HANDLING_CODE = [
    ("corporate", "1", 10, 10, 2, "complaints_officer", "Allocated officer"),
    ("corporate", "2", 20, 20, 2, "complaints_officer", "A different, senior officer"),
    *[row for row in STRATEGY if row[0] != "corporate" or row[1] == "ombudsman"],
]


def load(apps, schema_editor):
    RuleSet = apps.get_model("complaints", "ComplaintRuleSet")
    StageRule = apps.get_model("complaints", "ComplaintStageRule")
    now = timezone.now()
    presets = [
        ("strategy", "Customer Contact and Care Strategy", True, None, STRATEGY,
         "Corporate 5 and 20 working days; statutory 10, 56 and 56 (DOMAIN.md, Complaints)."),
        ("complaint-handling-code-2026", "Ombudsman Complaint Handling Code (April 2026)", False, 5,
         HANDLING_CODE, "Acknowledge in 5 working days; stage 1 in 10 and stage 2 in 20 working "
                        "days of acknowledgement, extendable by 10 and 20."),
    ]
    for code, name, active, acknowledge, rows, description in presets:
        rule_set, created = RuleSet.objects.get_or_create(
            code=code, defaults={"name": name, "is_active": active, "acknowledge_working_days": acknowledge,
                                 "description": description, "changed_at": now},
        )
        if not created:
            continue
        for process, stage, days, extension, reminder, role, owner in rows:
            if days is None:
                continue
            StageRule.objects.create(
                rule_set=rule_set, process=process, stage=stage, working_days=days,
                extension_working_days=extension, reminder_working_days=reminder, owning_role=role,
                owner_description=owner,
                different_officer_from_previous_stage=(code != "strategy" and stage == "2"
                                                       and process == "corporate"),
            )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

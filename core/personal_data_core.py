"""What the shared app holds about people (issue 17; the hooks are in core/personal_data.py):
messages sent to customers, the sign-in records of django-axes, the Django admin's change log and
the audit trail (kept by law)."""

from django.db.models import Q

from core.personal_data import Erase, PersonalField, RecordType, Schedule, years


def retention_schedules() -> list[Schedule]:
    return [
        Schedule("outbox", "Outbox messages", years(1), "after the message was made", order=60),
        Schedule("sign_ins", "Failed and successful sign-in records", 90, "after the attempt",
                 order=70),
        Schedule("admin_log", "Admin change log", years(6), "after the change", order=80),
    ]


def _messages_for(subject, found):
    from core.models import OutboundMessage

    refs = Q(pk__in=[])
    for key, pks in found.items():
        refs |= Q(object_type=key, object_id__in=[str(pk) for pk in pks])
    # Messages addressed to the customer by record (issue 19's recipient), whatever they are about.
    refs |= Q(recipient_type="contacts.customer", recipient_id=str(subject.pk))
    email = getattr(subject, "email", "")
    if email:
        refs |= Q(to_email__iexact=email)
    return OutboundMessage.objects.filter(refs)


def _attempts_for(subject, found):
    from core.models import DeliveryAttempt

    return DeliveryAttempt.objects.filter(message__in=found.get("core.outboundmessage", []))


def _audit_for(subject, found):
    from core.models import AuditEvent

    refs = Q(pk__in=[])
    for key, pks in found.items():
        if key != "core.auditevent":
            refs |= Q(object_type=key, object_id__in=[str(pk) for pk in pks])
    return AuditEvent.objects.filter(refs)


def personal_data() -> list[RecordType]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry

    from core.models import AuditEvent, DeliveryAttempt, OutboundMessage

    outbox_rule = "Outbox schedule (default 1 year) after the message was made"
    sign_in_rule = "Sign-in records schedule (default 90 days) after the attempt"
    sign_in_fields = (PersonalField("username"), PersonalField("user_agent"),
                      PersonalField("http_accept"), PersonalField("path_info"))
    return [
        RecordType(
            model=OutboundMessage, label="Messages sent", schedules=("outbox",),
            aged=lambda cuts: Q(created_at__lt=cuts["outbox"]), for_subject=_messages_for,
            retention_rule=outbox_rule, export_exclude=("dedupe_key",),
            fields=(PersonalField("to_email"), PersonalField("to_phone"), PersonalField("to_address"),
                    PersonalField("subject", Erase.MARKER), PersonalField("body", Erase.MARKER),
                    PersonalField("personalisation"), PersonalField("send_error")),
        ),
        RecordType(
            model=DeliveryAttempt, label="Message delivery attempts", schedules=("outbox",),
            aged=lambda cuts: Q(message__created_at__lt=cuts["outbox"]), for_subject=_attempts_for,
            retention_rule=outbox_rule + " (with its message)",
            fields=(PersonalField("error"),),
        ),
        RecordType(
            model=AccessAttempt, label="Failed sign-ins", schedules=("sign_ins",),
            aged=lambda cuts: Q(attempt_time__lt=cuts["sign_ins"]), delete_row=True,
            retention_rule=sign_in_rule, exported=False,
            fields=sign_in_fields + (PersonalField("get_data"), PersonalField("post_data")),
        ),
        RecordType(
            model=AccessFailureLog, label="Failed sign-in log", schedules=("sign_ins",),
            aged=lambda cuts: Q(attempt_time__lt=cuts["sign_ins"]), delete_row=True,
            retention_rule=sign_in_rule, exported=False, fields=sign_in_fields,
        ),
        RecordType(
            model=AccessLog, label="Sign-in log", schedules=("sign_ins",),
            aged=lambda cuts: Q(attempt_time__lt=cuts["sign_ins"]), delete_row=True,
            retention_rule=sign_in_rule, exported=False,
            fields=sign_in_fields + (PersonalField("session_hash"),),
        ),
        RecordType(
            model=LogEntry, label="Admin change log", schedules=("admin_log",),
            aged=lambda cuts: Q(action_time__lt=cuts["admin_log"]), delete_row=True,
            retention_rule="Admin change log schedule (default 6 years) after the change",
            exported=False,
            fields=(PersonalField("object_repr"), PersonalField("change_message")),
        ),
        RecordType(
            model=AuditEvent, label="Audit trail", schedules=(), aged=lambda cuts: Q(pk__in=[]),
            for_subject=_audit_for,
            retention_rule="Kept: the append-only audit trail (a database trigger refuses changes)",
            fields=(PersonalField(
                "changes",
                kept_by_law="accountability, UK GDPR article 5(2): who changed what and when. The "
                            "services record field names and codes here, never the personal "
                            "values themselves"),),
        ),
    ]

from django import template

register = template.Library()

STATUS_TAGS = {
    "awaiting_allocation": "govuk-tag--yellow",
    "open": "govuk-tag--blue",
    "responded": "govuk-tag--green",
    "closed": "govuk-tag--grey",
}


@register.filter
def status_tag(status: str) -> str:
    """The GOV.UK tag colour for a complaint status."""
    return STATUS_TAGS.get(status, "govuk-tag--grey")


@register.filter
def plural_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


EVENT_LABELS = {
    "created": "Complaint logged",
    "allocate": "Allocated",
    "acknowledge": "Acknowledged",
    "interim_response": "Interim response sent",
    "extend": "Response deadline extended",
    "respond": "Stage response sent",
    "escalate": "Escalated",
    "make_statutory": "Reclassified as statutory",
    "refer_to_ombudsman": "Referred to the Ombudsman",
    "close": "Closed",
    "marked_overdue": "Marked overdue",
}


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action.replace("_", " ").capitalize())

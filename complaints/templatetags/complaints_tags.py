from django import template
from django.utils.html import format_html

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


@register.simple_tag
def complaint_clock_tag(clock: dict | None) -> str:
    """The deadline's state for `complaints.selectors.complaint_clock`: overdue by, due today, a
    few days left (tagged), more left, or no clock. A simple tag, not an include: the register
    draws it on each of its 50 rows (issue 20)."""
    if not clock:
        return format_html('<span class="govuk-body-s">{}</span>', "No clock running")
    if clock["overdue"]:
        return format_html('<strong class="govuk-tag govuk-tag--red">Overdue by {}</strong>',
                           plural_days(clock["overdue_by"]))
    days_left = clock["days_left"]
    if days_left == 0:
        return format_html('<strong class="govuk-tag govuk-tag--orange">{}</strong>', "Due today")
    if days_left <= 2:
        return format_html('<strong class="govuk-tag govuk-tag--orange">{} left</strong>',
                           plural_days(days_left))
    return format_html('<span class="govuk-body-s">{} left</span>', plural_days(days_left))


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

"""The hand-off status and deadline tags, shared by the lists and the hand-off page.

Simple tags rather than template includes: a list draws them on each of its 50 rows, and an
include costs a context push and a node walk each time (issue 20: server time of the queues).
"""

from django import template
from django.utils.html import format_html

from handoffs.models import Handoff

register = template.Library()

_STATUS_COLOURS = {Handoff.Status.OPEN: "govuk-tag--blue",
                   Handoff.Status.IN_PROGRESS: "govuk-tag--light-blue",
                   Handoff.Status.RESOLVED: "govuk-tag--green"}
_OVERDUE = format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', "Overdue")
_DUE_SOON = format_html('<strong class="govuk-tag govuk-tag--yellow">{}</strong>', "Due soon")


@register.simple_tag
def handoff_status_tag(handoff) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>',
                       _STATUS_COLOURS.get(handoff.status, "govuk-tag--blue"), handoff.get_status_display())


@register.simple_tag
def handoff_deadline_tag(handoff) -> str:
    """"Overdue" or "Due soon" (the list's `is_overdue` and `is_due_soon` annotations), or nothing."""
    if getattr(handoff, "is_overdue", False):
        return _OVERDUE
    if getattr(handoff, "is_due_soon", False):
        return _DUE_SOON
    return ""

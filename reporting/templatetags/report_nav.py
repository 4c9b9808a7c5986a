"""The one sub-navigation of the report and insight pages (issue 20, item 6)."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()

# In order: (url name, label, the name a page passes as `current`).
REPORT_PAGES = (
    ("reporting:dashboard", "Avoidable contact (NI14)", "dashboard"),
    ("reporting:channels", "Channels and cost", "channels"),
    ("reporting:complaints", "Complaints", "complaints"),
    ("reporting:handoffs", "Hand-offs", "handoffs"),
    ("reporting:joined_up", "Joined-up view", "joined_up"),
    ("reporting:annual", "Annual complaints report", "annual"),
    ("insight:surveys", "Customer satisfaction", "surveys"),
    ("insight:journeys", "Customer journeys", "journeys"),
    ("insight:services-together", "Services used together", "together"),
)


@register.inclusion_tag("reporting/includes/subnav.html")
def report_subnav(current: str, nav_query: str = "", date_from=None, date_to=None):
    """Every report page, the period carried from page to page (`nav_query`, or the dates)."""
    if not nav_query and date_from and date_to:
        nav_query = urlencode({"date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    return {"links": [(f"{reverse(name)}?{nav_query}" if nav_query else reverse(name), label, key == current)
                      for name, label, key in REPORT_PAGES]}

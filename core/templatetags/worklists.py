"""Template filters for the work lists (issue 20)."""

from django import template

from core.worklists import url_with_id

register = template.Library()


@register.filter
def id_url(pk, viewname: str) -> str:
    """`{{ pk|id_url:"handoffs:detail" }}`: the address of a row's page, as `{% url viewname pk %}`
    gives it, without reversing it on every row (`core.worklists.url_with_id`)."""
    return url_with_id(viewname, pk)

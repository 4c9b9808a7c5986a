"""Roles are Django groups with stable codes (DOMAIN.md, "Who uses it").

Pages and selectors ask `has_role(user, Role.MANAGER)`; nobody compares group names by hand.
"""

from django.db import models


class Role(models.TextChoices):
    ADVISER = "adviser", "Front-office adviser"
    BACK_OFFICE = "back_office", "Back-office officer"
    COMPLAINTS_OFFICER = "complaints_officer", "Corporate complaints officer"
    SOCIAL_CARE_COMPLAINTS = (
        "social_care_complaints",
        "Social care complaints monitoring officer",
    )
    LEGAL = "legal", "Legal services"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Administrator"
    PARTNER = "partner", "Partner system"


STAFF_ROLES = frozenset(Role) - {Role.PARTNER}


def role_codes(user) -> frozenset[str]:
    """The user's role codes, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        cached = remember_role_codes(user, user.groups.values_list("name", flat=True))
    return cached


def remember_role_codes(user, group_names) -> frozenset[str]:
    """Cache on the user object the role codes of these group names (the user's groups, read
    with the user, e.g. by the API's token lookup), so that `role_codes` needs no query."""
    codes = frozenset(group_names)
    if user.is_superuser:
        codes |= {Role.ADMIN}
    user._role_codes = codes
    return codes


def has_role(user, *roles: str) -> bool:
    return bool(role_codes(user) & set(roles))


def is_staff_member(user) -> bool:
    return bool(role_codes(user) & STAFF_ROLES)

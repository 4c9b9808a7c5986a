"""Staff accounts that follow the council's directory (issue 21).

The rules, each in one place:
- who may sign in with a password (`local_password_allowed`): everyone while
  LOCAL_PASSWORDS_ENABLED, otherwise only the named break-glass accounts;
- which roles a person gets from the identity provider's claims (`directory_roles`): the values
  of the OIDC_ROLE_CLAIMS claims, mapped by OIDC_ROLE_MAP and the admin's directory role mappings;
- what a single sign-on does to the account (`staff_sign_in_from_directory`): creates it the first
  time, refreshes name, e-mail and roles every time, refuses a person with no mapped role;
- when an account ends (`staff_deactivate_unseen`): not signed in for STAFF_DEACTIVATE_AFTER_DAYS.

The OpenID Connect protocol itself (discovery, PKCE, state, nonce, the ID token's signature,
issuer, audience and expiry) is core/sso.py's; this module only sees verified claims.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import DirectoryRoleMapping, User
from core.roles import STAFF_ROLES, Role
from core.services import audit_record, audit_record_many

logger = logging.getLogger(__name__)

# Roles the directory may give. Partner keys are service accounts, never people.
DIRECTORY_ROLES = STAFF_ROLES


class Refusal:
    """Why a single sign-on was refused; each has its own explanation on the refusal page."""

    NO_ROLE = "no_role"
    ACCOUNT_CLOSED = "account_closed"
    NO_SUBJECT = "no_subject"


@dataclass(frozen=True)
class DirectorySignIn:
    """The outcome of a single sign-on: the user to sign in, or why not."""

    user: User | None
    refusal: str | None = None


def local_password_allowed(username: str) -> bool:
    """Whether a password may sign this username in (the sign-in form, the admin, the token
    endpoint): always while LOCAL_PASSWORDS_ENABLED; otherwise only a break-glass account, for
    when the identity provider is down (issue 21, "Accounts follow the directory")."""
    if settings.LOCAL_PASSWORDS_ENABLED:
        return True
    return username in settings.BREAK_GLASS_USERNAMES


def _claim_values(claims: dict) -> set[str]:
    values: set[str] = set()
    for claim in settings.OIDC_ROLE_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str):
            values.add(value)
        elif isinstance(value, list | tuple):
            values.update(item for item in value if isinstance(item, str))
    return values


def directory_roles(claims: dict) -> frozenset[str]:
    """The role codes the verified claims give: each value of the OIDC_ROLE_CLAIMS claims
    (Entra ID app roles, group object IDs) mapped by the OIDC_ROLE_MAP setting and by the
    admin's directory role mappings, both together."""
    values = _claim_values(claims)
    if not values:
        if "_claim_names" in claims and "groups" in claims.get("_claim_names", {}):
            # Entra ID leaves out `groups` for a member of too many groups ("overage").
            logger.warning("The ID token's groups claim was left out (too many groups): "
                           "map app roles instead (README, 'Single sign-on').")
        return frozenset()
    roles = {role for value, role in settings.OIDC_ROLE_MAP.items() if value in values}
    roles.update(DirectoryRoleMapping.objects.filter(claim_value__in=values)
                 .values_list("role", flat=True))
    return frozenset(str(role) for role in roles if role in DIRECTORY_ROLES)


def _names(claims: dict) -> tuple[str, str]:
    first, last = claims.get("given_name") or "", claims.get("family_name") or ""
    if not (first or last) and claims.get("name"):
        first, _, last = str(claims["name"]).partition(" ")
    return str(first)[:150], str(last)[:150]


def _email(claims: dict) -> str:
    email = claims.get("email") or ""
    if not email:
        # Entra ID sends `email` only when the optional claim is set up; the UPN usually is one.
        username = claims.get(settings.OIDC_USERNAME_CLAIM) or ""
        email = username if "@" in str(username) else ""
    return str(email)[:254]


def _free_username(claims: dict, subject: str) -> str:
    wanted = str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or subject)[:140]
    username, n = wanted, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{wanted}-{n}"
    return username


def _role_codes_held(user: User) -> list[str]:
    held = {code for code in user.groups.values_list("name", flat=True) if code in DIRECTORY_ROLES}
    return sorted(held | ({Role.ADMIN.value} if user.is_superuser else set()))


def _apply_roles(user: User, roles: frozenset[str]) -> None:
    """Make the (saved) user's roles exactly `roles`. Admin is the superuser flag, not a group."""
    user.groups.remove(*user.groups.filter(name__in=DIRECTORY_ROLES))
    user.groups.add(*[Group.objects.get_or_create(name=code)[0] for code in sorted(roles - {Role.ADMIN})])
    if hasattr(user, "_role_codes"):
        del user._role_codes  # core.roles caches them on the object


def staff_sign_in_from_directory(*, claims: dict, ip_address: str | None = None) -> DirectorySignIn:
    """A member of staff signed in through the council's identity provider (issue 21): the
    claims are the ID token's, already verified (core/sso.py).

    - The person is found by the OIDC_SUBJECT_CLAIM claim, never by e-mail or name (those can be
      changed, so matching on them would let one person take another's account).
    - First sign-in: the account is created, with name and e-mail from the claims and no usable
      password.
    - Every sign-in: name, e-mail and roles are set from the claims, so someone moved out of a
      team loses that access now, and an account closed as unseen opens again.
    - No mapped role: refused; an existing account loses the roles it had, and none is created.
    - An account an admin deactivated stays closed.
    """
    subject = claims.get(settings.OIDC_SUBJECT_CLAIM)
    if not isinstance(subject, str) or not subject:
        return DirectorySignIn(None, Refusal.NO_SUBJECT)
    roles = directory_roles(claims)
    try:
        with transaction.atomic():
            return _sign_in(subject, claims, roles, ip_address)
    except IntegrityError:
        # Two first sign-ins of one person at once (a double click): the other made the account.
        with transaction.atomic():
            return _sign_in(subject, claims, roles, ip_address)


def _sign_in(subject: str, claims: dict, roles: frozenset[str], ip_address) -> DirectorySignIn:
    user = User.objects.select_for_update().filter(directory_subject=subject).first()
    if user is not None and not user.is_active and user.deactivated_as_unseen_at is None:
        return DirectorySignIn(None, Refusal.ACCOUNT_CLOSED)
    if not roles:
        if user is not None and _role_codes_held(user):
            before = _role_codes_held(user)
            user.is_superuser = user.is_staff = False
            user.save(update_fields=["is_superuser", "is_staff"])
            _apply_roles(user, roles)
            audit_record(actor=user, action="directory_roles_removed", target=user,
                         changes={"roles": [before, []]}, ip_address=ip_address)
        return DirectorySignIn(None, Refusal.NO_ROLE)

    created = user is None
    if created:
        user = User(username=_free_username(claims, subject), directory_subject=subject)
        user.set_unusable_password()
        before = []
    else:
        before = _role_codes_held(user)
    changed = []
    first_name, last_name = _names(claims)
    for field, value in (("first_name", first_name), ("last_name", last_name),
                         ("email", _email(claims))):
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if not user.is_active:
        user.is_active, user.deactivated_as_unseen_at = True, None
        changed.append("is_active")
    user.is_superuser = user.is_staff = Role.ADMIN in roles
    user.save()
    _apply_roles(user, roles)
    # Field names and role codes only: never the person's name or e-mail (README, audit trail).
    audit_changes: dict = {"fields": changed}
    if before != sorted(roles):
        audit_changes["roles"] = [before, sorted(roles)]
    audit_record(actor=user, action="directory_account_created" if created else "directory_sign_in",
                 target=user, changes=audit_changes, ip_address=ip_address)
    return DirectorySignIn(user)


def staff_deactivate_unseen(*, now=None) -> int:
    """Close the accounts of staff not signed in for STAFF_DEACTIVATE_AFTER_DAYS (issue 21,
    "Accounts follow the directory"): a leaver removed from the directory can no longer sign
    in, so their account ends here too, and their open work shows for reassignment. Partner
    service accounts (they never sign in) and break-glass accounts are left alone; someone who
    never signed in counts from when the account was made. Returns how many were closed.
    Idempotent: a closed account is not closed again."""
    days = settings.STAFF_DEACTIVATE_AFTER_DAYS
    if days <= 0:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    unseen = (User.objects.filter(is_active=True)
              .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
              .exclude(groups__name=Role.PARTNER)
              .exclude(username__in=settings.BREAK_GLASS_USERNAMES))
    with transaction.atomic():
        ids = list(unseen.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0
        User.objects.filter(pk__in=ids).update(is_active=False, deactivated_as_unseen_at=now)
        audit_record_many({"actor": None, "action": "deactivated_as_unseen", "target": User(pk=pk),
                           "changes": {"is_active": [True, False], "after_days": days}, "at": now}
                          for pk in ids)
    logger.info("Deactivated staff accounts not signed in for %s days", days, extra={"count": len(ids)})
    return len(ids)

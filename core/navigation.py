"""What each app offers the page shell, without the shell importing the apps.

An app's AppConfig may define:
- `nav_items(user) -> list[NavItem]`: entries in the service navigation for this user;
- `attention_items(user) -> list[AttentionItem]`: counts on the home page that link to the work;
- `timeline_entries(customer, user) -> list[TimelineEntry]`: this app's records about a customer
  that `user` may see, for the customer 360 page and `GET /api/v1/customers/{id}/timeline/`
  (an entry without `url` is a read-only summary: its page would answer the user 404);
- `timeline_notes(customer, user) -> list[str]`: what the timeline leaves out for this user, said
  plainly (restricted cases);
- `customer_actions(customer, user) -> list[NavItem]`: what the user may do for a customer from
  the 360 page (log a contact, a complaint, a life event);
- `contact_entries(contact, user) -> list[TimelineEntry]`: this app's records that came from a
  contact (its hand-offs, the complaint it raised), for the contact's page;
- `seed_demo(command, rng, today, days)`: demo data for `manage.py seed_demo` (in app order).
The shell asks every installed app in INSTALLED_APPS order.
"""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50


@dataclass(frozen=True)
class AttentionItem:
    label: str
    count: int
    url: str
    hint: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class TimelineEntry:
    """One item on a customer's timeline: a contact, a hand-off, a complaint..."""

    type: str  # "contact", "handoff", "complaint"
    id: int
    at: datetime
    title: str
    url: str
    is_open: bool
    status: str = ""
    detail: str = ""


def _collect(hook: str, user) -> list:
    return _collect_with(hook, user)


def nav_items(user) -> list[NavItem]:
    return sorted(_collect("nav_items", user), key=lambda item: (item.order, item.label))


def attention_items(user) -> list[AttentionItem]:
    return _collect("attention_items", user)


def timeline_for(customer, user) -> list[TimelineEntry]:
    """Everything the apps hold about a customer that `user` may see, newest first."""
    entries = _collect_with("timeline_entries", customer, user)
    return sorted(entries, key=lambda entry: (entry.at, entry.type, entry.id), reverse=True)


def timeline_notes(customer, user) -> list[str]:
    return _collect_with("timeline_notes", customer, user)


def customer_actions(customer, user) -> list[NavItem]:
    return sorted(_collect_with("customer_actions", customer, user),
                  key=lambda item: (item.order, item.label))


def contact_entries(contact, user) -> list[TimelineEntry]:
    """What the apps hold that came from a contact and `user` may know of, oldest first."""
    entries = _collect_with("contact_entries", contact, user)
    return sorted(entries, key=lambda entry: (entry.at, entry.type, entry.id))


def _collect_with(hook: str, *args) -> list:
    items = []
    for config in apps.get_app_configs():
        provider = getattr(config, hook, None)
        if provider is not None:
            items.extend(provider(*args))
    return items

"""Demo customers and contacts for `manage.py seed_demo` (called from ContactsConfig.seed_demo).

About 250 customers in a metropolitan borough and about 30 contacts a working day: a plausible
channel mix (telephone 45%, face to face 20%, web 15%, email 10%, the rest letter, social media
and partner), most One & Done, a quarter or so avoidable with the NI14 reasons in realistic
proportions, and some customers chasing an enquiry still open (repeat contacts). Busier on
Mondays, after a bank holiday and after bills go out, at the times of day each channel is busy,
with handling times for the telephone and counters (contacts.demo_arrivals). Contacts that
call for a hand-off are left open for the hand-offs app's seed to hand off. Everything is drawn
from `rng`, so the same seed gives the same data; bulk inserts keep it to a second or two.
Runs only while there are no contacts at all, so running seed_demo again adds nothing.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contacts import demo_arrivals
from contacts.models import Contact, Customer, GazetteerAddress
from core.models import AvoidableReason, ChannelCode, EnquiryType, HandoffMethod, Site, User
from core.roles import Role
from core.working_days import calendar

CUSTOMERS = 250
CONTACTS_PER_WORKING_DAY = 30

CHANNELS = [  # (channel, weight)
    (ChannelCode.TELEPHONE, 45), (ChannelCode.FACE_TO_FACE, 20), (ChannelCode.WEB, 15),
    (ChannelCode.EMAIL, 10), (ChannelCode.LETTER, 4), (ChannelCode.SOCIAL_MEDIA, 3),
    (ChannelCode.PARTNER, 3),
]
AVOIDABLE_SHARE = 0.27
AVOIDABLE_REASONS = [  # (code, weight): progress chasing is the commonest failure demand
    ("progress_chasing", 34), ("seeking_clarification", 17), ("information_not_available", 16),
    ("wrong_department", 10), ("repeat_contact", 8), ("service_failure", 15),
]
SERVICE_WEIGHTS = {"council-tax": 4, "waste": 4, "benefits": 3, "housing": 2, "highways": 2,
                   # Life events are told once through the Tell Us Once page (insight.demo).
                   "tell-us-once": 0}
# Public contact that reaches a back-office team directly, logged there (issue 15): its share of
# the telephone, email and letter contacts about an enquiry type the team handles.
DIRECT_TO_BACK_OFFICE = 0.2
REPEAT_SHARE = 0.05

FIRST_NAMES = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophia", "Lily", "Freya", "Emily",
    "Aisha", "Fatima", "Zainab", "Priya", "Agnieszka", "Oliver", "George", "Noah", "Arthur",
    "Muhammad", "Leo", "Harry", "Oscar", "Jack", "Jacob", "Thomas", "William", "James", "Daniel",
    "Mohammed", "Ibrahim", "Tomasz", "Kwame", "Chidi", "Sean", "Margaret", "Patricia", "Brian",
    "Kevin", "Susan", "Janet", "Derek", "Pauline", "Gary", "Tracey",
]
LAST_NAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Khan", "Hussain", "Ahmed", "Begum", "Ali", "Kowalski",
    "Nowak", "O'Brien", "Murphy", "Okafor", "Mensah", "Nguyen", "Hughes", "Edwards", "Lees",
    "Ashworth", "Schofield", "Kenyon", "Buckley",
]
STREETS = [
    "Oak Street", "Stamford Street", "Old Street", "Penny Meadow", "Mossley Road", "Kings Road",
    "Market Street", "Grosvenor Street", "Lord Street", "Huddersfield Road", "Manchester Road",
    "Church Street", "Hyde Road", "Ashton Road", "Victoria Street", "Park Parade",
    "Cavendish Street", "Cross Street", "Chapel Street", "Mill Lane",
]
TOWNS = [  # (town, outward codes)
    ("Ashton-under-Lyne", ["OL6", "OL7"]), ("Stalybridge", ["SK15"]), ("Hyde", ["SK14"]),
    ("Denton", ["M34"]), ("Droylsden", ["M43"]), ("Dukinfield", ["SK16"]), ("Mossley", ["OL5"]),
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ACCESSIBILITY = [
    "Needs a Polish interpreter.", "Deaf: prefers email or text relay.", "Large print letters.",
    "Uses a wheelchair: ground-floor appointments.", "Urdu speaker; son interprets by consent.",
]
VULNERABILITY = [
    "Recently bereaved; lives alone.", "Mental health: speak slowly and confirm in writing.",
    "Care leaver, 19.", "Dementia: daughter has lasting power of attorney.",
    "Fleeing domestic abuse: never disclose the address.",
]
SUMMARIES = {
    "council-tax": ["Asked for the balance and paid by card.", "Queried the band on the new bill.",
                    "Moving out next month; gave forwarding address.",
                    "Applied for single person discount after partner moved out.",
                    "Arrears: agreed to discuss a payment plan."],
    "waste": ["Bin not emptied on collection day.", "Asked for the collection calendar.",
              "Booked a bulky collection for a sofa.", "Reported fly-tipping behind the shops.",
              "Needs a replacement blue bin; lid broken."],
    "benefits": ["Chasing the housing benefit claim.", "Reported a change of income.",
                 "Applying for free school meals for two children.", "Started a new claim."],
}
GENERIC_SUMMARIES = ["Asked about {about}.", "Enquiry about {about}; advised and explained next steps.",
                     "Reported a problem: {about}.", "{about}: customer wanted an update."]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _customers(rng, today: date) -> list[Customer]:
    now = timezone.now()
    customers = []
    for n in range(CUSTOMERS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        town, outwards = rng.choice(TOWNS)
        postcode = (f"{rng.choice(outwards)} {rng.randint(1, 9)}"
                    f"{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}")
        vulnerable = rng.random() < 0.06
        customers.append(Customer(
            first_name=first, last_name=last,
            date_of_birth=(date(rng.randint(1938, 2006), rng.randint(1, 12), rng.randint(1, 28))
                           if rng.random() < 0.6 else None),
            address_line_1=f"{rng.randint(1, 180)} {rng.choice(STREETS)}", town=town,
            postcode=postcode, uprn=str(100011000000 + n * 37 + rng.randint(0, 30)),
            # Ofcom's numbers reserved for drama: never a real person's.
            phone=(f"07700900{n:03d}" if rng.random() < 0.75 else f"0161496{n:04d}"),
            email=(f"{first}.{last}{n}@example.com".lower().replace("'", "")
                   if rng.random() < 0.7 else ""),
            preferred_channel=(rng.choice([c for c, _ in CHANNELS[:4]]) if rng.random() < 0.5 else ""),
            accessibility_needs=rng.choice(ACCESSIBILITY) if rng.random() < 0.08 else "",
            is_vulnerable=vulnerable,
            vulnerability_notes=rng.choice(VULNERABILITY) if vulnerable else "",
            consent_notes="Happy to be contacted by text message." if rng.random() < 0.3 else "",
            created_at=now - timedelta(days=rng.randint(100, 2000)), updated_at=now,
        ))
    return Customer.objects.bulk_create(customers, batch_size=500)


def _received_at(rng, day: date, now: datetime, profile) -> datetime | None:
    """A time on `day` when the channel with this half-hour profile is busy (None: not yet)."""
    slot = rng.choices(range(demo_arrivals.SLOTS), weights=profile, k=1)[0]
    moment = timezone.make_aware(datetime.combine(day, time(slot // 2, 30 * (slot % 2)))) + timedelta(
        seconds=rng.randrange(demo_arrivals.SLOT_SECONDS))
    return moment if moment < now else None


def _site(rng, channel, sites):
    if channel == ChannelCode.FACE_TO_FACE:
        return sites.get(rng.choice(["town-hall-csc", "town-hall-csc", "north-csc"]))
    if channel == ChannelCode.TELEPHONE:
        return sites.get("call-centre")
    if channel == ChannelCode.WEB:
        return sites.get("online")
    return None


def _summary(rng, enquiry_type) -> str:
    options = SUMMARIES.get(enquiry_type.service.code)
    if options and rng.random() < 0.6:
        return rng.choice(options)
    return rng.choice(GENERIC_SUMMARIES).format(about=enquiry_type.name.lower()).capitalize()


# Where the demo's towns are (WGS84), for the gazetteer's points.
TOWN_CENTRES = {"Ashton-under-Lyne": (53.4893, -2.0953), "Stalybridge": (53.4846, -2.0597),
                "Hyde": (53.4517, -2.0797), "Denton": (53.4569, -2.1144), "Droylsden": (53.4806, -2.1465),
                "Dukinfield": (53.4741, -2.0887), "Mossley": (53.5150, -2.0390)}


def _gazetteer(customers) -> int:
    """A small gazetteer: each demo customer's home and its neighbours on the same street and
    postcode (so a postcode lookup offers a few), with points about the town (issue 20, item 4).
    Its own random numbers, so the rest of the demo is what it was before the gazetteer."""
    rng = random.Random(len(customers))  # noqa: S311  # nosec B311 - demo data, not security
    addresses, seen = [], set()
    for customer in customers:
        number, street = customer.address_line_1.split(" ", 1)
        lat, long = TOWN_CENTRES.get(customer.town, (53.4893, -2.0953))
        lat, long = lat + rng.uniform(-0.01, 0.01), long + rng.uniform(-0.015, 0.015)
        for step in range(-2, 3):
            house = int(number) + 2 * step
            uprn = customer.uprn if step == 0 else str(200011000000 + customer.pk * 5 + step + 2)
            if house < 1 or uprn in seen:
                continue
            seen.add(uprn)
            addresses.append(GazetteerAddress(
                uprn=uprn, address_line_1=f"{house} {street}", town=customer.town,
                postcode=customer.postcode, latitude=Decimal(f"{lat + step * 0.0002:.6f}"),
                longitude=Decimal(f"{long + step * 0.0003:.6f}")))
    GazetteerAddress.objects.bulk_create(addresses, batch_size=1000, ignore_conflicts=True)
    return len(addresses)


@transaction.atomic
def seed_contacts(*, command, rng, today: date, days: int) -> int:
    if Contact.objects.exists():
        command.stdout.write("Contacts: already there, none added.")
        return 0
    enquiry_types = list(EnquiryType.objects.filter(is_active=True, service__is_active=True)
                         .select_related("service", "team__site").order_by("service__code", "code"))
    if not enquiry_types:
        command.stdout.write("Contacts: no service catalogue, none added.")
        return 0
    type_weights = [(et, SERVICE_WEIGHTS.get(et.service.code, 1)
                     * (6 if et.handoff_method == HandoffMethod.ONE_AND_DONE else 1))
                    for et in enquiry_types]
    reasons = {r.code: r for r in AvoidableReason.objects.all()}
    reason_weights = [(reasons[code], w) for code, w in AVOIDABLE_REASONS if code in reasons]
    sites = {s.code: s for s in Site.objects.all()}
    adviser = User.objects.filter(username=Role.ADVISER).first()
    officer = User.objects.filter(username=Role.BACK_OFFICE).first()
    customers = _customers(rng, today)
    command.stdout.write(f"Gazetteer: {_gazetteer(customers)} addresses.")
    cal, now = calendar(), timezone.now()
    shape = demo_arrivals.DayShape(cal, today)

    contacts = []
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        if not cal.is_working_day(day):
            continue
        # Mondays and the day after a bank holiday are busier; so is a service after its bills.
        busy = shape.channel_weight(day, ChannelCode.TELEPHONE) / 1.05
        day_types = [(et, weight * demo_arrivals.service_factor(et.service.code, day))
                     for et, weight in type_weights]
        for _ in range(round(busy * rng.randint(CONTACTS_PER_WORKING_DAY - 6, CONTACTS_PER_WORKING_DAY + 6))):
            channel = _weighted(rng, CHANNELS)
            received_at = _received_at(rng, day, now, shape.profile(day, channel))
            if received_at is None:
                continue
            contacts.append(_contact(rng, received_at, channel, _weighted(rng, day_types), customers,
                                     reason_weights, sites, adviser, officer))
    Contact.objects.bulk_create(contacts, batch_size=1000)
    repeats = _repeats(rng, contacts, reasons.get("progress_chasing"), cal, now, adviser, sites)
    Contact.objects.bulk_create(repeats, batch_size=1000)
    total = len(contacts) + len(repeats)
    avoidable = sum(c.avoidable for c in contacts) + len(repeats)
    command.stdout.write(f"Contacts: {len(customers)} customers, {total} contacts "
                         f"({avoidable * 100 // max(total, 1)}% avoidable, {len(repeats)} repeats).")
    return total


def _contact(rng, received_at, channel, enquiry_type, customers, reason_weights, sites,
             adviser, officer=None) -> Contact:
    by_adviser = channel not in (ChannelCode.WEB, ChannelCode.PARTNER)
    one_and_done = enquiry_type.handoff_method == HandoffMethod.ONE_AND_DONE
    avoidable = bool(reason_weights) and rng.random() < AVOIDABLE_SHARE
    anonymous = rng.random() < (0.35 if channel in (ChannelCode.WEB, ChannelCode.SOCIAL_MEDIA) else 0.12)
    site, handler = _site(rng, channel, sites), adviser if by_adviser else None
    team = enquiry_type.team
    if (officer is not None and team is not None and team.site_id
            and channel in (ChannelCode.TELEPHONE, ChannelCode.EMAIL, ChannelCode.LETTER)
            and rng.random() < DIRECT_TO_BACK_OFFICE):
        site, handler = team.site, officer
    return Contact(
        channel=channel, service=enquiry_type.service, enquiry_type=enquiry_type,
        customer=None if anonymous else rng.choice(customers),
        received_at=received_at, received_date=timezone.localtime(received_at).date(),
        site=site, handled_by=handler,
        summary=_summary(rng, enquiry_type),
        resolved_at_first_contact=one_and_done and rng.random() < 0.94,
        avoidable=avoidable, avoidable_reason=_weighted(rng, reason_weights) if avoidable else None,
        handoff_method=enquiry_type.handoff_method,
        source=(Contact.Source.SELF_SERVICE if channel == ChannelCode.WEB else
                Contact.Source.API if channel == ChannelCode.PARTNER else
                Contact.Source.BACK_OFFICE if handler is not None and handler == officer else
                Contact.Source.ADVISER),
        enquiry_closed_at=received_at if one_and_done else None,
        created_at=received_at, created_by=handler,
        handling_time_seconds=demo_arrivals.handling_time(rng, enquiry_type.service.code, channel),
    )


def _repeats(rng, contacts, progress_chasing, cal, now, adviser, sites) -> list[Contact]:
    """Customers ringing again about an enquiry still open, a few working days later."""
    if progress_chasing is None:
        return []
    open_ones = [c for c in contacts if c.customer_id and c.enquiry_closed_at is None]
    repeats = []
    for earlier in rng.sample(open_ones, k=min(len(open_ones), int(len(contacts) * REPEAT_SHARE))):
        day = cal.add_working_days(earlier.received_date, rng.randint(1, 6))
        received_at = _received_at(rng, day, now, demo_arrivals.DayShape(cal, day).profile(
            day, ChannelCode.TELEPHONE))
        if received_at is None or received_at <= earlier.received_at:
            continue
        repeats.append(Contact(
            channel=ChannelCode.TELEPHONE, service=earlier.service, enquiry_type=earlier.enquiry_type,
            customer=earlier.customer, received_at=received_at,
            received_date=timezone.localtime(received_at).date(), site=sites.get("call-centre"),
            handled_by=adviser, summary="Chasing: " + earlier.summary[0].lower() + earlier.summary[1:],
            resolved_at_first_contact=True, avoidable=True, avoidable_reason=progress_chasing,
            handoff_method=HandoffMethod.ONE_AND_DONE,
            handoff_override_reason=f"Chases contact {earlier.pk}, already with the back office.",
            source=Contact.Source.ADVISER, repeat_of=earlier, enquiry_closed_at=received_at,
            created_at=received_at, created_by=adviser,
            handling_time_seconds=demo_arrivals.handling_time(rng, earlier.service.code,
                                                              ChannelCode.TELEPHONE),
        ))
    return repeats

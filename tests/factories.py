"""factory-boy factories for the whole suite (no fixture files)."""

from datetime import timedelta

import factory
from django.utils import timezone

from contacts.models import Contact, Customer
from core.models import (
    AvoidableReason,
    ChannelCode,
    EnquiryType,
    HandoffMethod,
    Service,
    Site,
    Team,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")
    password = factory.django.Password("a-test-password-2026")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda t: t.code.replace("-", " ").title())


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"service-{n}")
    name = factory.LazyAttribute(lambda s: s.code.replace("-", " ").title())


class EnquiryTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnquiryType

    service = factory.SubFactory(ServiceFactory)
    code = factory.Sequence(lambda n: f"enquiry-{n}")
    name = factory.LazyAttribute(lambda e: e.code.replace("-", " ").title())
    handoff_method = HandoffMethod.ONE_AND_DONE
    team = None
    target_working_days = 0

    class Params:
        fire_and_forget = factory.Trait(
            handoff_method=HandoffMethod.FIRE_AND_FORGET,
            team=factory.SubFactory(TeamFactory),
            target_working_days=5,
        )
        customer_advocate = factory.Trait(
            handoff_method=HandoffMethod.CUSTOMER_ADVOCATE,
            team=factory.SubFactory(TeamFactory),
            target_working_days=5,
        )


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = "call-centre"
    name = "Contact Centre"
    kind = Site.Kind.CALL_CENTRE


# Surnames the tests give their customers: a factory-made customer never gets one by chance, so a
# test's search for "Buckley" finds its own Buckleys only (a random Philip Buckley once failed one).
NAMED_IN_TESTS = frozenset("""
    Aaronson Babbage Begum Bello Buckingham Buckley Buckleyson Byron Colleague Complainer Doorway Else
    Erase Grainger Heywood Hughes Jones Journeyfinder Journeyman Khan Leaver Lees Lovelace Matrix
    Merryweather Murphy Officer Okafor Owner Person Quenby Quill Reed Reportable Senior Sentinel Smith
    Smithson Smyth Surveyed Tellusonce Together Whitworth Wrong Young Zeller
""".split())


def _surname() -> str:
    """A random British surname (factory_boy's Faker, seeded per test), none a test names."""
    fake = factory.Faker._get_faker(locale="en_GB")
    while (name := fake.last_name()) in NAMED_IN_TESTS:
        pass
    return name


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.LazyFunction(_surname)
    address_line_1 = factory.Faker("street_address", locale="en_GB")
    town = "Ashton-under-Lyne"
    postcode = factory.Sequence(lambda n: f"OL{n % 9 + 1} {n % 10}AB")
    uprn = factory.Sequence(lambda n: f"{100012345000 + n}")
    phone = factory.Sequence(lambda n: f"07700{900000 + n}")
    email = factory.LazyAttribute(
        lambda c: f"{c.first_name}.{c.last_name}@example.com".lower().replace(" ", "")
    )
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda c: c.created_at)


def avoidable_reason(code: str = "progress_chasing") -> AvoidableReason:
    return AvoidableReason.objects.get(code=code)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    channel = ChannelCode.TELEPHONE
    service = factory.SubFactory(ServiceFactory)
    enquiry_type = factory.SubFactory(
        EnquiryTypeFactory, service=factory.SelfAttribute("..service")
    )
    customer = factory.SubFactory(CustomerFactory)
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    received_date = factory.LazyAttribute(lambda c: timezone.localtime(c.received_at).date())
    summary = factory.Faker("sentence")
    resolved_at_first_contact = True
    avoidable = False
    avoidable_reason = None
    handoff_method = factory.LazyAttribute(
        lambda c: c.enquiry_type.handoff_method if c.enquiry_type else HandoffMethod.ONE_AND_DONE
    )
    created_at = factory.LazyFunction(timezone.now)

    class Params:
        is_avoidable = factory.Trait(
            avoidable=True,
            avoidable_reason=factory.LazyFunction(avoidable_reason),
        )

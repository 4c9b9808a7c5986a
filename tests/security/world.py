"""One of each kind of record, and one client per actor, for the security tests.

`build_world()` makes: two back-office teams (the back-office officer is in team A only), a
customer, a One & Done contact, a Customer Advocate hand-off in team A (the adviser is its
advocate), a Fire and Forget hand-off in team B, a partner's contact with its hand-off in team A,
another partner's contact and hand-off, a corporate complaint, a corporate complaint that came via
the Ombudsman (Legal Services' cases) and a statutory complaint.
"""

from dataclasses import dataclass, field

from django.test import Client

from complaints import services as complaint_services
from complaints.models import Process
from contacts.models import Contact
from core.models import ChannelCode, HandoffMethod
from core.roles import Role
from core.services import api_token_create, partner_token_create
from intake.services import contact_log
from tests.factories import CustomerFactory, EnquiryTypeFactory, ServiceFactory, TeamFactory
from tests.handoffs.factories import user_with

STAFF = (
    Role.ADVISER,
    Role.BACK_OFFICE,
    Role.COMPLAINTS_OFFICER,
    Role.SOCIAL_CARE_COMPLAINTS,
    Role.LEGAL,
    Role.MANAGER,
    Role.ADMIN,
)
ACTORS = ("anon", *[str(role) for role in STAFF], "partner")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def client(self, actor: str, path: str) -> Client:
        """A page client signed in as the actor; API paths get the actor's API key instead.
        Partner keys are sent to pages too: they must not open them."""
        headers = {}
        if actor in self.keys and (path.startswith(("/api/", "/open311/")) or actor == "partner"):
            headers["Authorization"] = f"Token {self.keys[actor]}"
        client = Client(raise_request_exception=False, headers=headers)
        if actor in self.users and actor != "partner" and not path.startswith(("/api/", "/open311/")):
            client.force_login(self.users[actor])
        return client


def _staff_user(role: str):
    user = user_with(None if role == Role.ADMIN else role, username=f"matrix-{role}")
    if role == Role.ADMIN:
        user.is_superuser = True
        user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    if role == Role.COMPLAINTS_OFFICER:
        # The matrix allocates the premature Ombudsman complaint to them, which only a senior
        # officer may own (issue 18).
        user.is_senior_officer = True
        user.save(update_fields=["is_senior_officer"])
    return user


def build_world() -> World:
    world = World()
    tokens = {}
    for role in STAFF:
        world.users[str(role)] = _staff_user(role)
        tokens[str(role)], world.keys[str(role)] = api_token_create(user=world.users[str(role)],
                                                                     name="matrix")
    token, world.keys["partner"] = partner_token_create(name="matrix partner")
    world.users["partner"] = token.user
    other_token, _ = partner_token_create(name="other partner")

    team_a = TeamFactory(code="team-a", name="Team A", lead=world.users[Role.MANAGER])
    team_a.members.add(world.users[Role.BACK_OFFICE])
    team_b = TeamFactory(code="team-b", name="Team B")
    service = ServiceFactory(code="waste", name="Waste")
    one_and_done = EnquiryTypeFactory(service=service, code="bin-days")
    advocate_type = EnquiryTypeFactory(service=service, code="missed-bin",
                                       handoff_method=HandoffMethod.CUSTOMER_ADVOCATE,
                                       team=team_a, target_working_days=5)
    team_b_type = EnquiryTypeFactory(service=service, code="bulky",
                                     handoff_method=HandoffMethod.FIRE_AND_FORGET,
                                     team=team_b, target_working_days=5)
    customer = CustomerFactory(first_name="Ada", last_name="Matrix")
    duplicate = CustomerFactory(first_name="Ada", last_name="Matrix")  # for the merge page (issue 20)

    def log(actor, enquiry_type, source=Contact.Source.ADVISER):
        return contact_log(actor=actor, channel=ChannelCode.TELEPHONE, service=service,
                           enquiry_type=enquiry_type, customer=customer,
                           summary="Bin not collected.", source=source)

    adviser = world.users[Role.ADVISER]
    contact = log(adviser, one_and_done).contact
    handoff_a = log(adviser, advocate_type).handoff
    handoff_b = log(user_with(Role.ADVISER), team_b_type).handoff
    partner_contact = log(world.users["partner"], advocate_type, Contact.Source.API)
    other_partner_contact = log(other_token.user, advocate_type, Contact.Source.API)

    corporate = complaint_services.complaint_create(
        actor=None, customer=customer, service=service, summary="Bins.", process=Process.CORPORATE)
    ombudsman = complaint_services.complaint_create(
        actor=None, customer=customer, service=service, summary="Went to the Ombudsman first.",
        process=Process.CORPORATE, via_ombudsman=True, ombudsman_reference="LGO/1")
    statutory = complaint_services.complaint_create(
        actor=None, customer=customer, service=service, summary="Care package.",
        process=Process.STATUTORY)

    # A subject access export the manager asked for, ready to download (issue 17).
    from datetime import timedelta

    from django.utils import timezone

    from contacts.models import SubjectAccessExport

    manager_export = SubjectAccessExport.objects.create(
        customer=customer, requested_by=world.users[Role.MANAGER], requested_at=timezone.now(),
        status=SubjectAccessExport.Status.READY, ready_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7), archive=b"PK", archive_bytes=2)

    from contacts.models import PersonalDataRequest

    data_request = PersonalDataRequest.objects.create(
        customer=customer, kind=PersonalDataRequest.Kind.ERASURE, recorded_by=world.users[Role.ADMIN],
        recorded_at=timezone.now())
    letter = complaint_services.complaint_letter_send(
        complaint=corporate, actor=None, kind="acknowledgement", stage="1", subject="Received",
        body="We have your complaint.", channel="email")

    # A photo each hand-off's contact arrived with (issue 20): only those who may see the
    # hand-off may see it.
    from contacts import photos
    from tests.photos import png

    def photo_of(handoff):
        stored = photos.photo_store(photos.photo_clean(png()))
        return photos.contact_photos_attach(contact=handoff.contact, photos=[stored])[0]

    handoff_photo, other_team_photo = photo_of(handoff_a), photo_of(handoff_b)

    world.ids = {
        "handoff_photo": handoff_photo.pk,
        "other_team_photo": other_team_photo.pk,
        "customer": customer.pk,
        "manager_export": manager_export.pk,
        "data_request": data_request.pk,
        "duplicate": duplicate.pk,
        "contact": contact.pk,
        "partner_contact": partner_contact.contact.pk,
        "handoff": handoff_a.pk,
        "handoff_other_team": handoff_b.pk,
        "handoff_partner": partner_contact.handoff.pk,
        "handoff_other_partner": other_partner_contact.handoff.pk,
        "corporate": corporate.pk,
        "ombudsman": ombudsman.pk,
        "statutory": statutory.pk,
        "corporate_letter": letter.pk,
        "missing": 987654,
        "team_a": team_a.pk,
        "back_office_id": world.users[Role.BACK_OFFICE].pk,
        "complaints_officer": world.users[Role.COMPLAINTS_OFFICER].username,
        "social_care_complaints": world.users[Role.SOCIAL_CARE_COMPLAINTS].username,
        "adviser_api_key": tokens[Role.ADVISER].pk,
    }
    return world

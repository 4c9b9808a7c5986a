import pytest

from core.services import api_token_create, partner_token_create
from open311.models import Open311Attribute, Open311Service
from tests.factories import EnquiryTypeFactory, ServiceFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def partner_key(db):
    return partner_token_create(name="Street App")[1]


@pytest.fixture
def staff_key(db):
    return api_token_create(user=UserFactory(), name="staff")[1]


@pytest.fixture
def pothole(db):
    """A Fire and Forget enquiry type offered as Open311 service `pothole`, with a required
    single-value question and an optional multi-value one."""
    highways = ServiceFactory(code="highways", name="Highways")
    team = TeamFactory(code="highways-maintenance", name="Highways Maintenance")
    enquiry_type = EnquiryTypeFactory(service=highways, code="pothole", name="Pothole",
                                      handoff_method="fire_and_forget", team=team,
                                      target_working_days=5)
    service = Open311Service.objects.create(
        enquiry_type=enquiry_type, service_code="pothole", description="A hole in the road.",
        keywords="road, hole", group="street", service_notice="We inspect within 5 working days.")
    Open311Attribute.objects.create(
        service=service, code="depth", datatype="singlevaluelist", required=True, order=1,
        description="How deep is it?",
        values=[{"key": "shallow", "name": "Under 40mm"}, {"key": "deep", "name": "40mm or more"}])
    Open311Attribute.objects.create(
        service=service, code="hazards", datatype="multivaluelist", required=False, order=2,
        description="Anything else?",
        values=[{"key": "cyclists", "name": "On a cycle route"}, {"key": "school", "name": "Near a school"}])
    Open311Attribute.objects.create(
        service=service, code="note", variable=False, datatype="text", order=3,
        description="Please do not stand in the road to take a photo.")
    return service


@pytest.fixture
def gritting(db):
    """A One & Done enquiry type offered without questions."""
    highways = ServiceFactory(code="highways", name="Highways")
    enquiry_type = EnquiryTypeFactory(service=highways, code="gritting", name="Gritting")
    return Open311Service.objects.create(enquiry_type=enquiry_type, service_code="gritting",
                                         group="street")

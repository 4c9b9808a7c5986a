import pytest
from django.core.cache import cache

from core.models import Site
from selfservice.models import Kind, SelfServiceOffer
from tests.factories import EnquiryTypeFactory, ServiceFactory, TeamFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limits count in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(db):
    """A problem handed off to Waste Operations, a One & Done request, a withdrawn offer, and the
    online site."""
    waste = ServiceFactory(code="waste", name="Waste and Recycling")
    team = TeamFactory(code="waste-operations", name="Waste Operations")
    missed = EnquiryTypeFactory(service=waste, code="missed-bin", name="Missed bin",
                                handoff_method="fire_and_forget", team=team, target_working_days=2)
    bulky = EnquiryTypeFactory(service=waste, code="bulky", name="Bulky collection")
    retired = EnquiryTypeFactory(service=waste, code="old", name="Old thing")
    Site.objects.get_or_create(code="online", defaults={"name": "Website", "kind": Site.Kind.ONLINE})
    return {
        "waste": waste,
        "missed": SelfServiceOffer.objects.create(enquiry_type=missed, kind=Kind.PROBLEM,
                                                  title="A missed bin", order=1),
        "bulky": SelfServiceOffer.objects.create(enquiry_type=bulky, kind=Kind.REQUEST,
                                                 title="A bulky collection", order=2),
        "withdrawn": SelfServiceOffer.objects.create(enquiry_type=retired, kind=Kind.PROBLEM,
                                                     title="Withdrawn", is_active=False),
    }

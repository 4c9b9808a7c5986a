import pytest

from core.models import HandoffMethod
from tests.factories import EnquiryTypeFactory, ServiceFactory, SiteFactory, TeamFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories set real passwords; the default hasher makes every user cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalogue(db):
    """A small catalogue: waste (One & Done, Fire and Forget and Customer Advocate types) and
    council tax (One & Done), the waste team with its own site, and the contact centre."""
    waste = ServiceFactory(code="waste", name="Waste and Recycling")
    council_tax = ServiceFactory(code="council-tax", name="Council Tax")
    office = SiteFactory(code="waste-office", name="Waste Operations office", kind="back_office")
    team = TeamFactory(code="waste-operations", name="Waste Operations", site=office)
    return {
        "waste": waste,
        "council_tax": council_tax,
        "team": team,
        "team_site": office,
        "collection_days": EnquiryTypeFactory(service=waste, code="collection-days",
                                              name="Collection days"),
        "missed_bin": EnquiryTypeFactory(service=waste, code="missed-bin", name="Missed bin collection",
                                         handoff_method=HandoffMethod.FIRE_AND_FORGET, team=team,
                                         target_working_days=2),
        "new_bin": EnquiryTypeFactory(service=waste, code="new-bin", name="New or replacement bin",
                                      handoff_method=HandoffMethod.CUSTOMER_ADVOCATE, team=team,
                                      target_working_days=10),
        "balance": EnquiryTypeFactory(service=council_tax, code="balance-enquiry",
                                      name="Balance or payment enquiry"),
        "site": SiteFactory(),
    }

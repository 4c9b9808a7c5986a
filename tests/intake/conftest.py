from importlib import import_module

import pytest
from django.apps import apps

from core.models import HandoffMethod
from tests.factories import EnquiryTypeFactory, ServiceFactory, SiteFactory, TeamFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories set real passwords; the default hasher makes every user cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalogue(db):
    """A small catalogue: waste (One & Done, Fire and Forget and Customer Advocate types) and
    council tax (One & Done), the waste team with its own site, and the contact centre. The NI14
    reasons and channel costs are the reference data's (loaded again: a test that commits and
    flushes may have taken them)."""
    import_module("core.migrations.0002_roles_reference_data_audit_guard").forwards(apps, None)
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

"""The demo catalogue seeds (idempotent) and the admin pages of the Open311 and self-service
catalogue, which an admin uses to choose what is offered."""

from open311.demo import seed_open311
from open311.models import Open311Attribute, Open311Service
from selfservice.demo import seed_self_service
from selfservice.models import SelfServiceOffer
from tests.factories import EnquiryTypeFactory, ServiceFactory, TeamFactory


def _demo_types():
    highways = ServiceFactory(code="highways")
    waste = ServiceFactory(code="waste")
    team = TeamFactory(code="highways-maintenance")
    EnquiryTypeFactory(service=highways, code="pothole", handoff_method="fire_and_forget", team=team)
    EnquiryTypeFactory(service=waste, code="missed-bin", handoff_method="fire_and_forget", team=team)
    EnquiryTypeFactory(service=waste, code="new-bin", handoff_method="fire_and_forget", team=team)


def test_demo_seeds_offer_the_types_that_exist_once(db):
    _demo_types()
    assert seed_open311() == 2 and seed_open311() == 0
    assert sorted(Open311Service.objects.values_list("service_code", flat=True)) == ["missed_bin", "pothole"]
    assert Open311Attribute.objects.filter(service__service_code="pothole", required=True).exists()
    assert seed_self_service() == 3 and seed_self_service() == 0
    assert set(SelfServiceOffer.objects.values_list("kind", flat=True)) == {"problem", "request"}


def test_admin_pages_of_the_catalogue(client_for, db):
    _demo_types()
    seed_open311()
    seed_self_service()
    admin = client_for("admin")
    service = Open311Service.objects.get(service_code="pothole")
    offer = SelfServiceOffer.objects.order_by("pk").first()
    for url in ["/admin/open311/open311service/", f"/admin/open311/open311service/{service.pk}/change/",
                "/admin/open311/open311request/", "/admin/selfservice/selfserviceoffer/",
                f"/admin/selfservice/selfserviceoffer/{offer.pk}/change/",
                "/admin/selfservice/selfservicesubmission/"]:
        assert admin.get(url).status_code == 200, url
    assert admin.get("/admin/open311/open311request/add/").status_code == 403

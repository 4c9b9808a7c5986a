"""The complaints register as a work list (issue 20, item 1): search by reference, name, postcode
and UPRN; allocated to me / not allocated; server-side sort; numbered pages with counts; a fixed
number of queries per page (the working-day calendar is built once a page, not once a row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Process
from core.roles import Role
from tests.complaints.factories import complaint, walk
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list[int]:
    return [c.pk for c, _ in response.context["rows"]]


def test_register_search_by_reference_name_postcode_uprn(client_for):
    client = client_for(Role.COMPLAINTS_OFFICER)
    grace = CustomerFactory(first_name="Grace", last_name="Buckley", postcode="SK16 4XY", uprn="100012999001")
    arthur = CustomerFactory(first_name="Arthur", last_name="Buckley", postcode="SK14 2AA")
    hers, his, other = complaint(customer=grace), complaint(customer=arthur), complaint()
    hidden = complaint(customer=grace, process=Process.STATUTORY)
    assert set(listed(client.get("/complaints/?q=buckley"))) == {hers.pk, his.pk}
    assert listed(client.get("/complaints/?q=grace+buckley")) == [hers.pk]
    assert listed(client.get("/complaints/?q=sk164xy")) == [hers.pk]
    assert listed(client.get("/complaints/?q=100012999001")) == [hers.pk]
    assert listed(client.get(f"/complaints/?q={other.reference}")) == [other.pk]
    assert listed(client.get(f"/complaints/?q={other.reference.lower()}")) == [other.pk]
    assert listed(client.get(f"/complaints/?q={hidden.reference}")) == []  # statutory: not theirs
    assert listed(client.get("/complaints/?q=" + "x" * 101)) != [hers.pk]  # too long: ignored, no 500


def test_register_allocated_to_me_and_not_allocated(client_for):
    client = client_for(Role.COMPLAINTS_OFFICER)
    mine = walk(complaint(), ["allocate"])
    mine.assigned_to = client.user
    mine.save()
    theirs = walk(complaint(), ["allocate"])
    waiting = complaint()
    assert listed(client.get("/complaints/?assigned=me")) == [mine.pk]
    assert listed(client.get("/complaints/?assigned=none")) == [waiting.pk]
    assert set(listed(client.get("/complaints/"))) == {mine.pk, theirs.pk, waiting.pk}


def test_register_sorts_on_the_server(client_for):
    client = client_for(Role.MANAGER)
    first, second, third = complaint(), complaint(), complaint()
    assert listed(client.get("/complaints/")) == [third.pk, second.pk, first.pk]  # newest first
    assert listed(client.get("/complaints/?sort=reference&order=asc")) == [first.pk, second.pk, third.pk]
    html = client.get("/complaints/?sort=reference&order=asc").content.decode()
    assert 'aria-sort="ascending"' in html


def test_register_pages_with_counts(client_for):
    client = client_for(Role.MANAGER)
    for _ in range(52):
        complaint()
    html = client.get("/complaints/?process=corporate").content.decode()
    assert "Showing 1 to 50 of 52 complaints" in html
    html = client.get("/complaints/?process=corporate&page=2").content.decode()
    assert "Showing 51 to 52 of 52 complaints" in html


def test_register_queries_do_not_grow_with_rows(client_for):
    client = client_for(Role.MANAGER)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/complaints/?sort=due").status_code == 200
        return len(captured)

    walk(complaint(), ["allocate"])
    count()
    few = count()
    for _ in range(5):
        walk(complaint(), ["allocate"])
    assert count() == few


@pytest.mark.parametrize(("role", "status"), [
    (Role.COMPLAINTS_OFFICER, 200), (Role.SOCIAL_CARE_COMPLAINTS, 200), (Role.LEGAL, 200),
    (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.ADVISER, 404), (Role.BACK_OFFICE, 404)])
def test_register_search_per_role(client_for, role, status):
    assert client_for(role).get("/complaints/?q=buckley&assigned=me&sort=due").status_code == status

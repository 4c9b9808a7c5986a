"""The new-complaint form shows the customer chosen by number, never another one whose phone
number happens to contain those digits (customer numbers grow, and every 07700 number holds
"7700": the page used to pick whichever matching customer sorted first)."""

import re

import pytest

from core.roles import Role
from tests.factories import CustomerFactory


@pytest.mark.django_db
def test_the_chosen_customer_is_the_one_with_that_number(client_for):
    chosen = CustomerFactory(first_name="Petra", last_name="Zeller", phone="")
    CustomerFactory(first_name="Anna", last_name="Aaronson", phone=f"0{chosen.pk}0 900123")
    page = client_for(Role.COMPLAINTS_OFFICER).get(f"/complaints/new/?customer={chosen.pk}")
    assert page.status_code == 200
    card = re.search(r'<div class="govuk-summary-card" id="chosen-customer">(.*?)</dl>',
                     page.content.decode(), re.S)
    assert card and "Petra Zeller" in card.group(1) and "Aaronson" not in card.group(1)


@pytest.mark.django_db
def test_the_chosen_customer_is_shown_with_date_of_birth_and_address_to_confirm(client_for):
    chosen = CustomerFactory(first_name="Grace", last_name="Buckley", address_line_1="4 Mill Lane",
                             town="Stalybridge", postcode="SK15 9ZQ", date_of_birth="1961-04-12")
    page = client_for(Role.COMPLAINTS_OFFICER).get(f"/complaints/new/?customer={chosen.pk}")
    card = re.search(r'id="chosen-customer">(.*?)</dl>', page.content.decode(), re.S).group(1)
    for shown in ("Grace Buckley", "12 April 1961", "4 Mill Lane", "Stalybridge", "SK15 9ZQ"):
        assert shown in card


@pytest.mark.django_db
def test_complaint_search_lists_exact_first_last_before_surname_matches(client_for):
    arthur = CustomerFactory(first_name="Arthur", last_name="Buckley", date_of_birth="1948-09-30")
    grace = CustomerFactory(first_name="Grace", last_name="Buckley", date_of_birth="1961-04-12",
                            address_line_1="4 Mill Lane")
    graceful = CustomerFactory(first_name="Gracey", last_name="Buckleyson")
    page = client_for(Role.COMPLAINTS_OFFICER).get("/complaints/new/?q=grace+buckley")
    assert [c.pk for c in page.context["matches"]][:2] == [grace.pk, graceful.pk]
    assert arthur.pk not in [c.pk for c in page.context["matches"]]  # both words must match
    html = page.content.decode()
    assert "12 Apr 1961" in html and "4 Mill Lane" in html
    page = client_for(Role.COMPLAINTS_OFFICER).get("/complaints/new/?q=buckley")
    # The exact surname first (in name order), then the looser matches.
    assert [c.pk for c in page.context["matches"]] == [arthur.pk, grace.pk, graceful.pk]
    page = client_for(Role.COMPLAINTS_OFFICER).get(f"/complaints/new/?q={grace.pk}")
    assert page.context["matches"][0] == grace

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
    inset = re.search(r'<div class="govuk-inset-text">(.*?)</div>', page.content.decode(), re.S)
    assert inset and "Petra Zeller" in inset.group(1) and "Aaronson" not in inset.group(1)

"""What makes the work lists cheap to draw (issue 20, the 100 ms target), held to the behaviour
the pages had: a list of ids filters as one array parameter on PostgreSQL and finds the same rows
everywhere; a select reads its model choices once, with the chosen option marked; the status,
deadline and clock tags say what the template includes said."""

from datetime import date

import pytest
from django import forms
from django.db import connection
from django.db.models import Q
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.safestring import mark_safe

from complaints.models import Complaint
from complaints.templatetags.complaints_tags import complaint_clock_tag
from contacts.models import Customer
from core.models import Service
from core.worklists import url_with_id
from handoffs.models import Handoff
from handoffs.templatetags.handoffs_tags import handoff_deadline_tag, handoff_status_tag
from tests.complaints.factories import complaint
from tests.factories import CustomerFactory, ServiceFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array parameter")


# --- field__in_array=ids ----------------------------------------------------------------------

def test_in_array_finds_exactly_the_listed_rows_on_every_database():
    grace, arthur, other = CustomerFactory(), CustomerFactory(), CustomerFactory()
    hers, his = complaint(customer=grace), complaint(customer=arthur)
    complaint(customer=other)
    found = Complaint.objects.filter(customer_id__in_array=[grace.pk, arthur.pk, 10**12])
    assert set(found.values_list("pk", flat=True)) == {hers.pk, his.pk}
    assert set(Customer.objects.filter(pk__in_array=[other.pk]).values_list("pk", flat=True)) == {other.pk}


def test_in_array_with_no_ids_finds_nothing_and_leaves_an_or_to_its_other_side():
    wanted = complaint()
    complaint()
    assert not Complaint.objects.filter(customer_id__in_array=[]).exists()
    either = Complaint.objects.filter(Q(customer_id__in_array=[]) | Q(pk=wanted.pk))
    assert list(either.values_list("pk", flat=True)) == [wanted.pk]


@on_postgresql
def test_in_array_sends_a_thousand_ids_as_one_parameter_typed_as_the_column():
    ids = list(range(1, 1001))
    sql, params = Complaint.objects.filter(customer_id__in_array=ids).query.sql_with_params()
    assert '"customer_id" = ANY(%s::bigint[])' in sql
    assert params == (ids,)
    # An integer column of its own type (the hand-offs' copy of the customer is a bigint too).
    sql, _ = Handoff.objects.filter(contact_customer_id__in_array=ids).query.sql_with_params()
    assert '"contact_customer_id" = ANY(%s::bigint[])' in sql


def test_in_array_refuses_what_is_not_an_id():
    with pytest.raises((TypeError, ValueError)):
        list(Complaint.objects.filter(customer_id__in_array=["C000001"]))


# --- a select's options -----------------------------------------------------------------------

class _Pick(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.order_by("name"), required=False,
                                     empty_label="Any service")
    size = forms.ChoiceField(choices=[("s", "Small"), ("m", "Medium"), ("l", "Large")], required=False)


_SELECT = engines["django"].from_string("{% load govuk %}{{ field|select_options }}")


def test_a_model_choice_select_reads_its_rows_in_one_query_with_the_chosen_one_marked():
    ServiceFactory(name="Bins & <Recycling>"), ServiceFactory(name="Parking")
    bins, parking = Service.objects.get(name="Bins & <Recycling>"), Service.objects.get(name="Parking")
    form = _Pick({"service": str(parking.pk)})
    with CaptureQueriesContext(connection) as captured:
        html = _SELECT.render({"field": form["service"]})
    assert len(captured) == 1  # no count first, no server-side cursor
    assert not captured[0]["sql"].upper().startswith(("DECLARE", "SELECT COUNT"))
    assert html == (f'<option value="">Any service</option>'
                    f'<option value="{bins.pk}">Bins &amp; &lt;Recycling&gt;</option>'
                    f'<option value="{parking.pk}" selected>Parking</option>')


def test_a_plain_select_marks_the_submitted_value_and_an_unbound_one_marks_none():
    chosen = _SELECT.render({"field": _Pick({"size": "m"})["size"]})
    assert chosen == ('<option value="s">Small</option><option value="m" selected>Medium</option>'
                      '<option value="l">Large</option>')
    assert " selected" not in _SELECT.render({"field": _Pick()["size"]})


def test_select_values_and_labels_are_escaped_and_safe_labels_kept():
    class Odd(forms.Form):
        pick = forms.ChoiceField(choices=[('"><script>', "<b>bold</b>"), ("ok", mark_safe("<i>kept</i>"))])

    html = _SELECT.render({"field": Odd({"pick": "ok"})["pick"]})
    assert html == ('<option value="&quot;&gt;&lt;script&gt;">&lt;b&gt;bold&lt;/b&gt;</option>'
                    '<option value="ok" selected><i>kept</i></option>')


def test_a_select_of_thousands_of_officers_is_one_query():
    """The register's bulk allocation lists every member of staff who may own a complaint."""
    from complaints.forms import BulkAllocateForm
    from complaints.selectors import officers_for_allocation
    from core.models import User

    User.objects.bulk_create([User(username=f"officer{i}", first_name=f"Officer{i}", last_name="Staff",
                                   password="!") for i in range(300)])
    form = BulkAllocateForm(officers=officers_for_allocation())
    with CaptureQueriesContext(connection) as captured:
        html = _SELECT.render({"field": form["officer"]})
    assert len(captured) == 1
    assert html.count("<option") == officers_for_allocation().count() + 1


# --- the tags drawn on every row ---------------------------------------------------------------

@pytest.mark.parametrize("status, colour, text", [
    ("open", "govuk-tag--blue", "Open"),
    ("in_progress", "govuk-tag--light-blue", "In progress"),
    ("resolved", "govuk-tag--green", "Resolved"),
])
def test_hand_off_status_tag(status, colour, text):
    assert handoff_status_tag(Handoff(status=status)) == f'<strong class="govuk-tag {colour}">{text}</strong>'


def test_hand_off_deadline_tag_from_the_lists_annotations():
    late, soon, later = Handoff(), Handoff(), Handoff()
    late.is_overdue, late.is_due_soon = True, False
    soon.is_overdue, soon.is_due_soon = False, True
    later.is_overdue, later.is_due_soon = False, False
    assert handoff_deadline_tag(late) == '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'
    assert handoff_deadline_tag(soon) == '<strong class="govuk-tag govuk-tag--yellow">Due soon</strong>'
    assert handoff_deadline_tag(later) == ""
    assert handoff_deadline_tag(Handoff()) == ""  # not annotated: no tag, never an error


@pytest.mark.parametrize("clock, html", [
    (None, '<span class="govuk-body-s">No clock running</span>'),
    ({"overdue": True, "overdue_by": 1, "days_left": 0},
     '<strong class="govuk-tag govuk-tag--red">Overdue by 1 working day</strong>'),
    ({"overdue": True, "overdue_by": 3, "days_left": 0},
     '<strong class="govuk-tag govuk-tag--red">Overdue by 3 working days</strong>'),
    ({"overdue": False, "overdue_by": 0, "days_left": 0},
     '<strong class="govuk-tag govuk-tag--orange">Due today</strong>'),
    ({"overdue": False, "overdue_by": 0, "days_left": 2},
     '<strong class="govuk-tag govuk-tag--orange">2 working days left</strong>'),
    ({"overdue": False, "overdue_by": 0, "days_left": 3},
     '<span class="govuk-body-s">3 working days left</span>'),
])
def test_complaint_clock_tag(clock, html):
    if clock:
        clock = {**clock, "due_date": date(2026, 12, 4)}
    assert complaint_clock_tag(clock) == html


def test_the_hand_off_rows_show_numbers_without_a_thousands_separator(settings, rf):
    """The rows are drawn with localisation off: a hand-off number (an id) is never "12,345",
    whatever the settings say."""
    from tests.handoffs.factories import open_handoff

    settings.USE_THOUSAND_SEPARATOR = True
    handoff = Handoff.objects.select_related("contact__customer").get(pk=open_handoff().pk)
    handoff.pk = handoff.id = 12345
    html = engines["django"].get_template("handoffs/includes/handoff_table.html").render(
        {"handoffs": [handoff], "headers": [], "can_claim": False, "selectable": True, "selected": set()},
        rf.get("/handoffs/"))
    assert 'href="/handoffs/12345/">12345</a>' in html and 'value="12345"' in html
    assert "12,345" not in html
    assert str(handoff.contact.customer) in html


# --- a row's address ---------------------------------------------------------------------------

@pytest.mark.parametrize("viewname", ["handoffs:detail", "handoffs:accept", "complaints:detail"])
@pytest.mark.parametrize("pk", [1, 42, 918273645546372818, 10**18])
def test_url_with_id_is_the_address_reverse_gives(viewname, pk):
    assert url_with_id(viewname, pk) == reverse(viewname, args=[pk])


def test_url_with_id_follows_the_script_prefix_of_the_request():
    """Served under a path (SCRIPT_NAME), each request's prefix is its own, not the first one's."""
    assert url_with_id("handoffs:detail", 7) == "/handoffs/7/"
    set_script_prefix("/council/crm/")
    try:
        assert url_with_id("handoffs:detail", 7) == "/council/crm/handoffs/7/"
        assert reverse("handoffs:detail", args=[7]) == "/council/crm/handoffs/7/"
    finally:
        set_script_prefix("/")
    assert url_with_id("handoffs:detail", 7) == "/handoffs/7/"


def test_url_with_id_follows_the_urlconf(settings):
    assert url_with_id("handoffs:detail", 7) == "/handoffs/7/"
    settings.ROOT_URLCONF = "tests.core.prefixed_urls"
    assert url_with_id("handoffs:detail", 7) == "/council/handoffs/7/" == reverse("handoffs:detail", args=[7])


def test_url_with_id_takes_only_ids_and_views_of_one_id():
    with pytest.raises(ValueError):
        url_with_id("handoffs:detail", "7/../../admin")
    for wrong in ("handoffs:queue", "handoffs:no-such-page"):  # no id in it; no such page
        with pytest.raises(NoReverseMatch):
            url_with_id(wrong, 7)

"""core.compiled_query: a queryset compiled once answers every later call with the same rows as
the queryset built for that call (related objects and annotations included) in one query."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import F

from core.compiled_query import CompiledQuery
from core.models import ClosureDay, EnquiryType
from tests.factories import EnquiryTypeFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _types(service_code, code):
    return (EnquiryType.objects.select_related("service", "team")
            .filter(service__code=service_code, code=code, is_active=True)
            .annotate(team_code=F("team__code")).order_by("pk")[:1])


TYPES = CompiledQuery(_types, "sample-service", "sample-code")


def test_each_call_answers_for_its_own_arguments_with_related_rows_in_one_query(
        django_assert_num_queries):
    bins = EnquiryTypeFactory(code="missed-bin", team=TeamFactory())
    lamp = EnquiryTypeFactory(code="street-light", team=TeamFactory())
    retired = EnquiryTypeFactory(code="old-bin", is_active=False, service=bins.service)
    for wanted in (bins, lamp, bins):  # compiled on the first call, reused after
        with django_assert_num_queries(1):
            found = TYPES.first(wanted.service.code, wanted.code)
            assert (found.pk, found.service.name, found.team.code, found.team_code) == (
                wanted.pk, wanted.service.name, wanted.team.code, wanted.team.code)
    assert TYPES.first(bins.service.code, "street-light") is None
    assert TYPES.first(bins.service.code, retired.code) is None
    assert TYPES.first("no-such-service", "missed-bin") is None
    assert list(_types(lamp.service.code, lamp.code)) == TYPES.all(lamp.service.code, lamp.code)


def test_a_value_used_twice_is_replaced_everywhere():
    days = CompiledQuery(lambda day: ClosureDay.objects.filter(date__gte=day, date__lte=day),
                         date(1, 1, 1))
    ClosureDay.objects.create(date=date(2026, 12, 29), reason="Council closure")
    assert [d.reason for d in days.all(date(2026, 12, 29))] == ["Council closure"]
    assert days.all(date(2026, 12, 30)) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compiled on PostgreSQL only")
def test_a_sample_that_is_not_a_parameter_is_refused():
    frozen = CompiledQuery(lambda code: EnquiryType.objects.filter(code="fixed")[:1], "sample")
    with pytest.raises(ValueError, match="not a parameter"):
        frozen.first("anything")


def test_wrong_number_of_arguments():
    with pytest.raises(TypeError):
        TYPES.first("only-one")

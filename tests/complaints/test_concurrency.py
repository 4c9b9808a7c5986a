"""Two people escalate the same complaint at the same moment: the row lock lets exactly one win;
the other is refused as the table no longer allows it (409 in the API)."""

import pytest
from django.db import connection

from complaints import services
from complaints.models import Complaint, ComplaintStage, Stage
from core.api_errors import StateConflict
from tests.complaints.factories import complaint, walk
from tests.concurrency import run_at_once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_escalations_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    case = walk(complaint(), ["allocate", "respond"])

    def escalate():
        services.complaint_escalate(complaint=Complaint.objects.get(pk=case.pk), actor=None,
                                    reason="Still unhappy")
        return "won"

    outcomes = run_at_once(escalate, escalate)
    assert sorted("conflict" if isinstance(o, StateConflict) else o for o in outcomes) == [
        "conflict", "won"]
    assert ComplaintStage.objects.filter(complaint=case, stage=Stage.TWO).count() == 1
    assert case.events.filter(action="escalate").count() == 1

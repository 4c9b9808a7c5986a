"""Two people escalate the same complaint at the same moment: the row lock lets exactly one win;
the other is refused as the table no longer allows it (409 in the API)."""

import threading

import pytest
from django.db import connection

from complaints import services
from complaints.models import Complaint, ComplaintStage, Stage
from core.api_errors import StateConflict
from tests.complaints.factories import complaint, walk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_escalations_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    case = walk(complaint(), ["allocate", "respond"])
    barrier = threading.Barrier(2)
    outcomes = []

    def escalate():
        try:
            barrier.wait()
            services.complaint_escalate(complaint=Complaint.objects.get(pk=case.pk), actor=None,
                                        reason="Still unhappy")
            outcomes.append("won")
        except StateConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=escalate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "won"]
    assert ComplaintStage.objects.filter(complaint=case, stage=Stage.TWO).count() == 1
    assert case.events.filter(action="escalate").count() == 1

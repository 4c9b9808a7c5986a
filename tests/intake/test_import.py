"""manage.py import_contacts: good rows kept, bad rows reported, no hand-offs, audit per batch."""

import csv
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.models import Contact
from core.models import AuditEvent
from handoffs.models import Handoff
from tests.factories import CustomerFactory

HEADER = ["received_at", "channel", "service", "enquiry_type", "summary", "avoidable",
          "avoidable_reason", "customer", "customer_email", "site", "external_ref"]


def _write(path, rows, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _errors(path):
    with path.with_name(path.name + ".errors.csv").open(newline="") as source:
        return [(int(r["row"]), r["field"], r["message"]) for r in csv.DictReader(source)]


@pytest.mark.django_db
def test_good_rows_are_kept_and_bad_rows_reported(tmp_path, catalogue, capsys):
    jane = CustomerFactory(email="jane@example.com")
    future = (timezone.now() + timedelta(days=2)).isoformat()
    path = _write(tmp_path / "legacy.csv", [
        ["2025-03-04T10:15:00", "telephone", "waste", "missed-bin", "Bin missed", "no", "",
         str(jane.pk), "", "call-centre", "CRM-1"],                                     # row 2
        ["2025-03-04 11:00", "email", "waste", "", "Asked about recycling", "yes",
         "information_not_available", "", "JANE@example.com", "", "CRM-2"],             # row 3
        ["2025-03-05T09:00:00+00:00", "fax", "waste", "", "x", "", "", "", "", "", ""],  # row 4
        ["not a date", "telephone", "nowhere", "", "", "maybe", "", "", "", "", ""],    # row 5
        ["2025-03-05T09:00:00", "telephone", "waste", "balance-enquiry", "x", "yes", "", "999999",
         "", "", ""],                                                                    # row 6
        [future, "telephone", "waste", "", "x", "", "", "", "nobody@example.com", "", ""],  # row 7
        ["2025-03-06T09:00:00", "letter", "council-tax", "balance-enquiry", "Letter", "no",
         "progress_chasing", "", "", "", ""],                                            # row 8
    ])
    call_command("import_contacts", str(path), "--no-progress", "--batch-size", "3")
    imported = Contact.objects.order_by("received_at")
    assert [c.external_ref for c in imported] == ["CRM-1", "CRM-2"]
    first, second = imported
    assert (first.customer, first.enquiry_type, first.site.code, first.source) == (
        jane, catalogue["missed_bin"], "call-centre", "import")
    assert first.received_at == timezone.make_aware(
        timezone.datetime(2025, 3, 4, 10, 15))  # Europe/London when no offset is given
    assert first.enquiry_closed_at == first.received_at  # history: closed, never a repeat
    assert first.handoff_method == "fire_and_forget" and not Handoff.objects.exists()
    assert second.customer == jane and second.avoidable_reason.code == "information_not_available"
    assert second.received_date.isoformat() == "2025-03-04"
    errors = _errors(path)
    assert {(row, field) for row, field, _ in errors} == {
        (4, "channel"), (5, "received_at"), (5, "service"), (5, "summary"), (5, "avoidable"),
        (6, "enquiry_type"), (6, "avoidable_reason"), (7, "received_at"), (8, "avoidable_reason"),
    }
    # Rows that pass the row checks but name an unknown customer are reported too.
    path2 = _write(tmp_path / "customers.csv", [
        ["2025-03-05T09:00:00", "telephone", "waste", "", "x", "", "", "999999", "", "", ""],
        ["2025-03-05T09:00:00", "telephone", "waste", "", "x", "", "", "", "no@example.com", "", ""],
    ])
    call_command("import_contacts", str(path2), "--no-progress")
    assert {(row, field) for row, field, _ in _errors(path2)} == {(2, "customer"),
                                                                  (3, "customer_email")}
    out = capsys.readouterr()
    assert "Imported 0 contacts" in out.out and "rejected 2 rows" in out.out
    assert "row 2, customer: No customer 999999." in out.err


@pytest.mark.django_db
def test_handling_time_is_an_optional_column_checked_like_the_api(tmp_path, catalogue):
    header = ["received_at", "channel", "service", "summary", "handling_time_seconds"]
    path = _write(tmp_path / "telephony.csv", [
        ["2025-03-04T10:15:00", "telephone", "waste", "Bin missed", "245"],          # row 2
        ["2025-03-04T10:20:00", "face_to_face", "waste", "At the counter", ""],       # row 3
        ["2025-03-04T10:25:00", "telephone", "waste", "Too long", "28801"],           # row 4
        ["2025-03-04T10:30:00", "telephone", "waste", "Negative", "-3"],              # row 5
        ["2025-03-04T10:35:00", "telephone", "waste", "Words", "four minutes"],       # row 6
    ], header=header)
    call_command("import_contacts", str(path), "--no-progress")
    assert list(Contact.objects.order_by("received_at").values_list("summary", "handling_time_seconds")) == [
        ("Bin missed", 245), ("At the counter", None)]
    assert {(row, field) for row, field, _ in _errors(path)} == {
        (4, "handling_time_seconds"), (5, "handling_time_seconds"), (6, "handling_time_seconds")}


@pytest.mark.django_db
def test_one_audit_row_per_batch_with_its_counts(tmp_path, catalogue):
    rows = [[f"2025-03-04T10:{m:02d}:00", "web", "waste", "", f"Row {m}", "", "", "", "", "", ""]
            for m in range(5)]
    path = _write(tmp_path / "history.csv", rows)
    call_command("import_contacts", str(path), "--no-progress", "--batch-size", "2")
    assert Contact.objects.filter(source="import").count() == 5
    batches = AuditEvent.objects.filter(object_type="contacts.import").order_by("pk")
    assert [(e.changes["batch"], e.changes["imported"], e.changes["rejected"]) for e in batches] == [
        (1, 2, 0), (2, 2, 0), (3, 1, 0)]
    assert batches[0].changes["rows"] == [2, 3]


@pytest.mark.django_db
def test_a_file_without_the_required_columns_is_refused(tmp_path, catalogue):
    path = _write(tmp_path / "bad.csv", [["x"]], header=["when", "channel"])
    with pytest.raises(CommandError, match="Missing columns: received_at, service, summary. "
                                           "Unknown columns: when"):
        call_command("import_contacts", str(path), "--no-progress")
    with pytest.raises(CommandError, match="No file"):
        call_command("import_contacts", str(tmp_path / "missing.csv"), "--no-progress")


def test_help_documents_the_columns_and_that_no_handoffs_are_opened(capsys):
    from intake.management.commands.import_contacts import Command

    text = Command().help
    for column in HEADER + ["handoff_method", "resolved_at_first_contact", "direction"]:
        assert column in text
    assert "opens no hand-offs" in text and "errors.csv" in text and "one row per batch" in text

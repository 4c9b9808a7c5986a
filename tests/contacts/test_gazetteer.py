"""The address gazetteer (issue 20, item 4): the import keeps good rows and reports bad ones, the
postcode lookup on the customer form works without JavaScript, a reported point gets the nearest
UPRN."""

import csv
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from contacts import gazetteer
from contacts.models import Customer, GazetteerAddress
from core.roles import Role

HEADER = "UPRN,ADDRESS_LINE_1,ADDRESS_LINE_2,POST_TOWN,POSTCODE_LOCATOR,LATITUDE,LONGITUDE\n"
GOOD = [
    "100012345678,10 Oak Street,,Ashton-under-Lyne,ol6 6ab,53.489300,-2.095300",
    "100012345679,2 Oak Street,Flat 1,Ashton-under-Lyne,OL6 6AB,53.489400,-2.095400",
    "100012345680,1 Mill Lane,,Hyde,SK14 1AA,,",
]
BAD = [
    ("12AB,3 Oak Street,,Ashton,OL6 6AB,,", "UPRN", "UPRN must be a number of up to 12 digits."),
    ("100012345681,,,Ashton,OL6 6AB,,", "ADDRESS_LINE_1", "Address line 1 is empty."),
    (
        "100012345682,4 Oak Street,,Ashton,NOT A CODE,,",
        "POSTCODE",
        "Postcode must be a full UK postcode, like OL6 6AB.",
    ),
    (
        "100012345683,5 Oak Street,,Ashton,OL6 6AB,53.4,",
        "LATITUDE",
        "Latitude and longitude must be given together.",
    ),
    (
        "100012345684,6 Oak Street,,Ashton,OL6 6AB,north,-2.1",
        "LATITUDE",
        "Latitude must be a number from -90 to 90.",
    ),
    (
        "100012345678,10 Oak Street again,,Ashton,OL6 6AB,,",
        "UPRN",
        "UPRN 100012345678 is given twice; its first row is kept.",
    ),
    ("100012345685,7 Oak Street", "", "The row has 2 values; the header has 7."),
]


def _extract(tmp_path, rows, header=HEADER):
    path = tmp_path / "llpg.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_keeps_good_rows_and_reports_each_bad_row(tmp_path, capsys):
    path = _extract(tmp_path, GOOD[:2] + [row for row, _, _ in BAD] + GOOD[2:])
    call_command("import_gazetteer", str(path), "--no-progress")
    out, err = capsys.readouterr()
    assert "Loaded 3 addresses" in out and "rejected 7 rows" in out
    assert set(GazetteerAddress.objects.values_list("uprn", flat=True)) == {
        "100012345678",
        "100012345679",
        "100012345680",
    }
    oak = GazetteerAddress.objects.get(uprn="100012345678")
    assert (oak.address_line_1, oak.town, oak.postcode) == ("10 Oak Street", "Ashton-under-Lyne", "OL6 6AB")
    assert (oak.latitude, oak.longitude) == (Decimal("53.489300"), Decimal("-2.095300"))
    assert GazetteerAddress.objects.get(uprn="100012345680").latitude is None
    with open(tmp_path / "llpg.csv.errors.csv", newline="") as handle:
        reported = list(csv.DictReader(handle))
    # Rows are numbered as in the file: the header is row 1, the first bad row row 4.
    assert [(int(r["row"]), r["column"], r["message"]) for r in reported] == [
        (4 + index, column, message) for index, (_, column, message) in enumerate(BAD)
    ]
    assert "row 4, UPRN: UPRN must be a number of up to 12 digits." in err


@pytest.mark.django_db
def test_reload_updates_by_uprn_in_chunks(tmp_path):
    call_command("import_gazetteer", str(_extract(tmp_path, GOOD)), "--no-progress", "--chunk-size", "2")
    moved = "100012345680,1 Mill Lane,,Hyde,SK14 1AB,53.45,-2.08"
    call_command("import_gazetteer", str(_extract(tmp_path, [moved])), "--no-progress")
    assert GazetteerAddress.objects.count() == 3
    assert GazetteerAddress.objects.get(uprn="100012345680").postcode == "SK14 1AB"
    assert not (tmp_path / "llpg.csv.errors.csv").exists()


@pytest.mark.django_db
def test_a_first_load_cut_off_keeps_its_whole_chunks_and_the_rerun_completes_it(tmp_path):
    """A first load COPYs straight into the empty gazetteer; cut off in its second chunk, it keeps
    the first chunk only, lets go of its lock, and the rerun (no longer on an empty gazetteer)
    upserts: every row once, the kept ones updated from the file."""
    from django.db import connection

    path = _extract(tmp_path, GOOD)

    class CutOff:
        seen = 0

        def update(self, rows):
            self.seen += rows
            if self.seen == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gazetteer.gazetteer_load(path, chunk_size=2, progress=CutOff())
    assert set(GazetteerAddress.objects.values_list("uprn", flat=True)) == {"100012345678", "100012345679"}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_locks "
                           "WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            assert cursor.fetchone()[0] == 0
    GazetteerAddress.objects.filter(uprn="100012345678").update(address_line_1="stale")
    result = gazetteer.gazetteer_load(path, chunk_size=2)
    assert (result.loaded, result.rejected) == (3, 0)
    assert GazetteerAddress.objects.count() == 3
    assert GazetteerAddress.objects.get(uprn="100012345678").address_line_1 == "10 Oak Street"


@pytest.mark.django_db
def test_the_other_databases_path_loads_the_same(tmp_path):
    """SQLite's path (bulk_create's upsert) gives the same rows as PostgreSQL's COPY."""
    rows = [
        gazetteer.parse_row(dict(zip(gazetteer._FIELDS, line.split(","), strict=False)))[0]
        for line in ["100000000001,1 A Street,,Town,OL6 6AB,53.1,-2.1"]
    ]
    gazetteer._save_other(rows)
    gazetteer._save_other([(rows[0][0], "1 B Street", *rows[0][2:])])
    assert GazetteerAddress.objects.get(uprn="100000000001").address_line_1 == "1 B Street"


@pytest.mark.django_db
def test_a_file_without_a_required_column_is_refused(tmp_path):
    path = _extract(tmp_path, ["1,2 Oak Street"], header="UPRN,ADDRESS_LINE_1\n")
    with pytest.raises(CommandError, match="no POSTCODE column"):
        call_command("import_gazetteer", str(path), "--no-progress")
    assert not GazetteerAddress.objects.exists()


@pytest.fixture
def oak_street(db):
    make_oak_street()


def make_oak_street():
    for number, uprn, lat in ((10, "1001", "53.489300"), (2, "1002", "53.489000"), (4, "1003", "53.489600")):
        GazetteerAddress.objects.create(
            uprn=uprn,
            address_line_1=f"{number} Oak Street",
            town="Ashton-under-Lyne",
            postcode="OL6 6AB",
            latitude=Decimal(lat),
            longitude=Decimal("-2.095300"),
        )


def test_postcode_lookup_in_street_number_order(oak_street):
    assert [a.address_line_1 for a in gazetteer.addresses_at_postcode("ol66ab")] == [
        "2 Oak Street",
        "4 Oak Street",
        "10 Oak Street",
    ]
    assert gazetteer.addresses_at_postcode("OL6") == []


def test_nearest_uprn_within_a_hundred_metres(oak_street):
    # 0.0002 degrees of latitude is about 22 m: nearer 10 Oak Street (53.4893) than 4 (53.4896).
    assert gazetteer.nearest_address(Decimal("53.489350"), Decimal("-2.095300")).uprn == "1001"
    # About 330 m away: no one's address.
    assert gazetteer.nearest_address(Decimal("53.492600"), Decimal("-2.095300")) is None


# --- The lookup on the customer form, without JavaScript ----------------------------------------


FORM = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "dob_day": "10",
    "dob_month": "12",
    "dob_year": "1985",
    "phone": "07700900123",
}


def test_find_address_lists_the_postcodes_addresses_and_keeps_what_was_typed(client_for, oak_street):
    page = (
        client_for(Role.ADVISER)
        .post("/contacts/customers/new/", {**FORM, "lookup_postcode": "ol6 6ab", "find_address": "1"})
        .content.decode()
    )
    assert 'value="Ada"' in page and 'value="10"' in page and 'value="1985"' in page
    assert page.index("2 Oak Street, Ashton-under-Lyne, OL6 6AB") < page.index("10 Oak Street, Ashton")
    assert '<option value="1003">' in page and "Use this address" in page
    assert not Customer.objects.exists()


def test_use_this_address_fills_the_address_and_uprn_then_save_keeps_them(client_for, oak_street):
    adviser = client_for(Role.ADVISER)
    page = adviser.post(
        "/contacts/customers/new/",
        {**FORM, "lookup_postcode": "OL6 6AB", "address": "1003", "use_address": "1"},
    ).content.decode()
    assert 'value="4 Oak Street"' in page and 'value="1003"' in page and 'value="OL6 6AB"' in page
    assert 'value="Ashton-under-Lyne"' in page and not Customer.objects.exists()
    adviser.post(
        "/contacts/customers/new/",
        {
            **FORM,
            "address_line_1": "4 Oak Street",
            "town": "Ashton-under-Lyne",
            "postcode": "OL6 6AB",
            "uprn": "1003",
            "confirm_new": "1",
        },
    )
    assert Customer.objects.get().uprn == "1003"


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("", "Enter a postcode to find the address."),
        ("OL6", "Enter a real postcode, like OL6 6AB."),
        ("SK14 9ZZ", "No addresses found at SK14 9ZZ. Check the postcode, or enter the address yourself."),
    ],
)
def test_lookup_errors_are_in_the_error_summary_linked_to_the_box(client_for, oak_street, postcode, message):
    response = client_for(Role.ADVISER).post(
        "/contacts/customers/new/", {**FORM, "lookup_postcode": postcode, "find_address": "1"}
    )
    assert response.status_code == 400
    assert f'<a href="#id_lookup_postcode">{message}</a>' in response.content.decode()


def test_use_address_without_choosing_one_says_so(client_for, oak_street):
    response = client_for(Role.ADVISER).post(
        "/contacts/customers/new/", {**FORM, "lookup_postcode": "OL6 6AB", "address": "", "use_address": "1"}
    )
    assert '<a href="#id_address">Select an address.</a>' in response.content.decode()


def test_enter_in_a_box_still_saves(client_for):
    """The form's first submit button is Save, so Enter in a box does not look up an address."""
    page = client_for(Role.ADVISER).get("/contacts/customers/new/").content.decode()
    form = page[page.index('<form method="post" novalidate>') :]
    first_button = form[form.index("<button") : form.index("</button>")]
    assert "find_address" not in first_button and "Add customer" in first_button


def test_lookup_needs_the_edit_permission(client_for, oak_street):
    response = client_for(Role.BACK_OFFICE).post(
        "/contacts/customers/new/", {**FORM, "lookup_postcode": "OL6 6AB", "find_address": "1"}
    )
    assert response.status_code == 403

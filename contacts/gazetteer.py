"""The address gazetteer (issue 20, item 4): loading the council's LLPG or AddressBase CSV extract,
and the two questions asked of it, the addresses at a postcode and the property nearest a point.

The load checks every row; bad rows are reported (row number, column, message) and the good rows
kept. On PostgreSQL each chunk is COPYed as it is parsed: straight into the gazetteer on a first
load (an empty one), else into a temporary table and one INSERT ... ON CONFLICT from there (a
reload updates the properties it names); elsewhere (SQLite) with bulk_create's upsert. A chunk
is one transaction, so an interrupted load keeps whole chunks (and the rerun upserts).
"""

import csv
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

from django.db import connection, transaction

from contacts import normalise
from contacts.models import GazetteerAddress

# Our column -> the names an extract may give it (AddressBase, LLPG/NLPG, our own), any case.
COLUMNS = {
    "uprn": ("uprn",),
    "address_line_1": ("address_line_1", "address1", "address_1", "line_1"),
    "address_line_2": ("address_line_2", "address2", "address_2", "line_2"),
    "address_line_3": ("address_line_3", "address3", "address_3", "line_3"),
    "town": ("town", "post_town", "town_name", "locality"),
    "postcode": ("postcode", "postcode_locator", "post_code"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lon", "lng"),
}
REQUIRED = ("uprn", "address_line_1", "postcode")
COLUMNS_HELP = (
    "Columns (header row, any order, any case): UPRN, ADDRESS_LINE_1, POSTCODE (or "
    "POSTCODE_LOCATOR) are required; ADDRESS_LINE_2, ADDRESS_LINE_3 (joined to line 2), TOWN (or "
    "POST_TOWN), LATITUDE and LONGITUDE (WGS84 decimal degrees, for matching reported points) are "
    "optional."
)
_FIELDS = ("uprn", "address_line_1", "address_line_2", "town", "postcode", "latitude", "longitude")
_MAX = {"address_line_1": 200, "address_line_2": 200, "town": 100}


class GazetteerFileError(Exception):
    """The file cannot be read at all (no header, a required column missing)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class LoadResult:
    loaded: int = 0
    rejected: int = 0
    first_errors: list[RowError] = field(default_factory=list)


def count_rows(path: Path) -> int:
    """The data rows of the file (lines less the header), for the progress bar."""
    with open(path, "rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _columns(header: list[str]) -> dict[str, int]:
    names = {name.strip().lower(): index for index, name in enumerate(header)}
    found = {}
    for ours, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[ours] = names[alias]
                break
    missing = [name.upper() for name in REQUIRED if name not in found]
    if missing:
        raise GazetteerFileError(f"The file has no {', '.join(missing)} column. {COLUMNS_HELP}")
    return found


class CoordinateError(ValueError):
    """A latitude or longitude that is not a number (`out_of_range` False) or is beyond its limit."""

    def __init__(self, out_of_range: bool):
        super().__init__("out of range" if out_of_range else "not a number")
        self.out_of_range = out_of_range


def coordinate(value, limit: int) -> Decimal:
    """A latitude (limit 90) or longitude (limit 180) in WGS84 decimal degrees as the product
    stores it, to 6 places (about 10 cm): the one rule of every door that takes a point (the
    gazetteer load, Open311, self service). CoordinateError for anything else."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise CoordinateError(out_of_range=False) from None
    if not number.is_finite() or abs(number) > limit:
        raise CoordinateError(out_of_range=True)
    return number.quantize(Decimal("0.000001"))


def parse_row(values: dict[str, str]) -> tuple[tuple | None, RowError | None]:
    """One row's values (by our column names) as a tuple of _FIELDS, or the first error (row 0:
    the caller sets the number)."""
    uprn = values.get("uprn", "").strip()
    if not uprn.isdigit() or len(uprn) > 12:
        return None, RowError(0, "UPRN", "UPRN must be a number of up to 12 digits.")
    line_1 = " ".join(values.get("address_line_1", "").split())
    if not line_1:
        return None, RowError(0, "ADDRESS_LINE_1", "Address line 1 is empty.")
    line_2 = ", ".join(part for part in (" ".join(values.get("address_line_2", "").split()),
                                         " ".join(values.get("address_line_3", "").split())) if part)
    town = " ".join(values.get("town", "").split())
    for column, text in (("address_line_1", line_1), ("address_line_2", line_2), ("town", town)):
        if len(text) > _MAX[column]:
            return None, RowError(0, column.upper(), f"{column.replace('_', ' ').capitalize()} must be "
                                                     f"{_MAX[column]} characters or less.")
    postcode = normalise.full_postcode(values.get("postcode", ""))
    if postcode is None:
        return None, RowError(0, "POSTCODE", "Postcode must be a full UK postcode, like OL6 6AB.")
    lat_text, long_text = values.get("latitude", "").strip(), values.get("longitude", "").strip()
    latitude = longitude = None
    if bool(lat_text) != bool(long_text):
        return None, RowError(0, "LATITUDE", "Latitude and longitude must be given together.")
    if lat_text:
        try:
            latitude = coordinate(lat_text, 90)
        except CoordinateError:
            return None, RowError(0, "LATITUDE", "Latitude must be a number from -90 to 90.")
        try:
            longitude = coordinate(long_text, 180)
        except CoordinateError:
            return None, RowError(0, "LONGITUDE", "Longitude must be a number from -180 to 180.")
    return (str(int(uprn)), line_1, line_2, town, postcode, latitude, longitude), None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str] | None, RowError | None]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise GazetteerFileError(f"The file is empty. {COLUMNS_HELP}")
        columns = _columns(header)
        for number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                yield number, None, RowError(number, "", f"The row has {len(row)} values; the header "
                                                         f"has {len(header)}.")
                continue
            yield number, {name: row[index] for name, index in columns.items()}, None


def _save_postgresql(rows: Iterator[tuple], *, fresh: bool) -> int:
    """COPY the rows as they are read and checked (PostgreSQL takes in each block while the next
    is parsed): straight into the gazetteer when this load began on an empty one (`fresh`: no
    row can conflict, the file's repeated UPRNs being rejected), else into a temporary table
    and one upsert. The number of rows."""
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in _FIELDS[1:])
    table = GazetteerAddress._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        target = table
        if not fresh:
            # Dropped at commit; inside an outer transaction (a test, a caller's) the last
            # chunk's is still there.
            cursor.execute("DROP TABLE IF EXISTS gazetteer_load")
            cursor.execute(f"CREATE TEMPORARY TABLE gazetteer_load (LIKE {table}) ON COMMIT DROP")
            target = "gazetteer_load"
        with cursor.cursor.copy(f"COPY {target} ({', '.join(_FIELDS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        if count and not fresh:
            # Table and column names are ours, not input: nothing here comes from the file.
            cursor.execute(f"INSERT INTO {table} ({', '.join(_FIELDS)}) "  # nosec B608
                           f"SELECT {', '.join(_FIELDS)} FROM gazetteer_load "
                           f"ON CONFLICT (uprn) DO UPDATE SET {updates}")
    return count


def _save_other(rows: Iterator[tuple]) -> int:
    addresses = [GazetteerAddress(**dict(zip(_FIELDS, row, strict=True))) for row in rows]
    GazetteerAddress.objects.bulk_create(
        addresses, update_conflicts=True, unique_fields=["uprn"], update_fields=list(_FIELDS[1:]),
        batch_size=500)
    return len(addresses)


def _save(rows: Iterator[tuple], *, fresh: bool) -> int:
    """Store one chunk of good rows in one transaction; how many there were."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _save_postgresql(rows, fresh=fresh)
        return _save_other(rows)


# One load at a time (a PostgreSQL advisory lock, held across the load's chunk transactions), so
# a load that began on an empty gazetteer is the only writer while it COPYs straight in.
_LOAD_LOCK = 0x6761_7A65  # "gaze"


@contextmanager
def _one_load_at_a_time():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOAD_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOAD_LOCK])


def gazetteer_load(path: Path, *, errors_path: Path | None = None, chunk_size: int = 50_000,
                   progress=None, keep_errors: int = 10) -> LoadResult:
    """Load the extract at `path`: every good row is kept (added or updated by UPRN), every bad
    row reported in the result and, with `errors_path`, in a CSV of row, column and message. A
    UPRN given twice keeps its first row; the second is reported."""
    result, seen = LoadResult(), set()
    error_file = open(errors_path, "w", newline="", encoding="utf-8") if errors_path else None  # noqa: SIM115
    try:
        writer = csv.writer(error_file) if error_file else None
        if writer:
            writer.writerow(["row", "column", "message"])

        def reject(error: RowError) -> None:
            result.rejected += 1
            if len(result.first_errors) < keep_errors:
                result.first_errors.append(error)
            if writer:
                writer.writerow([error.row, error.column, error.message])

        def good_rows() -> Iterator[tuple]:
            for number, values, error in _rows(path):
                if values is not None:
                    parsed, error = parse_row(values)
                    if error is None and parsed[0] in seen:
                        error = RowError(0, "UPRN",
                                         f"UPRN {parsed[0]} is given twice; its first row is kept.")
                    if error is None:
                        seen.add(parsed[0])
                        yield parsed
                if error is not None:
                    reject(RowError(number, error.column, error.message))
                if progress is not None:
                    progress.update(1)

        with _one_load_at_a_time():
            fresh = not GazetteerAddress.objects.exists()
            rows = good_rows()
            while stored := _save(islice(rows, chunk_size), fresh=fresh):
                result.loaded += stored
    finally:
        if error_file:
            error_file.close()
    return result


# --- Lookups -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"(\d+)")


def _natural(address: GazetteerAddress):
    """2 Oak Street before 10 Oak Street."""
    return [int(part) if part.isdigit() else part.lower() for part in _NUMBER.split(address.address_line_1)]


def addresses_at_postcode(postcode: str) -> list[GazetteerAddress]:
    """The gazetteer's properties at a postcode, in street-number order."""
    if not normalise.is_postcode(postcode):
        return []
    found = list(GazetteerAddress.objects.filter(postcode=normalise.postcode(postcode))
                 .order_by("uprn")[:500])
    return sorted(found, key=lambda address: (_natural(address), address.uprn))


def address_by_uprn(uprn: str) -> GazetteerAddress | None:
    return GazetteerAddress.objects.filter(uprn=str(uprn)).first() if str(uprn).isdigit() else None


NEAREST_WITHIN_METRES = 100
_METRES_PER_DEGREE = 111_320


def nearest_address(latitude, longitude,
                    within_metres: int = NEAREST_WITHIN_METRES) -> GazetteerAddress | None:
    """The property nearest a reported point, if one is within `within_metres` (a point in a
    park is no one's address). A box around the point narrows the search on the (latitude,
    longitude) index; the distance is then worked out on the few in the box."""
    lat, long = float(latitude), float(longitude)
    lat_span = within_metres / _METRES_PER_DEGREE
    long_span = within_metres / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    candidates = GazetteerAddress.objects.filter(
        latitude__range=(Decimal(str(round(lat - lat_span, 6))), Decimal(str(round(lat + lat_span, 6)))),
        longitude__range=(Decimal(str(round(long - long_span, 6))), Decimal(str(round(long + long_span, 6)))),
    ).order_by("uprn")[:1000]

    def metres(address: GazetteerAddress) -> float:
        dy = (float(address.latitude) - lat) * _METRES_PER_DEGREE
        dx = (float(address.longitude) - long) * _METRES_PER_DEGREE * math.cos(math.radians(lat))
        return math.hypot(dx, dy)

    best = min(candidates, key=lambda address: (metres(address), address.uprn), default=None)
    return best if best is not None and metres(best) <= within_metres else None


def report_uprn(uprn: str = "", latitude=None, longitude=None) -> str:
    """The property a report is about, the one rule for every door that takes reports (Open311,
    self service; issue 20, item 4): the UPRN the reporter gave or chose, else the gazetteer's
    property nearest the point they reported (within NEAREST_WITHIN_METRES), else none."""
    if uprn or latitude is None or longitude is None:
        return uprn or ""
    nearest = nearest_address(latitude, longitude)
    return nearest.uprn if nearest else ""

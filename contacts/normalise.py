"""How customer identifiers are stored and searched: one form each, so that a search finds a
customer whatever way the caller says their postcode or phone number."""

import re

# A full UK postcode: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
# An outward code alone ("OL6", "SK14", "M1"), for searching a district.
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def full_postcode(value: str) -> str | None:
    """"ol66ab", " OL6 6AB " -> "OL6 6AB"; None when it is not a full postcode."""
    match = _POSTCODE.match("".join((value or "").split()).upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode(value: str) -> str:
    """"ol66ab", " OL6 6AB " -> "OL6 6AB"; anything that is not a full postcode comes back
    upper-cased with its spaces squeezed, for the caller to reject."""
    return full_postcode(value) or " ".join((value or "").upper().split())


def is_postcode(value: str) -> bool:
    return full_postcode(value) is not None


def is_outward_code(value: str) -> bool:
    return bool(_OUTWARD.match((value or "").strip().upper()))


def phone(value: str) -> str:
    """Digits only, UK numbers with their leading 0: "+44 (0)7700 900-123" -> "07700900123"."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("440"):
        digits = digits[2:]
    elif digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def looks_like_phone_or_uprn(value: str) -> bool:
    """Digits with phone punctuation, at least six of them."""
    stripped = (value or "").strip()
    return bool(re.fullmatch(r"[0-9+()\-.\s]+", stripped)) and len(re.sub(r"\D", "", stripped)) >= 6


def email(value: str) -> str:
    return (value or "").strip().lower()


def name(value: str) -> str:
    """Surrounding and repeated spaces removed; the case the customer gave is kept."""
    return " ".join((value or "").split())

"""Syntax checks for the identifiers that parties carry.

Every validator takes raw user input, returns the normalised (compact, upper-case) form and
raises `ValueError` with a reason a person can act on; callers turn that into a field error.
The checks are syntactic: they say a code *could* exist, not that it was issued.
"""

from __future__ import annotations

import re
from typing import Literal

from stdnum import bic as _bic
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

DivisionLevel = Literal["province", "prefecture", "county"]

# Characters GB 32100-2015 allows in positions 9-18 (digits and letters except I, O, S, V, Z,
# which are too easily misread). stdnum keeps the same alphabet privately; spelling it out
# here keeps our error messages independent of stdnum's internals.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# The 31 provincial-level prefixes of mainland China (GB/T 2260). Hong Kong, Macao and Taiwan
# (81, 82, 71) are left out on purpose: SAFE has no jurisdiction there.
MAINLAND_PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
    }
)

# GB 11714 organisation code: weights for the 8 body characters, then modulus 11.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_BODY = re.compile(r"[0-9A-Z]{8}")

_BIC_PARTS = (
    ("institution code", 0, 4, "letters"),
    ("country code", 4, 6, "letters"),
    ("location code", 6, 8, "letters or digits"),
    ("branch code", 8, 11, "letters or digits"),
)
# str.isdigit() would also accept full-width and other Unicode digits; codes are ASCII.
_ASCII_DIGITS = "0123456789"
_DIGITS4 = re.compile(r"[0-9]{4}")
_DIGITS6 = re.compile(r"[0-9]{6}")


def _strip_separators(code: str) -> str:
    """Drop the spaces and hyphens people type for readability, and upper-case."""
    return re.sub(r"[\s-]", "", code).upper()


# --- USCC (GB 32100-2015) ------------------------------------------------------------------


def _uscc_bad_character(code: str) -> str | None:
    """Describe the first character not allowed at its position, if any."""
    for pos, char in enumerate(code, start=1):
        if pos <= 8 and char not in _ASCII_DIGITS:
            return f"invalid character {char!r} at position {pos}: positions 1-8 are digits"
        if pos > 8 and char not in USCC_ALPHABET:
            return (
                f"invalid character {char!r} at position {pos}: only digits and letters "
                "other than I, O, S, V and Z are allowed"
            )
    return None


def validate_uscc(code: str) -> str:
    """Return the compact form of an 18-character unified social credit code.

    Precondition: none; any string may be passed. Raises ValueError on a wrong length, a
    character not allowed at its position, or a check character that does not match.
    """
    compact = _strip_separators(code)
    if len(compact) != 18:
        raise ValueError(f"wrong length: a USCC has 18 characters, got {len(compact)}")
    bad = _uscc_bad_character(compact)
    if bad:
        raise ValueError(bad)
    try:
        return _uscc.validate(compact)
    except InvalidChecksum:
        expected = _uscc.calc_check_digit(compact[:17])
        raise ValueError(
            f"check character mismatch: expected {expected!r}, got {compact[17]!r}"
        ) from None
    except ValidationError as exc:  # stdnum grew a rule we do not pre-check
        raise ValueError(f"not a valid USCC ({exc})") from None


def uscc_with_check(first17: str) -> str:
    """Append the GB 32100 check character to the first 17 characters of a USCC.

    Precondition: `first17` is 17 characters, digits in positions 1-8 and USCC alphabet
    characters after; otherwise ValueError.
    """
    body = _strip_separators(first17)
    if len(body) != 17:
        raise ValueError(f"wrong length: expected the first 17 characters, got {len(body)}")
    bad = _uscc_bad_character(body)
    if bad:
        raise ValueError(bad)
    return body + _uscc.calc_check_digit(body)


def org_code_with_check(body8: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code body.

    Precondition: `body8` is 8 digits or upper-case letters. The result (9 characters) is
    the organisation-code part of a USCC. Check value 10 is written 'X' and 11 is written '0'.
    """
    if not _ORG_CODE_BODY.fullmatch(body8):
        raise ValueError("an organisation code body is 8 digits or upper-case letters")
    # Digits count at face value, letters A..Z as 10..35 (int() with base 36 does exactly that).
    pairs = zip(body8, _ORG_CODE_WEIGHTS, strict=True)
    total = sum(int(char, 36) * weight for char, weight in pairs)
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(registration_dept: str, org_kind: str, division_code: str, org_code: str) -> str:
    """Build a full USCC from its parts and compute its check character.

    Preconditions: `registration_dept` and `org_kind` are single digits (9 and 1 for a
    company registered with market regulation), `division_code` is the 6-digit GB/T 2260
    code of the registering area and `org_code` is the 9-character organisation code.
    """
    if not (len(registration_dept) == 1 and registration_dept in _ASCII_DIGITS):
        raise ValueError("the registration department is one digit")
    if not (len(org_kind) == 1 and org_kind in _ASCII_DIGITS):
        raise ValueError("the organisation kind is one digit")
    if not _DIGITS6.fullmatch(division_code):
        raise ValueError("the division code is 6 digits")
    if len(org_code) != 9:
        raise ValueError("the organisation code is 9 characters")
    return uscc_with_check(registration_dept + org_kind + division_code + org_code)


# --- BIC (ISO 9362) ------------------------------------------------------------------------


def _bic_format_reason(code: str) -> str:
    """Name the part of an 8/11-character BIC whose characters are of the wrong sort."""
    for label, start, end, allowed in _BIC_PARTS:
        part = code[start:end]
        ok = part.isalpha() if allowed == "letters" else part.isalnum()
        if part and not (ok and part.isascii()):
            return f"invalid {label} {part!r}: expected {end - start} {allowed}"
    return "invalid characters"


def validate_bic(code: str) -> str:
    """Return the upper-case compact form of an ISO 9362 business identifier code.

    Precondition: none. Accepts 8 characters (head office) or 11 (branch); the country part
    must be an ISO 3166-1 alpha-2 code (or XK, which SWIFT also assigns).
    """
    compact = _strip_separators(code)
    try:
        return _bic.validate(compact)
    except InvalidLength:
        reason = f"wrong length: a BIC has 8 or 11 characters, got {len(compact)}"
        raise ValueError(reason) from None
    except InvalidComponent:
        raise ValueError(f"unknown country code {compact[4:6]!r} (not ISO 3166-1)") from None
    except ValidationError:
        raise ValueError(_bic_format_reason(compact)) from None


# --- Customs district code -----------------------------------------------------------------


def validate_customs_code(code: str) -> str:
    """Return a 4-digit customs district code (关区代码) as given, e.g. '5300' for Shenzhen.

    Precondition: none. Only the shape is checked: exactly four digits, not all zero.
    """
    compact = code.strip()
    if not _DIGITS4.fullmatch(compact):
        raise ValueError("a customs district code is exactly 4 digits")
    if compact == "0000":
        raise ValueError("0000 is not a customs district code")
    return compact


# --- Administrative division code (GB/T 2260) ----------------------------------------------


def validate_division_code(code: str) -> str:
    """Return a 6-digit GB/T 2260 division code of mainland China.

    Precondition: none. Checks the shape (6 digits, a mainland province prefix, no county
    part without a prefecture part); it does not check that the division exists.
    """
    compact = code.strip()
    if not _DIGITS6.fullmatch(compact):
        raise ValueError("a division code is exactly 6 digits")
    if compact[:2] not in MAINLAND_PROVINCE_PREFIXES:
        raise ValueError(f"unknown province prefix {compact[:2]!r}")
    if compact[2:4] == "00" and compact[4:] != "00":
        raise ValueError("a county code needs a prefecture part (digits 3-4 are 00)")
    return compact


def division_level(code: str) -> DivisionLevel:
    """The level a division code denotes, read from its trailing zeros.

    Precondition: `code` passes `validate_division_code` (else ValueError). Virtual
    prefectures (110100 市辖区 of a municipality, 429000 of Hubei) count as prefectures,
    exactly as the jurisdictions data file lists them.
    """
    valid = validate_division_code(code)
    if valid.endswith("0000"):
        return "province"
    if valid.endswith("00"):
        return "prefecture"
    return "county"


def division_parent(code: str) -> str | None:
    """The division one level up: 440305 → 440300 → 440000 → None.

    Precondition: `code` passes `validate_division_code`. A municipal district such as
    110101 gets the virtual 110100 level, which the data file includes. Provinces return
    None; the head-office root above them is not a GB/T 2260 code.
    """
    level = division_level(code)
    if level == "province":
        return None
    if level == "prefecture":
        return code.strip()[:2] + "0000"
    return code.strip()[:4] + "00"

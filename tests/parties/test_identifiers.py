"""Identifier validators: accepted forms, normalisation, and the reason given for rejections."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossfin.parties.identifiers import (
    USCC_ALPHABET,
    division_level,
    division_parent,
    make_uscc,
    org_code_with_check,
    uscc_with_check,
    validate_bic,
    validate_customs_code,
    validate_division_code,
    validate_uscc,
)

# A published code (used in python-stdnum's own documentation): 9 / 1 / 110000 / 600037341 / L.
PUBLISHED_USCC = "91110000600037341L"


@pytest.mark.parametrize("raw", [PUBLISHED_USCC, "91110000600037341l", "9111 0000-6000 3734 1L"])
def test_uscc_accepts_and_normalises(raw: str) -> None:
    assert validate_uscc(raw) == PUBLISHED_USCC


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("91110000600037341M", "check character mismatch: expected 'L'"),
        ("91110000600037341", "wrong length"),
        ("91110000600037341LL", "wrong length"),
        ("", "wrong length"),
        ("A1110000600037341L", "invalid character 'A' at position 1"),
        ("9111000060003734OL", "invalid character 'O' at position 17"),
        ("91110000S00037341L", "invalid character 'S' at position 9"),
    ],
)
def test_uscc_rejections_say_why(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_uscc(raw)


def test_org_code_check_matches_published_example() -> None:
    # The organisation-code part of the published USCC carries its own GB 11714 check.
    assert org_code_with_check("60003734") == "600037341"


@pytest.mark.parametrize(("body", "expected"), [("00000000", "0"), ("00000001", "9")])
def test_org_code_check_edge_values(body: str, expected: str) -> None:
    # Sum 0 gives 11 - 0 = 11, written '0'; weight 2 on the last digit gives 11 - 2 = 9.
    assert org_code_with_check(body)[-1] == expected


def test_org_code_check_writes_ten_as_x() -> None:
    # A check value of 10 cannot be one digit; some body among the first 200 must need it.
    bodies = (f"{n:08d}" for n in range(200))
    assert any(org_code_with_check(b).endswith("X") for b in bodies)


def test_make_uscc_round_trips() -> None:
    assert make_uscc("9", "1", "110000", "600037341") == PUBLISHED_USCC


@pytest.mark.parametrize(
    "args",
    [
        ("91", "1", "110000", "600037341"),
        ("９", "1", "110000", "600037341"),
        ("9", "x", "110000", "600037341"),
        ("9", "1", "11000", "600037341"),
        ("9", "1", "110000", "60003734"),
    ],
)
def test_make_uscc_rejects_bad_parts(args: tuple[str, str, str, str]) -> None:
    with pytest.raises(ValueError):
        make_uscc(*args)


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_any_completed_body_validates(digits: str, rest: str) -> None:
    code = uscc_with_check(digits + rest)
    assert validate_uscc(code) == code


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=10, max_size=10),
)
def test_wrong_check_character_is_rejected(digits: str, rest: str) -> None:
    code = digits + rest
    if code != uscc_with_check(code[:17]):
        with pytest.raises(ValueError, match="check character mismatch"):
            validate_uscc(code)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("BKCHCNBJ", "BKCHCNBJ"),
        ("bkchcnbj300", "BKCHCNBJ300"),
        ("DEUT DE FF", "DEUTDEFF"),
        ("PRCBCNG0SZN", "PRCBCNG0SZN"),
    ],
)
def test_bic_accepts(raw: str, normal: str) -> None:
    assert validate_bic(raw) == normal


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("BKCHCNB", "wrong length"),
        ("BKCHCNBJ30", "wrong length"),
        ("BKCHQQBJ", "unknown country code 'QQ'"),
        ("BKCHUKBJ", "unknown country code 'UK'"),
        ("BK1HCNBJ", "invalid institution code"),
        ("BKCHC1BJ", "invalid country code"),
        ("BKCHCNB_", "invalid location code"),
        ("BKCHCNBJ*AB", "invalid branch code"),
    ],
)
def test_bic_rejections_say_why(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_bic(raw)


@pytest.mark.parametrize("raw", ["5300", "5100", " 3100 ", "0100"])
def test_customs_code_accepts_four_digits(raw: str) -> None:
    assert validate_customs_code(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["530", "53000", "53A0", "", "0000", "５３００"])
def test_customs_code_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        validate_customs_code(raw)


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("440305", "county", "440300"),
        ("440300", "prefecture", "440000"),
        ("440000", "province", None),
        ("110101", "county", "110100"),
        ("110100", "prefecture", "110000"),
        ("429004", "county", "429000"),
    ],
)
def test_division_level_and_parent(code: str, level: str, parent: str | None) -> None:
    assert division_level(code) == level
    assert division_parent(code) == parent


@pytest.mark.parametrize("raw", ["44030", "4403055", "44a305", "000000", "810000", "440005"])
def test_division_code_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        validate_division_code(raw)

"""The reach's pairs, and the top enterprises found from the largest totals down: the same
answer as summing every enterprise, reading only the enterprises it needs."""

from __future__ import annotations

import random

import pytest

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind
from crossfin.parties.stats.models import ANY_BANK
from crossfin.parties.stats.reach import ANY_CLASS, ANY_SCENARIO, ReachKey, contribution
from crossfin.parties.stats.upkeep import ServedKey, Tally, write
from crossfin.supervision.stats import top
from crossfin.supervision.stats.query import StatsQuery
from crossfin.supervision.stats.top import top_enterprises
from support.parties import make_party
from support.payments import caller_of
from support.stats_cells import path_of

MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04")


def test_an_enterprise_adds_each_active_month_with_the_one_before() -> None:
    path = "/000000/440000/440300/440305/"
    groups = {
        (path, "2026-03", "F1", "A", 5): 2,
        (path, "2026-01", "F1", "A", 5): 1,
        (path, "2026-02", "P3", "B", 6): 1,
        (path, "2026-04", "F1", "A", 5): 0,  # taken back: not active
    }
    found = contribution(groups, "small")
    any_scenario = [k for k in found if k.scenario == ANY_SCENARIO]
    county = {(k.trade_class, k.month, k.previous) for k in any_scenario if k.depth == 3}
    assert {k.bank_org_id for k in found if k.depth == 3} == {ANY_BANK}
    assert county == {
        ("A", "2026-01", ""),
        ("A", "2026-03", "2026-01"),
        ("B", "2026-02", ""),
        (ANY_CLASS, "2026-01", ""),
        (ANY_CLASS, "2026-02", "2026-01"),
        (ANY_CLASS, "2026-03", "2026-02"),
    }
    star, any_bank = ANY_SCENARIO, ANY_BANK
    assert found[ReachKey(0, "/000000/", star, star, any_bank, "small", "2026-03", "2026-02")] == 1
    # Per scenario: F1 served in January and March, P3 in February only.
    assert found[ReachKey(3, path, "F1", star, any_bank, "small", "2026-03", "2026-01")] == 1
    assert found[ReachKey(3, path, "P3", "B", any_bank, "small", "2026-02", "")] == 1
    # Per bank at the root and the province only: bank 5 served in January and March.
    assert found[ReachKey(1, path[:15], star, star, 5, "small", "2026-03", "2026-01")] == 1
    assert not any(k.bank_org_id == 5 for k in found if k.depth > 1)
    assert {k.area_path for k in found} == {path[:n] for n in (8, 15, 22, 29)}
    assert all(n == 1 for n in found.values())


@pytest.fixture
def firms(db: Database) -> list[int]:
    """40 enterprises in Shenzhen: twelve giants served most in January to March and a
    token amount in April; the others heavy-tailed over all four months. April's top is
    then found among the smaller totals, after the giants' first batch."""
    rng = random.Random(7)
    nanshan, futian = path_of(db, "440305"), path_of(db, "440304")
    ids = [make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305").org_id for _ in range(40)]
    tally = Tally()
    for n, org in enumerate(ids):
        place = nanshan if n % 3 else futian
        weight = 10**9 * (12 - n) if n < 12 else int(10**6 * rng.paretovariate(1.2))
        for month in MONTHS:
            if n < 12:
                usd = 1 + n if month == "2026-04" else weight
            elif rng.random() < 0.7:
                usd = weight + rng.randrange(100)
            else:
                continue
            tally.served[ServedKey(place, month, "F1", "A", 0, org)] = (1, usd)
    with db.session() as session:
        write(session, tally)
        session.commit()
    return ids


@pytest.mark.parametrize(
    "query",
    [
        StatsQuery(),
        StatsQuery(month_from="2026-02"),
        StatsQuery(month_from="2026-04", month_to="2026-04"),
        StatsQuery(jurisdiction="440304"),
        StatsQuery(scenario="F1", month_to="2026-02"),
        StatsQuery(trade_class="B"),
    ],
)
def test_the_bound_gives_the_summed_answer(
    db: Database, firms: list[int], query: StatsQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = caller_of(db, make_party(db, OrgKind.REGULATOR, jurisdiction="000000"))
    read: list[int] = []
    summed = top._summed

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = summed(*args, **kwargs)
        if args[-1] is not None:
            read.extend(args[-1])
        return found

    monkeypatch.setattr(top, "_summed", spy)
    with db.session(readonly=True) as session:
        bounded = top_enterprises(session, head, query, 3)
        monkeypatch.setattr(top, "MAX_READ", 0)
        plain = top_enterprises(session, head, query, 3)
    assert bounded == plain
    if query == StatsQuery():
        assert len(bounded) == 3
        assert len(read) < len(firms)  # it stopped before reading every enterprise

"""The rollups, the reach and the enterprise totals: kept by the upkeep's `write` exactly
as the SQL backfill derives them from the cells and served rows, compared by the recount,
and read by `figures` / `top_enterprises` with the same answers as the cells give."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.errors import ValidationFailed
from crossfin.parties.access import Caller
from crossfin.parties.models import Jurisdiction, OrgKind
from crossfin.parties.stats.backfill import fill_cell_rollups, fill_reach, fill_rollups
from crossfin.parties.stats.models import StatCellRollup, StatRollup
from crossfin.parties.stats.reach import reach_of, sizes_of
from crossfin.parties.stats.upkeep import CellKey, ServedKey, Tally, write
from crossfin.supervision.stats import figures as figures_module
from crossfin.supervision.stats import top
from crossfin.supervision.stats.figures import Plan, figures
from crossfin.supervision.stats.query import StatsQuery, scope_of
from crossfin.supervision.stats.recount import check, stored
from crossfin.supervision.stats.top import top_enterprises
from support.financing import declaration, make_firms
from support.parties import make_party
from support.payments import caller_of
from support.stats import register
from support.stats_cells import set_size

runner = CliRunner()
MONTHS = ("2025-12", "2026-01", "2026-02", "2026-03")
SCENARIOS = ("F1", "F4", "P3", "")
CURRENCIES = ("USD", "EUR", "")
CLASSES = ("A", "B", "")
MEASURES = ("registered", "facilitated", "outstanding", "verified")


def _places(db: Database) -> list[str]:
    """Counties of Guangdong and Shanghai, 东莞 (a prefecture-level city without counties:
    its path is a prefecture's), and the no-county sentinel."""
    with db.session(readonly=True) as session:
        rows = session.execute(
            select(Jurisdiction.path).where(
                Jurisdiction.level == "county",
                Jurisdiction.code.in_(["440305", "440304", "440106", "440103", "310115"]),
            )
        ).scalars()
        dongguan = session.scalar(select(Jurisdiction.path).where(Jurisdiction.code == "441900"))
    places = sorted(rows)
    assert len(places) == 5 and dongguan is not None and len(dongguan) == 22
    return [*places, dongguan, ""]


def _random_tally(
    rng: random.Random, places: list[str], orgs: list[int], banks: list[int]
) -> Tally:
    tally = Tally()
    for _ in range(120):
        key = CellKey(
            rng.choice(places),
            rng.choice(MONTHS),
            rng.choice(SCENARIOS),
            rng.choice(CURRENCIES),
            rng.choice(CLASSES),
            rng.choice(banks),
            rng.choice(MEASURES),
        )
        usd = rng.randrange(0, 10**6)
        tally.cells[key] = (rng.randint(1, 5), usd * 7, usd)
    for _ in range(60):
        org = rng.choice(orgs)
        # An enterprise served sits in its seat's county, whatever the record.
        key2 = ServedKey(
            places[org % (len(places) - 1)],
            rng.choice(MONTHS),
            rng.choice(SCENARIOS[:3]),
            rng.choice(CLASSES[:2]),
            rng.choice(banks),
            org,
        )
        tally.served[key2] = (rng.randint(1, 3), rng.randrange(1, 10**6))
    return tally


def _negated(tally: Tally, rng: random.Random) -> Tally:
    """Some of the tally's entries taken back: cells and served rows back to zero."""
    back = Tally()
    back.cells = {k: (-c, -a, -u) for k, (c, a, u) in tally.cells.items() if rng.random() < 0.3}
    back.served = {k: (-c, -u) for k, (c, u) in tally.served.items() if rng.random() < 0.3}
    return back


def _write(db: Database, tally: Tally) -> None:
    with db.session() as session:
        write(session, tally)
        session.commit()


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    """Random cells and served rows written through the upkeep in several transactions,
    some taken back; enterprises of every size; regulators at each level."""
    rng = random.Random(12)
    firms = [make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305") for _ in range(6)]
    for firm, size in zip(firms, ("micro", "small", "large", None, "medium", "micro"), strict=True):
        set_size(db, firm.org_id, size)
    banks = [0, make_party(db, OrgKind.BANK).org_id, make_party(db, OrgKind.BANK).org_id]
    places = _places(db)
    for _ in range(3):
        tally = _random_tally(rng, places, [f.org_id for f in firms], banks)
        _write(db, tally)
        _write(db, _negated(tally, rng))
    regulators = {
        code: make_party(db, OrgKind.REGULATOR, jurisdiction=code)
        for code in ("000000", "440000", "440300", "310000", "441900")
    }
    return {"regulators": regulators, "banks": banks}


def test_the_upkeep_keeps_the_rollups_the_sql_backfill_derives(db: Database, world) -> None:
    with db.session(readonly=True) as session:
        kept = stored(session)
    assert kept.rollups and kept.cell_rollups and kept.totals and kept.reach
    # What the upkeep wrote equals the cells and served rows it wrote, rolled up...
    assert kept.rollups == kept.rolled_up().nonzero().rollups
    assert kept.totals == kept.rolled_up().nonzero().totals
    assert kept.cell_rollups == kept.rolled_up().nonzero().cell_rollups
    served = [(key, count) for key, (count, _) in kept.served.items()]
    with db.session(readonly=True) as session:
        sizes = sizes_of(session, {key.org_id for key, _ in served})
    assert kept.reach == {k: (n,) for k, n in reach_of(served, sizes).items() if n}
    # ... and equals what the SQL backfill (migrations 0023 and 0032, the benchmark) derives.
    with db.engine.begin() as conn:
        fill_rollups(conn)
        fill_cell_rollups(conn)
        fill_reach(conn)
    with db.session(readonly=True) as session:
        filled = stored(session)
    assert filled.rollups == kept.rollups
    assert filled.totals == kept.totals
    assert filled.cell_rollups == kept.cell_rollups
    assert filled.reach == kept.reach
    # The no-county cells roll up at every depth to the area '', 东莞 at depths 2 and 3.
    assert {k.depth for k in kept.rollups if k.area_path == ""} == {0, 1, 2}
    dongguan = {k.depth for k in kept.rollups if k.area_path.endswith("/441900/")}
    assert dongguan == {2}


def _fine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read the cells and served rows only: no rollup, no reach, no bound from the totals."""
    monkeypatch.setattr(Plan, "of", staticmethod(lambda node, query: Plan(None, None)))
    monkeypatch.setattr(top, "MAX_READ", 0)


QUERIES = [
    StatsQuery(),
    StatsQuery(group_by=("month",)),
    StatsQuery(group_by=("province",)),
    StatsQuery(group_by=("prefecture", "month")),
    StatsQuery(group_by=("county",)),
    StatsQuery(group_by=("class",), month_from="2026-01"),
    StatsQuery(group_by=("scenario",), month_to="2026-02"),
    StatsQuery(group_by=("county", "class"), trade_class="A"),
    StatsQuery(group_by=("prefecture",), scenario="F1"),
    StatsQuery(group_by=("province", "county", "month")),
    # Ranges: the reach counts each enterprise in its first month of the range.
    StatsQuery(month_from="2026-01", month_to="2026-02"),
    StatsQuery(group_by=("province",), month_from="2026-02"),
    StatsQuery(trade_class="B", month_from="2026-01", month_to="2026-03"),
    StatsQuery(group_by=("class", "month"), month_to="2026-02"),
    StatsQuery(month_from="2026-03"),
    # By bank or currency: the cell rollups and the reach per bank (root and provinces).
    StatsQuery(group_by=("bank", "class"), month_from="2026-01"),
    StatsQuery(group_by=("currency", "scenario")),
    StatsQuery(group_by=("province", "bank")),
    StatsQuery(group_by=("month",), currency="EUR"),
]
WHO = {"000000": (None, "440000", "310000"), "440000": (None, "440300"), "440300": (None,)}


def _answers(db: Database, regulators: dict[str, Any], banks: list[int]) -> list[Any]:
    found = []
    by_bank = [
        StatsQuery(group_by=("class",), bank_org_id=banks[1]),
        StatsQuery(bank_org_id=banks[2], month_from="2026-02"),
    ]
    with db.session(readonly=True) as session:
        for code, nodes in WHO.items():
            caller: Caller = caller_of(db, regulators[code])
            for node in nodes:
                for query in [*QUERIES, *by_bank]:
                    asked = replace(query, jurisdiction=node)
                    found.append(figures(session, caller, asked))
                    if not asked.currency:  # ranked in USD across currencies only
                        found.append(top_enterprises(session, caller, asked, 5))
    return found


def test_figures_from_the_rollups_equal_figures_from_the_cells(
    db: Database, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    regulators = world["regulators"]
    rolled = _answers(db, regulators, world["banks"])
    with db.session(readonly=True) as session:
        caller = caller_of(db, regulators["000000"])
        for query in QUERIES:  # the rollups were read, not the cells
            plan = Plan.of(scope_of(session, caller, query), query)
            by_county = "county" in query.group_by  # a county's rollup is its cells
            assert (plan.depth is None) == by_county
            assert plan.served_depth is not None  # the reach, by scenario too
    _fine(monkeypatch)
    fine = _answers(db, regulators, world["banks"])
    assert rolled == fine
    assert any(rows and rows[0].get("enterprises") for rows in fine)  # not all empty


def test_a_query_by_currency_or_bank_reads_the_cells_below_a_province(db: Database, world) -> None:
    head = caller_of(db, world["regulators"]["000000"])
    with db.session(readonly=True) as session:
        for code, wide in ((None, True), ("440000", True), ("440300", False)):
            for query in (
                StatsQuery(group_by=("currency",), jurisdiction=code),
                StatsQuery(group_by=("bank",), jurisdiction=code),
                StatsQuery(currency="EUR", jurisdiction=code),
                StatsQuery(bank_org_id=world["banks"][1], jurisdiction=code),
            ):
                plan = Plan.of(scope_of(session, head, query), query)
                assert (plan.cells is StatCellRollup) == wide
                assert (plan.depth is None) == (not wide)
                assert figures_module.figures(session, head, query) is not None


def test_a_regulator_reads_no_rollup_outside_its_subtree(db: Database, world) -> None:
    regulators = world["regulators"]
    with db.session(readonly=True) as session:
        shanghai = figures(session, caller_of(db, regulators["310000"]), StatsQuery())
        dongguan = figures(session, caller_of(db, regulators["441900"]), StatsQuery())
        by_county = figures(
            session,
            caller_of(db, regulators["440300"]),
            StatsQuery(group_by=("county",)),
        )
    codes = {r["county"]["code"] for r in by_county}
    assert codes and all(code.startswith("4403") for code in codes)
    head = caller_of(db, regulators["000000"])
    with db.session(readonly=True) as session:
        everything = figures(session, head, StatsQuery(group_by=("province",)))
        east = figures(session, head, StatsQuery(jurisdiction="310000"))
    provinces = {(r["province"] or {}).get("code") for r in everything}
    assert provinces == {"440000", "310000", None}  # None: the no-county cells
    assert shanghai == east
    assert dongguan and dongguan != shanghai


def test_recount_check_names_a_tampered_rollup(client, db: Database, db_url: str) -> None:
    firms = make_firms(db)
    register(client, firms, [declaration(db, firms, "300.00")], "200.00")
    assert check(db).differences == []
    with db.engine.begin() as conn:
        conn.execute(
            update(StatRollup).where(StatRollup.depth == 1).values(count=StatRollup.count + 1)
        )
    env = {"CROSSFIN_DATABASE_URL": db_url}
    bad = runner.invoke(cli, ["stats", "recount", "--check", "--json"], env=env)
    assert bad.exit_code == 1, bad.output
    found = json.loads(bad.stdout)["differences"]
    assert {d["table"] for d in found} == {"stats_rollups"}
    assert {d["key"]["depth"] for d in found} == {1}
    assert all(d["key"]["area_path"] == "/000000/440000/" for d in found)
    assert all(d["stored"]["count"] == d["recounted"]["count"] + 1 for d in found)
    fixed = runner.invoke(cli, ["stats", "recount"], env=env)
    assert fixed.exit_code == 0, fixed.output
    assert check(db).differences == []


@pytest.mark.parametrize(
    "query",
    [
        StatsQuery(group_by=("county", "month"), with_enterprises=False),  # the cells
        StatsQuery(group_by=("prefecture", "month")),  # the rollups and the reach
        StatsQuery(group_by=("county", "scenario")),  # the cells and the served rows
    ],
)
def test_too_many_groups_are_refused_naming_group_by(
    db: Database, world, query: StatsQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = caller_of(db, world["regulators"]["000000"])
    with db.session(readonly=True) as session:
        assert len(figures(session, head, query)) > 2
        monkeypatch.setattr(figures_module, "MAX_GROUPS", 2)
        with pytest.raises(ValidationFailed) as refused:
            figures(session, head, query)
    assert "query.group_by" in str(refused.value)

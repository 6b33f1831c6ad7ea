"""`crossfin jurisdictions update FILE`: a newer edition adds, renames and retires divisions.

Each test writes a real edition file: the shipped table with the changes a new edition
would bring, in the shipped format, and runs the command on the test database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from crossfin.cli.main import app
from crossfin.core.db import Database
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.jurisdiction_data import COLUMNS, DATA_FILE
from crossfin.parties.models import Jurisdiction, JurisdictionChange, Organization, OrgKind
from support.db import clean, restore_jurisdictions
from support.parties import make_party, org_in

runner = CliRunner()
SHIPPED = Path(__file__).resolve().parents[2] / "src/crossfin/parties/data" / DATA_FILE
Rows = list[dict[str, str]]


@pytest.fixture
def cli_env(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path
    clean(db)  # the firms first: they may sit in a division the edition added
    restore_jurisdictions(db)


def edition(folder: Path, name: str, change: Callable[[Rows], Rows]) -> Path:
    """Write the shipped table, changed by `change`, as edition file `name`.csv."""
    with open(SHIPPED, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    path = folder / f"{name}.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(change(rows), key=lambda r: r["code"]))
    return path


def update(path: Path) -> Result:
    return runner.invoke(app, ["jurisdictions", "update", str(path), "--json"])


def node(db: Database, code: str) -> Jurisdiction | None:
    with db.session() as session:
        found = session.get(Jurisdiction, code)
        if found is not None:
            session.expunge(found)
        return found


def _edition_2025(rows: Rows) -> Rows:
    """A new district, a renamed county and a county merged into its neighbour."""
    for row in rows:
        if row["code"] == "440305":  # 南山区 renamed, same code
            row |= {"name_zh": "南山新区", "name_en": "Nanshan New Area"}
        if row["code"] == "440306":  # 宝安区 merged into 南山区
            row |= {"retired": "2025", "successor": "440305"}
    new = {"code": "440312", "parent": "440300", "level": "county", "name_zh": "前海区"}
    return [*rows, new | {"name_en": "Qianhai District", "retired": "", "successor": ""}]


def test_add_rename_retire_once_with_history(
    cli_env: Path, db: Database, client: TestClient
) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440306")  # before the merger
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    guangdong = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    result = update(edition(cli_env, "gbt2260-2025", _edition_2025))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary == {
        "edition": "gbt2260-2025",
        "added": ["440312"],
        "renamed": ["440305"],
        "retired": ["440306"],
        "restored": [],
    }
    baoan = node(db, "440306")
    assert baoan is not None and (baoan.retired, baoan.successor_code) == ("gbt2260-2025", "440305")
    nanshan = node(db, "440305")
    assert nanshan is not None and nanshan.name_zh == "南山新区"
    with db.session() as session:
        history = session.scalars(select(JurisdictionChange).order_by(JurisdictionChange.id)).all()
        assert [(h.code, h.kind) for h in history] == [
            ("440312", "added"),
            ("440305", "renamed"),
            ("440306", "retired"),
        ]
        assert history[1].name_zh_before == "南山区"
        types = session.scalars(
            select(LedgerEvent.type).where(LedgerEvent.type.like("parties:juris%"))
        )
        assert sorted(types) == [
            "parties:jurisdiction:add",
            "parties:jurisdiction:rename",
            "parties:jurisdiction:retire",
        ]
    # The firm in the retired county still resolves, and its regulators still see it.
    for regulator in (shenzhen, guangdong):
        seen = client.get(f"/v1/orgs/{firm.org_id}", headers=regulator.headers)
        assert seen.status_code == 200 and seen.json()["jurisdiction"] == "440306"
    tree = client.get("/v1/jurisdictions?under=440300", headers=shenzhen.headers).json()
    retired = next(n for n in tree if n["code"] == "440306")
    assert (retired["name_zh"], retired["retired"], retired["successor"]) == (
        "宝安区",
        "gbt2260-2025",
        "440305",
    )
    # A new firm may sit in the new district, never in the retired one.
    make_party(db, OrgKind.ENTERPRISE, jurisdiction="440312")
    again = runner.invoke(
        app, ["jurisdictions", "update", str(edition(cli_env, "gbt2260-2025", _edition_2025))]
    )
    assert again.exit_code == 0, again.output
    assert "edition gbt2260-2025: 0 added, 0 renamed, 0 retired, 0 restored" in again.stdout
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(JurisdictionChange)) == 3


def test_a_retired_code_is_refused_for_new_firms_naming_the_successor(
    cli_env: Path, db: Database, client: TestClient
) -> None:
    # 下城区 was merged into 拱墅区 in 2021; the shipped table keeps it as retired.
    operator = make_party(db, OrgKind.OPERATOR)
    body = org_in(OrgKind.ENTERPRISE, jurisdiction="330103").model_dump(mode="json")
    res = client.post("/v1/orgs", json=body, headers=operator.headers)
    assert res.status_code == 422
    error = res.json()["errors"][0]
    assert error["field"] == "jurisdictions[0]" and "330105" in error["reason"]
    with db.session() as session:
        assert not session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.kind == OrgKind.ENTERPRISE.value)
        )


def _drop(code: str) -> Callable[[Rows], Rows]:
    return lambda rows: [r for r in rows if r["code"] != code]


def test_dropping_a_county_where_firms_sit_is_refused_and_changes_nothing(
    cli_env: Path, db: Database
) -> None:
    make_party(db, OrgKind.ENTERPRISE, jurisdiction="440307")  # 龙岗区

    def change(rows: Rows) -> Rows:
        return _edition_2025(_drop("440307")(rows))

    result = update(edition(cli_env, "bad", change))
    assert result.exit_code == 1
    assert "440307 (1 enterprises)" in result.output
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(JurisdictionChange)) == 0
        assert session.get(Jurisdiction, "440312") is None
        assert session.get_one(Jurisdiction, "440305").name_zh == "南山区"
        assert session.get_one(Jurisdiction, "440307").retired is None


def test_a_successor_under_another_prefecture_is_refused_too(cli_env: Path, db: Database) -> None:
    make_party(db, OrgKind.ENTERPRISE, jurisdiction="440307")

    def change(rows: Rows) -> Rows:
        for row in rows:
            if row["code"] == "440307":
                row |= {"retired": "x", "successor": "440103"}  # a Guangzhou district
        return rows

    result = update(edition(cli_env, "far", change))
    assert result.exit_code == 1 and "440307" in result.output
    assert node(db, "440307").retired is None  # type: ignore[union-attr]


def test_an_empty_county_dropped_without_successor_is_retired(cli_env: Path, db: Database) -> None:
    result = update(edition(cli_env, "drop", _drop("440307")))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["retired"] == ["440307"]
    longgang = node(db, "440307")
    assert longgang is not None and (longgang.retired, longgang.successor_code) == ("drop", None)


def test_a_retired_division_listed_again_is_restored(cli_env: Path, db: Database) -> None:
    def relist(rows: Rows) -> Rows:
        for row in rows:
            if row["code"] == "330103":
                row |= {"retired": "", "successor": ""}
        return rows

    result = update(edition(cli_env, "relist", relist))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["restored"] == ["330103"]
    assert node(db, "330103").retired is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("code,parent\n", "expected the header"),
        (",".join(COLUMNS) + "\n440399,440300,prefecture,x,x,,\n", "line 2"),
        (
            ",".join(COLUMNS) + "\n440312,440300,county,前海区,Qianhai District,,\n",
            "before its parent",
        ),
        (",".join(COLUMNS) + "\n440000,,province,广东省,Guangdong,,440100\n", "successor"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_problem(
    cli_env: Path, db: Database, text: str, reason: str
) -> None:
    path = cli_env / "bad.csv"
    path.write_text(text, encoding="utf-8")
    result = update(path)
    assert result.exit_code == 1 and reason in result.output
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(JurisdictionChange)) == 0


def test_a_missing_file_is_a_clear_error(cli_env: Path) -> None:
    result = update(cli_env / "nowhere.csv")
    assert result.exit_code == 1 and "cannot read" in result.output

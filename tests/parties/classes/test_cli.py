"""`crossfin classes set | import` against a live server, with a regulator's key."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.parties.classes.history import history_of
from support.financing_storm import live_server
from support.payments import make_forwarders

runner = CliRunner()


def test_set_and_import(app, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    other = make_forwarders(db, banks=0, county="440106")
    path = tmp_path / "classes-2025.csv"
    path.write_text(
        "uscc,class,effective_from,period,reason\n"
        f"{other.uscc},C,,2025,serious breaches\n"
        f"{other.uscc},B,,2025,twice\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.csv"
    with live_server(app) as base:
        env = {"CROSSFIN_SERVER": base, "CROSSFIN_API_KEY": fw.regulator.key}
        done = runner.invoke(
            cli,
            ["classes", "set", fw.uscc, "b", "--reason", "late receipts", "--period", "2025"],
            env=env,
        )
        assert done.exit_code == 0, done.output
        assert f"{fw.uscc}: class B from" in done.stdout
        refused = runner.invoke(
            cli,
            ["classes", "set", fw.uscc, "B", "--reason", "x", "--effective", "2001-01-01"],
            env=env,
        )
        assert refused.exit_code == 1 and "effective_from" in refused.output
        by_bank = runner.invoke(
            cli,
            ["classes", "set", fw.uscc, "C", "--reason", "x"],
            env=env | {"CROSSFIN_API_KEY": fw.banks[0].key},
        )
        assert by_bank.exit_code == 1 and "no enterprise" in by_bank.output
        imported = runner.invoke(cli, ["classes", "import", str(path), "--out", str(out)], env=env)
        assert imported.exit_code == 1, imported.output  # the second row is refused
        assert "1 of 2 rows applied" in imported.output
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert [(r["row"], r["outcome"], r["field"]) for r in rows] == [
            ("2", "applied", ""),
            ("3", "rejected", "uscc"),
        ]
        again = runner.invoke(cli, ["classes", "import", str(path)], env=env)
        assert again.exit_code == 1 and again.stdout.startswith("row,uscc,class")
        bad = tmp_path / "bad.csv"
        bad.write_text("uscc,klass\n", encoding="utf-8")
        assert runner.invoke(cli, ["classes", "import", str(bad)], env=env).exit_code == 1
    with db.session(readonly=True) as session:
        assert [r.trade_class for r in history_of(session, fw.payer.org_id)] == ["B", "A"]
        assert [r.trade_class for r in history_of(session, other.payer.org_id)] == ["C", "A"]

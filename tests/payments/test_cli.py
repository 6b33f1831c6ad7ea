"""`crossfin payments apply` (through the API, in parts) and `crossfin payments gates`."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from support.financing_storm import live_server
from support.payments import as_xlsx, freight_invoice, make_forwarders, row

runner = CliRunner()


def test_apply_an_xlsx_template_in_parts_and_rerun(app, db, tmp_path):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    docs = [freight_invoice(db, fw) for _ in range(5)]
    rows = [row(fw, d, f"C-{i}") for i, d in enumerate(docs)]
    rows.append(row(fw, docs[0], "C-dup"))
    path = tmp_path / "freight.xlsx"
    path.write_bytes(as_xlsx(rows))
    out = tmp_path / "results.csv"
    with live_server(app) as base:
        env = {"CROSSFIN_SERVER": base, "CROSSFIN_API_KEY": fw.banks[0].key}
        first = runner.invoke(
            cli, ["payments", "apply", str(path), "--out", str(out), "--part", "2"], env=env
        )
        assert first.exit_code == 1, first.output  # the duplicate row is refused
        results = list(csv.DictReader(io.StringIO(out.read_text())))
        assert [r["row"] for r in results] == ["2", "3", "4", "5", "6", "7"]
        assert [r["outcome"] for r in results] == ["submitted"] * 5 + ["refused"]
        assert results[-1]["problem"] == "already-used"
        again = runner.invoke(cli, ["payments", "apply", str(path), "--part", "2"], env=env)
        assert again.exit_code == 1
        assert next(iter(csv.DictReader(io.StringIO(again.stdout))))["outcome"] == "submitted"


def test_gates_show_and_set(db, db_url):  # type: ignore[no-untyped-def]
    env = {"CROSSFIN_DATABASE_URL": db_url}
    shown = runner.invoke(cli, ["payments", "gates", "show", "--json"], env=env)
    assert json.loads(shown.stdout)["rules"]["P1"]["B"] == "refused"
    changed = runner.invoke(
        cli, ["payments", "gates", "set", "P3", "B", "refused", "--reason", "pilot"], env=env
    )
    assert changed.exit_code == 0, changed.output
    assert "v1" in changed.stdout
    bad = runner.invoke(
        cli, ["payments", "gates", "set", "P9", "B", "refused", "--reason", "x"], env=env
    )
    assert bad.exit_code != 0
    scoped = runner.invoke(
        cli, ["payments", "scope", "P3", "450700", "--reason", "Qinzhou"], env=env
    )
    assert scoped.exit_code == 0, scoped.output

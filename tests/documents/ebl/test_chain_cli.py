"""`crossfin documents ebl step|chain` against a live server."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from support.documents import live_server
from support.ebl import body
from support.financing import bill_of_lading, make_firms


def test_sign_record_and_show(client, db, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    bl = bill_of_lading(db, firms)
    key = tmp_path / "carrier.key"
    step = tmp_path / "issue.json"
    step.write_text(json.dumps(body(bl.key, 1, "issue", to={"uscc": firms.uscc})))
    bad = tmp_path / "endorse.json"
    bad.write_text(json.dumps(body(bl.key, 1, "endorse", to={"name": "X"})))
    run = CliRunner().invoke
    with live_server(settings, db) as url:
        env = {"CROSSFIN_SERVER": url, "CROSSFIN_API_KEY": firms.logistics.key}
        assert run(cli, ["source-key", "generate", "carrier-1", "--out", str(key)]).exit_code == 0
        assert (
            run(cli, ["source-key", "register", "--signing-key", str(key)], env=env).exit_code == 0
        )
        done = run(cli, ["documents", "ebl", "step", str(step), "--signing-key", str(key)], env=env)
        assert done.exit_code == 0, done.output
        assert f"{bl.key}: held; holder {firms.uscc}" in done.output
        refused = run(
            cli, ["documents", "ebl", "step", str(bad), "--signing-key", str(key)], env=env
        )
        assert refused.exit_code == 1 and "ebl-step-out-of-order" in refused.output
        shown = run(cli, ["documents", "ebl", "chain", bl.key, "--json"], env=env)
        assert shown.exit_code == 0, shown.output
        chain = json.loads(shown.output)
        assert chain["holder"]["uscc"] == firms.uscc and len(chain["steps"]) == 1
        outsider = {**env, "CROSSFIN_API_KEY": firms.banks[1].key}
        hidden = run(cli, ["documents", "ebl", "chain", bl.key], env=outsider)
        assert hidden.exit_code == 1 and "404" in hidden.output

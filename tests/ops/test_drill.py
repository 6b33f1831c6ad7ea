"""`crossfin ops drill-failover`, run for real: two PostgreSQL servers, a witness, the API
and a storm on this machine. It needs the PostgreSQL server binaries and, as root, the
`postgres` user to run the servers as; it is skipped, saying so, without them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crossfin.ops.postgres import PostgresUnavailable, find_bindir, server_user

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_failover_drill_loses_nothing_acknowledged_and_every_check_passes() -> None:
    try:
        server_user()
        find_bindir()
    except PostgresUnavailable as exc:
        pytest.skip(
            f"the drill needs the PostgreSQL server binaries (initdb, pg_ctl, "
            f"pg_basebackup, pg_rewind) and, as root, a postgres user: {exc}"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSFIN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crossfin.cli.main",
            "ops",
            "drill-failover",
            "--json",
            "--before",
            "4",
            "--after",
            "4",
            "--clients",
            "6",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.stdout.strip(), done.stderr[-4000:]
    result = json.loads(done.stdout)
    failed = [c for c in result["checks"] if not c["ok"]]
    assert done.returncode == 0 and result["ok"], (failed, result["error"], done.stderr[-4000:])
    assert result["rpo_lost"] == 0
    assert result["acknowledged_before_stop"] > 0
    assert result["acknowledged"] > result["acknowledged_before_stop"]
    assert result["rto_seconds"] is not None
    names = {c["name"] for c in result["checks"]}
    assert {
        "no acknowledged registration lost (RPO 0)",
        "`crossfin log audit` passes on the promoted node",
        "witness accepts the promoted log as consistent",
        "old primary rejoins as a synchronous standby (pg_rewind)",
    } <= names
    assert result["elapsed_seconds"] < 180

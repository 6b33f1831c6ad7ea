"""P1 post-event sampling, reproduced independently: the sample drawn through the API is
recomputed here from the signed checkpoint's text with hashlib and the rule as written in
docs/payments.md (not the app's function), and by `crossfin payments sample`; a tampered
checkpoint is refused. Then the review tasks: the bank uploads, the regulator reviews."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.settings import Settings
from crossfin.ledger.note import Signer, generate_signer, open_note, sign_note
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.parties.models import OrgKind, Role
from crossfin.payments import sampling
from crossfin.payments.p1_models import P1ReviewTask
from support.ledger import log_vkey, quiet_settings, sign
from support.parties import make_party
from support.payments import freight_invoice, make_forwarders, payment_body

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "payments.md"
PDF = b"%PDF-1.4\n% board resolution\n%%EOF\n"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No background checkpointer: the tests sign checkpoints when they mean to."""
    return quiet_settings(settings)


def rule_selects(root: bytes, payment_id: int, rate_bp: int) -> bool:
    """The rule, as docs/payments.md words it, with hashlib alone."""
    digest = hashlib.sha256(root + b"crossfin-p1-sample" + payment_id.to_bytes(8, "big"))
    return int.from_bytes(digest.digest(), "big") % 10_000 < rate_bp


def checkpoint_of(note: str) -> tuple[int, bytes]:
    """Size and root read from the signed note's text, by hand (C2SP tlog-checkpoint)."""
    text = note[: note.index("\n\n") + 1]
    _origin, size, root = text.split("\n")[:3]
    return int(size), base64.b64decode(root)


def submit_p1(client, fw, docs, n, prefix):  # type: ignore[no-untyped-def]
    """`n` P1 payments of 10.00 USD (71.00 CNY each) on `docs`; their (id, leaf index)."""
    done = []
    for i in range(n):
        body = payment_body(fw, [docs[i % len(docs)]], "10.00", ref=f"{prefix}-{i}")
        body |= {"scenario": "P1", "source_of_funds": ["capital", "foreign_debt"][i % 2]}
        res = client.post("/v1/payments", json=body, headers=fw.banks[i % 2].headers)
        assert res.status_code == 201, res.text
        done.append((res.json()["id"], res.json()["receipt"]["leaf_index"]))
    return done


def test_the_documented_rule_is_this_one() -> None:
    words = DOCS.read_text(encoding="utf-8")
    assert 'SHA-256(R || "crossfin-p1-sample" || id as 8 bytes big-endian)' in words
    assert re.search(r"mod 10,000 is below the rate", words)


def test_a_drawn_sample_is_reproduced_from_the_checkpoint(  # type: ignore[no-untyped-def]
    client, db, db_url, settings, tmp_path
):
    fw = make_forwarders(db, banks=2)
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    docs = [freight_invoice(db, fw, category="goods") for _ in range(4)]
    # A rate of 30 %, set as data: a new version, one event.
    res = client.post(
        "/v1/p1-sample-rate", json={"rate_bp": 3000, "reason": "test"}, headers=head.headers
    )
    assert res.status_code == 200 and res.json()["version"] == 1, res.text
    refused = client.post(
        "/v1/p1-sample-rate", json={"rate_bp": 3000, "reason": "x"}, headers=fw.regulator.headers
    )
    assert refused.status_code == 403
    first = submit_p1(client, fw, docs, 30, "A")
    size, _ = sign(db, settings)
    late = submit_p1(client, fw, docs, 3, "L")  # after the checkpoint: not candidates yet
    assert client.post("/v1/p1-samples", headers=fw.regulator.headers).status_code == 403
    assert client.post("/v1/p1-samples", headers=fw.banks[0].headers).status_code == 403
    res = client.post("/v1/p1-samples", headers=head.headers)
    assert res.status_code == 201, res.text
    drawn = res.json()
    assert drawn["receipt"]["event_id"]

    # Independently: the checkpoint's signature, its size and root, the rule with hashlib.
    note = drawn["checkpoint_note"]
    from crossfin.ledger.note import Verifier

    open_note(note, [Verifier.from_vkey(log_vkey(settings))])
    n, root = checkpoint_of(note)
    assert n == size == drawn["checkpoint_size"]
    candidates = sorted(pid for pid, leaf in first + late if leaf < n)
    assert candidates == sorted(pid for pid, _ in first)
    expected = [pid for pid in candidates if rule_selects(root, pid, 3000)]
    assert drawn["candidates"] == candidates and drawn["rate_bp"] == 3000
    assert drawn["selected"] == expected
    assert 0 < len(expected) < len(candidates)  # 30 % of 30: the rule actually chose

    # The CLI recomputes it from the checkpoint file and the database.
    path = tmp_path / "checkpoint.txt"
    path.write_text(note, encoding="utf-8")
    args = ["payments", "sample", "--checkpoint", str(path), "--key", log_vkey(settings)]
    out = runner.invoke(cli, [*args, "--database-url", db_url, "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["matches"] is True and report["selected"] == expected

    # A tampered checkpoint (another root, or re-signed by another key) is refused.
    lines = note.split("\n")
    lines[2] = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    path.write_text("\n".join(lines), encoding="utf-8")
    tampered = runner.invoke(cli, [*args, "--database-url", db_url])
    assert tampered.exit_code != 0 and "refused" in tampered.output
    skey, _ = generate_signer("crossfin.local/log")
    forged = sign_note(note[: note.index("\n\n") + 1], [Signer.from_skey(skey)])
    path.write_text(forged, encoding="utf-8")
    assert runner.invoke(cli, [*args, "--database-url", db_url]).exit_code != 0

    # A second draw needs a newer checkpoint; its candidates are the payments after it.
    assert client.post("/v1/p1-samples", headers=head.headers).status_code == 409
    sign(db, settings)
    again = client.post("/v1/p1-samples", headers=head.headers).json()
    assert again["previous_size"] == n and again["candidates"] == sorted(p for p, _ in late)
    _, root2 = checkpoint_of(again["checkpoint_note"])
    assert again["selected"] == [p for p, _ in late if rule_selects(root2, p, 3000)]

    # A sample recorded otherwise than the rule says is caught by the CLI.
    path.write_text(note, encoding="utf-8")
    with db.session() as session, session.begin():
        from crossfin.payments.p1_models import P1Sample

        session.execute(
            update(P1Sample)
            .where(P1Sample.checkpoint_size == n)
            .values(selected=json.dumps(candidates[:1]))
        )
    differs = runner.invoke(cli, [*args, "--database-url", db_url])
    assert differs.exit_code == 1 and "DIFFERS" in differs.output


def test_review_tasks_upload_and_review(client, db, settings):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=2)
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    elsewhere = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="110000")
    docs = [freight_invoice(db, fw, category="goods")]
    client.post(
        "/v1/p1-sample-rate", json={"rate_bp": 10000, "reason": "all"}, headers=head.headers
    )
    paid = submit_p1(client, fw, docs, 2, "R")
    sign(db, settings)
    drawn = client.post("/v1/p1-samples", headers=head.headers).json()
    assert drawn["selected"] == sorted(p for p, _ in paid)  # 100 %: every one
    tasks = client.get("/v1/p1-review-tasks", headers=fw.banks[0].headers).json()["items"]
    assert [t["payment_id"] for t in tasks] == [paid[0][0]] and tasks[0]["state"] == "open"
    task = tasks[0]["id"]
    other_task = client.get("/v1/p1-review-tasks", headers=fw.banks[1].headers).json()
    assert [t["payment_id"] for t in other_task["items"]] == [paid[1][0]]
    assert client.get(f"/v1/p1-review-tasks/{task}", headers=fw.banks[1].headers).status_code == 404
    assert client.get(f"/v1/p1-review-tasks/{task}", headers=elsewhere.headers).status_code == 404
    assert (
        client.get(f"/v1/p1-samples/{drawn['id']}", headers=fw.banks[0].headers).status_code == 404
    )
    sub = client.get(f"/v1/p1-samples/{drawn['id']}", headers=elsewhere.headers).json()
    assert sub["selected"] == [] and sub["candidates"] == []

    def upload(party, files):  # type: ignore[no-untyped-def]
        return client.post(
            f"/v1/p1-review-tasks/{task}/papers", json={"files": files}, headers=party.headers
        )

    paper = {"name": "resolution.pdf", "media_type": "application/pdf"}
    pdf = base64.b64encode(PDF).decode()
    assert (
        upload(fw.banks[0], [paper | {"content": base64.b64encode(b"MZ").decode()}]).status_code
        == 422
    )
    assert (
        upload(fw.banks[0], [paper | {"media_type": "text/html", "content": pdf}]).status_code
        == 422
    )
    assert upload(fw.regulator, [paper | {"content": pdf}]).status_code == 403
    res = upload(fw.banks[0], [paper | {"content": pdf}])
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["state"] == "papers_uploaded"
    assert body["papers"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    got = client.get(
        f"/v1/p1-review-tasks/{task}/papers/{body['papers'][0]['id']}", headers=fw.regulator.headers
    )
    assert got.status_code == 200 and got.content == PDF

    review = {"outcome": "compliant", "note": "resolution and invoices agree"}
    url = f"/v1/p1-review-tasks/{task}/review"
    assert client.post(url, json=review, headers=fw.banks[0].headers).status_code == 403
    assert client.post(url, json=review, headers=elsewhere.headers).status_code == 404
    res = client.post(url, json=review, headers=fw.regulator.headers)
    assert res.status_code == 200, res.text
    assert res.json()["state"] == "reviewed" and res.json()["outcome"] == "compliant"
    assert client.post(url, json=review, headers=fw.regulator.headers).status_code == 409
    assert upload(fw.banks[0], [paper | {"name": "late.pdf", "content": pdf}]).status_code == 409

    # Every state change committed its result: the audit agrees, and names a change.
    views = StateViews(sampling.state_views())
    report = audit_state_database(db, views)
    assert report.ok, report.as_dict()
    with db.session() as session, session.begin():
        session.execute(
            update(P1ReviewTask).where(P1ReviewTask.id == task).values(outcome="non_compliant")
        )
    assert [(d.table, d.row_id) for d in audit_state_database(db, views).divergent] == [
        ("p1_review_tasks", task)
    ]


def test_the_cli_recomputes_from_the_server(app, client, db, settings, tmp_path):  # type: ignore[no-untyped-def]
    from support.financing_storm import live_server

    fw = make_forwarders(db, banks=2)
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    docs = [freight_invoice(db, fw, category="goods") for _ in range(2)]
    paid = submit_p1(client, fw, docs, 12, "S")
    sign(db, settings)
    drawn = client.post("/v1/p1-samples", headers=head.headers).json()
    size, root = checkpoint_of(drawn["checkpoint_note"])
    assert drawn["selected"] == [p for p, _ in paid if rule_selects(root, p, 500)]
    assert size == drawn["checkpoint_size"]
    path = tmp_path / "checkpoint.txt"
    path.write_text(drawn["checkpoint_note"], encoding="utf-8")
    args = ["payments", "sample", "--checkpoint", str(path), "--key", log_vkey(settings)]
    with live_server(app) as base:
        env = {"CROSSFIN_SERVER": base, "CROSSFIN_API_KEY": head.key}
        out = runner.invoke(cli, [*args, "--from-server", "--json"], env=env)
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["matches"] is True
        # A bank's key sees no sample: nothing recorded to compare with.
        env["CROSSFIN_API_KEY"] = fw.banks[0].key
        assert runner.invoke(cli, [*args, "--from-server"], env=env).exit_code == 1


def test_concurrent_draws_never_overlap(db, settings):  # type: ignore[no-untyped-def]
    """Draws racing on threads: each P1 payment is a candidate of one sample at most."""
    import threading

    from crossfin.ledger.uow import UnitOfWork
    from support.parties import TEST_ACTOR
    from support.payments import submit

    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw, category="goods")
    for _ in range(6):
        body = payment_body(fw, [doc], "10.00") | {"scenario": "P1", "source_of_funds": "capital"}
        submit(db, fw.banks[0], body)
        sign(db, settings)
    results: list[object] = []

    def draw() -> None:
        try:
            with UnitOfWork(db, TEST_ACTOR) as uow:
                sample, _ = sampling.draw(uow, None, 0)
                uow.commit()
                results.append(json.loads(sample.candidates))
        except Exception as exc:  # noqa: BLE001
            results.append(exc)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    drawn = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if not isinstance(r, list)]
    assert len(drawn) == 1 and len(drawn[0]) == 6, results
    assert all(getattr(r, "status", None) == 409 for r in refused), refused

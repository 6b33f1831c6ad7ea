"""The demo load: parties, then trade documents published as signed batches, then consents."""

from __future__ import annotations

import json
import re
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from crossfin.cli.main import app as cli_app
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.documents import CONSENTS, KEY_DIR
from crossfin.demo.loader import DemoResult, load_demo
from crossfin.demo.trade import DemoBatch, demo_batches
from crossfin.documents.access.models import Consent
from crossfin.documents.ingest.models import Batch, SourceKey
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document
from crossfin.ledger.models import LogHead
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Organization
from support.parties import TEST_ACTOR

README = Path(__file__).resolve().parents[2] / "README.md"
BATCHES = demo_batches()
# demo/scenarios_f3_f6_f8.py publishes one import declaration, one rail consignment note
# and one warehouse receipt, each in a batch of its own.
SCENARIO_BATCHES = {
    "demo-f3f6f8-customs-sz-customs_declaration",
    "demo-f3f6f8-carrier-rail_consignment_note",
    "demo-f3f6f8-warehouse-warehouse_receipt",
}
TOTAL = sum(len(b.records) for b in BATCHES) + len(SCENARIO_BATCHES)


def load(db: Database, data_dir: Path) -> DemoResult:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        result = load_demo(uow, data_dir)
        uow.commit()
    return result


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [r for b in BATCHES if b.kind == kind for r in b.records]


def snapshot(db: Database) -> dict[str, Any]:
    with db.session(readonly=True) as session:
        docs = Counter(
            dict(session.execute(select(Document.kind, func.count()).group_by(Document.kind)).all())
        )
        return {
            "documents": docs,
            "ledger": session.scalar(select(LogHead.size)),
            "keys": session.scalar(select(func.count()).select_from(SourceKey)),
            "consents": session.scalar(select(func.count()).select_from(Consent)),
        }


# --- the dataset alone ------------------------------------------------------------------


def test_dataset_is_deterministic_valid_and_sized_as_promised() -> None:
    assert demo_batches() == BATCHES
    counts = Counter({b.kind: 0 for b in BATCHES})
    for batch in BATCHES:
        spec = get_kind(batch.kind)
        keys = [spec.key_of(spec.validate(r)) for r in batch.records]  # raises if invalid
        assert len(set(keys)) == len(keys), batch.ref
        counts[batch.kind] += len(batch.records)
    flags = Counter(r["declaration_no"][8] for r in by_kind("customs_declaration"))
    assert flags == {"0": 300, "1": 12}
    assert counts == {
        "customs_declaration": 312,
        "vat_invoice": 100,
        "insurance_policy": 10,
        "bill_of_lading": 30 + 2,  # two of the offshore trader (P4)
        "warehouse_receipt": 10,
        "tax_filing": 10,
        "overseas_customs_declaration": 2,
        "transport_event": 8,
    }
    assert len({b.ref for b in BATCHES}) == len(BATCHES)
    dated = ("export_date", "issue_date", "filing_date", "acceptance_date", "event_datetime")
    dates = {
        next((r[k] for k in dated if k in r), None) or r["valid_from"]
        for b in BATCHES
        for r in b.records
    }
    assert all(d.startswith("2026-") for d in dates)


def test_dataset_links_shipments_across_kinds() -> None:
    declarations = {r["declaration_no"]: r for r in by_kind("customs_declaration")}
    abroad = {r["transport_document_no"]: r for r in by_kind("overseas_customs_declaration")}
    for lading in by_kind("bill_of_lading"):
        if lading["bl_no"] in abroad:  # offshore (P4): declared abroad, never in China
            assert abroad[lading["bl_no"]]["enterprise_uscc"] == lading["shipper_uscc"]
            continue
        shipped = [d for d in declarations.values() if d.get("bill_no") == lading["bl_no"]]
        assert len(shipped) == 1, lading["bl_no"]
        assert shipped[0]["enterprise_uscc"] == lading["shipper_uscc"]
    for policy in by_kind("insurance_policy"):
        assert policy["declarations"]
        for number in policy["declarations"]:
            covered = declarations[number]
            assert covered["enterprise_uscc"] == policy["insured_uscc"]
            assert covered["buyer_name"] == policy["buyer_name"]
            assert policy["valid_from"] <= covered["export_date"] <= policy["valid_to"]
    owners = {o.uscc for o in demo_orgs() if o.kind == "enterprise"}
    for batch in BATCHES:
        spec = get_kind(batch.kind)
        assert {spec.owner_uscc_of(r) for r in batch.records} <= owners, batch.ref


# --- loading ----------------------------------------------------------------------------


def test_demo_load_publishes_every_document_once(db: Database, settings: Settings) -> None:
    first = load(db, settings.data_dir)
    assert (first.documents_added, first.consents_added) == (TOTAL, len(CONSENTS))
    before = snapshot(db)
    assert before["documents"] == Counter(
        {
            "customs_declaration": 312 + 1,  # the F3 import declaration
            "vat_invoice": 100,
            "insurance_policy": 10,
            "bill_of_lading": 30 + 2,  # two of the offshore trader (P4)
            "warehouse_receipt": 10 + 1,  # F8's
            "tax_filing": 10,
            "overseas_customs_declaration": 2,
            "transport_event": 8,
            "rail_consignment_note": 1,  # F6's
        }
    )
    sources = {b.source for b in BATCHES}
    assert before["keys"] == len(sources)
    for source in sources:
        key_file = settings.data_dir / KEY_DIR / f"{source}.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    _check_batches_and_owners(db)

    again = load(db, settings.data_dir)
    assert (
        again.orgs_added,
        again.users_added,
        again.documents_added,
        again.consents_added,
        again.keys,
    ) == (0, 0, 0, 0, {})
    assert snapshot(db) == before  # not even a ledger event


def _check_batches_and_owners(db: Database) -> None:
    with db.session(readonly=True) as session:
        rows = {b.ref: b for b in session.scalars(select(Batch))}
        assert set(rows) == {b.ref for b in BATCHES} | SCENARIO_BATCHES
        for wanted in BATCHES:
            row = rows[wanted.ref]
            assert (row.status, row.accepted, row.kind) == (
                "published",
                len(wanted.records),
                wanted.kind,
            )
            assert row.leaf_index is not None and row.event_id
        owners = dict(session.execute(select(Organization.id, Organization.uscc)).all())
        docs = session.execute(
            select(
                Document.kind,
                Document.key,
                Document.owner_uscc,
                Document.owner_org_id,
                Document.jurisdiction_path,
            )
        )
        for kind, key, uscc, owner_id, path in docs:
            assert owner_id is not None and owners[owner_id] == uscc, (kind, key)
            assert path is not None


def test_load_without_a_data_dir_loads_parties_only(db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        result = load_demo(uow)
        uow.commit()
    assert result.orgs_added == len(demo_orgs()) and result.documents_added == 0
    assert snapshot(db)["documents"] == Counter()


# --- a bank verifies demo documents -----------------------------------------------------


def _claim(batch: DemoBatch, index: int, *names: str) -> dict[str, Any]:
    record = batch.records[index]
    spec = get_kind(batch.kind)
    # A claim names the document's value, as a bank shown the document can (verification).
    shown = [*names, *(n for n in spec.value_fields if n in record and n not in names)]
    return {
        "kind": batch.kind,
        "key": record[spec.key_field],
        "fields": {n: record[n] for n in shown},
    }


def test_bank_verifies_demo_documents_as_authentic(
    db: Database, settings: Settings, client: TestClient
) -> None:
    headers = {"Authorization": f"Bearer {load(db, settings.data_dir).keys['bank1/loan-system']}"}
    claims = [
        _claim(b, i, "total_value", "currency", "export_date", "buyer_country")
        for b in BATCHES
        if b.kind == "customs_declaration"
        for i in (0, -1)
    ]
    claims += [
        _claim(next(b for b in BATCHES if b.kind == kind), 0, *names)
        for kind, names in (
            ("bill_of_lading", ("shipper_uscc", "port_of_discharge")),
            ("vat_invoice", ("amount", "tax_amount")),
            ("insurance_policy", ("credit_limit", "declarations")),
        )
    ]
    answer = client.post("/v1/documents/verify", json={"items": claims}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["counts"] == {"authentic": len(claims), "mismatch": 0, "unknown": 0}
    lotus = next(o.uscc for o in demo_orgs() if o.key == "lotus")
    mine = next(r for r in by_kind("customs_declaration") if r["enterprise_uscc"] == lotus)
    proof = client.get(
        f"/v1/documents/customs_declaration/{mine['declaration_no']}/proof", headers=headers
    )
    assert proof.status_code == 200, proof.text  # lotus consented to bank1
    assert proof.json()["batch"] == "demo-customs-sz-customs_declaration"


def test_readme_tour_claims_match_the_demo_data() -> None:
    block = re.search(r"/v1/documents/verify -d '(\{.*?\})'", README.read_text(), re.DOTALL)
    assert block, "the README tour verifies demo declarations with curl"
    items = json.loads(block.group(1))["items"]
    stored = {r["declaration_no"]: r for r in by_kind("customs_declaration")}
    outcomes = []
    for item in items:
        record = stored.get(item["key"])
        claimed = item.get("fields", {})
        outcomes.append(
            "unknown"
            if record is None
            else "authentic"
            if all(record[k] == v for k, v in claimed.items())
            else "mismatch"
        )
    assert outcomes == ["authentic", "mismatch", "unknown"]


# --- the command ------------------------------------------------------------------------


@pytest.fixture
def cli_env(db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "cli-data"
    data.mkdir(mode=0o700)
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(data))
    monkeypatch.chdir(tmp_path)
    return data


def test_demo_command_reports_documents_added(cli_env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli_app, ["demo", "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert (summary["documents_added"], summary["consents_added"]) == (TOTAL, len(CONSENTS))
    again = runner.invoke(cli_app, ["demo"])
    assert again.exit_code == 0, again.output
    assert "0 documents, 0 consents, 0 financings" in again.stdout

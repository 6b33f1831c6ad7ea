"""The authorization matrix: a world of parties, one request per route, and its observation.

`tests/authz/generate.py` observes every cell once and writes `tests/authz/matrix.csv`;
`tests/authz/test_matrix.py` observes them again and compares. A cell is a route (method
and path template, API or portal page), a caller (an organization kind and a role, or
nobody) and the relation of the record the request names to the caller:

- **own**: the caller's own party. Business records (documents, financings, needs, offers,
  consents, verifications, batches, source keys, log entries) belong to the world of
  enterprise E (Shenzhen Nanshan, 440305), its bank A (serves Guangdong, 440000) and its
  customs C, all under regulator R (440000); E has consented bank A its VAT invoices only.
  Organizations, principals and keys: the caller's own organization.
- **other**: another party in the same jurisdiction: enterprise H (440305) with bank B and
  customs D; no consent to A.
- **consented**: enterprise F (440305) with bank B and customs D, which has consented bank A
  its customs declarations and its credit profile.
- **other_jurisdiction**: enterprise G (Shanghai Pudong, 310115) with bank B (which also
  serves 310000) and customs D, under regulator S (310000).
- **-**: the route names no record (lists, creation, public reads).

The callers are the principals of O (operator), A (bank), E (enterprise), R (regulator)
and C (customs), one per role, each a portal user with an API key; `anonymous` sends
neither. A write that succeeds uses up its record, so every write takes a fresh one (made
through the services) for the next cell: no cell depends on another's outcome.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.security import SecurityKind
from crossfin.core.settings import Settings
from crossfin.documents.access import consent as consents
from crossfin.documents.access import verification
from crossfin.documents.ingest import batches, sources
from crossfin.documents.ingest import service as ingest
from crossfin.documents.kinds.registry import get_kind
from crossfin.financing import registration, transitions
from crossfin.financing.market import matchmaking
from crossfin.financing.market.schemas import NeedIn, OfferIn
from crossfin.financing.schemas import FinancingIn
from crossfin.ledger import checkpointer, keys
from crossfin.ledger.note import Signer
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties import credentials
from crossfin.parties.access import Caller
from crossfin.parties.models import Organization, OrgKind, PrincipalKind, Role
from crossfin.parties.security.events import note_security_event
from crossfin.parties.security.models import SecurityAlert
from crossfin.parties.service import add_org
from support.financing import declaration_no, insert_document, today
from support.ingest import jsonl, manifest_for, new_signer
from support.parties import TEST_ACTOR, org_in
from support.web import PASSWORD, csrf_from

MATRIX = Path(__file__).resolve().parents[1] / "authz" / "matrix.csv"
KINDS = ("bank", "enterprise", "regulator", "customs", "operator")
ROLES = ("admin", "operator", "approver", "auditor")
RELATIONS = ("own", "other", "consented", "other_jurisdiction")
NONE = "-"
ANONYMOUS = "anonymous"
HEADER = ("method", "path", "surface", "relation", "kind", *ROLES)
# Each world: its enterprise, bank and source (see the module docstring).
WORLDS = {
    "own": ("E", "A", "C"),
    "other": ("H", "B", "D"),
    "consented": ("F", "B", "D"),
    "other_jurisdiction": ("G", "B", "D"),
}
CALLER_ORG = {"bank": "A", "enterprise": "E", "regulator": "R", "customs": "C", "operator": "O"}
# Org-keyed routes: whose organization each relation names (own: the caller's).
ORG_OF = {"other": "H", "consented": "F", "other_jurisdiction": "G"}
_names = itertools.count(1)


@dataclass(frozen=True)
class Who:
    """One caller of the matrix: a user with a password and an API key."""

    kind: str
    role: str
    org: int
    principal_id: int
    username: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class Req:
    """One request; `ident` is how the record it names appears in a 404's detail."""

    method: str
    url: str
    json: Any = None
    data: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ident: str | None = None
    spends: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    page: bool

    @property
    def surface(self) -> str:
        return "page" if self.page else "api"


@dataclass
class Doc:
    """A document as the world keeps it: kind, key, content."""

    kind: str
    key: str
    content: dict[str, Any]


class World:
    """The parties and records every cell's request names; writes get fresh records."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.org: dict[str, int] = {}
        self.uscc: dict[str, str] = {}
        self.callers: dict[tuple[str, str], Who] = {}
        self.acting: dict[str, Caller] = {}  # an admin service account of every org
        self.maker: dict[str, Caller] = {}
        self.checker: dict[str, Caller] = {}
        self.robot: dict[str, int] = {}  # a service account of every org
        self.signer: dict[str, Signer] = {}
        self.read: dict[str, dict[str, Any]] = {}
        self._fresh: dict[tuple[Any, ...], Any] = {}
        self._build()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        # argon2 reads its parameters from the hash: the matrix's 60-odd logins verify a
        # cheap one (what is under test is who may do what, not the password's cost).
        password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
        plan = {
            "O": (OrgKind.OPERATOR, None),
            "A": (OrgKind.BANK, "440000"),
            "B": (OrgKind.BANK, None),
            "E": (OrgKind.ENTERPRISE, "440305"),
            "F": (OrgKind.ENTERPRISE, "440305"),
            "H": (OrgKind.ENTERPRISE, "440305"),
            "G": (OrgKind.ENTERPRISE, "310115"),
            "R": (OrgKind.REGULATOR, "440000"),
            "S": (OrgKind.REGULATOR, "310000"),
            "C": (OrgKind.CUSTOMS, None),
            "D": (OrgKind.CUSTOMS, None),
            "T": (OrgKind.TAX, None),
            # P4's sources: the carrier (B/Ls, DCSA events) and the overseas customs source.
            "L": (OrgKind.LOGISTICS, None),
            "V": (OrgKind.OVERSEAS_CUSTOMS, None),
        }
        with UnitOfWork(self.db, TEST_ACTOR) as uow:
            for name, (kind, place) in plan.items():
                extra: dict[str, Any] = {"name": f"Matrix {name}"}
                if name == "B":
                    extra["jurisdictions"] = ["440000", "310000"]
                org, _ = add_org(uow, org_in(kind, jurisdiction=place, **extra))
                self.org[name], self.uscc[name] = org.id, org.uscc or ""
            for kind, org_name in CALLER_ORG.items():
                for role in ROLES:
                    self._caller(uow, kind, org_name, role, password_hash)
            for name in plan:
                if name not in CALLER_ORG.values():  # every party has its own admin
                    credentials.add_principal(
                        uow,
                        self.org[name],
                        PrincipalKind.USER,
                        f"matrix-{name}-admin",
                        Role.ADMIN,
                        password_hash=password_hash,
                    )
                self.acting[name] = self._service(uow, name, "acting", Role.ADMIN)
                self.robot[name] = self._service(uow, name, "robot", Role.OPERATOR).principal_id
            for bank in ("A", "B"):
                self.maker[bank] = self._service(uow, bank, "maker", Role.OPERATOR)
                self.checker[bank] = self._service(uow, bank, "checker", Role.APPROVER)
            uow.commit()
        for source in ("C", "D"):
            self.signer[source] = self.fresh_source_signer(source)
        for rel in RELATIONS:
            self.read[rel] = self._read_records(rel)
        checkpointer.sign_if_grown(self.db, keys.log_signer(self.settings))

    def _caller(
        self, uow: UnitOfWork, kind: str, org_name: str, role: str, password_hash: str
    ) -> None:
        username = f"matrix-{kind}-{role}"
        principal, _ = credentials.add_principal(
            uow,
            self.org[org_name],
            PrincipalKind.USER,
            username,
            Role(role),
            password_hash=password_hash,
        )
        _, key, _ = credentials.issue_key(uow, principal.id)
        self.callers[(kind, role)] = Who(
            kind, role, self.org[org_name], principal.id, username, key
        )

    def _service(self, uow: UnitOfWork, org_name: str, name: str, role: Role) -> Caller:
        principal, _ = credentials.add_principal(
            uow, self.org[org_name], PrincipalKind.SERVICE, name, role
        )
        return credentials.caller_for(uow.session, principal)

    def _run(self, caller: Caller, fn: Callable[[UnitOfWork], Any]) -> Any:
        with UnitOfWork(self.db, caller.actor) as uow:
            result = fn(uow)
            uow.commit()
        return result

    def _read_records(self, rel: str) -> dict[str, Any]:
        """The records every reading cell of `rel` names (never changed by a write)."""
        firm, bank, source = WORLDS[rel]
        rows = [self._declaration(firm) for _ in range(3)]
        ref = f"matrix-{rel}"
        self._publish(source, ref, rows)
        spec = get_kind("customs_declaration")
        docs = [Doc(spec.name, spec.key_of(r), r) for r in rows]
        consent_to = {
            "own": ("A", ["vat_invoice"]),
            "other": ("B", ["customs_declaration"]),
            "consented": ("A", ["customs_declaration", "credit_profile"]),
            "other_jurisdiction": ("B", ["customs_declaration"]),
        }[rel]
        consent = self.consent(firm, *consent_to)
        financing, leaf = self._register(bank, firm, docs[1])
        need = self._need(firm, docs[2])
        offer = self._offer(bank, need)
        request = self._verify(bank, docs[0])
        from support import authz_classes, authz_payments

        return {
            "payment": authz_payments.payment(self, rel),
            "offshore_check": authz_payments.offshore_check(self, rel),
            "doc": docs[0],
            "batch": ref,
            "consent": consent,
            "financing": financing,
            "entry": leaf,
            "need": need,
            "offer": offer,
            "verification": request,
            "class_import": authz_classes.class_import(self, rel),
        }

    # -- factories (each makes a new record through the services) -------------------------

    def _declaration(self, firm: str, value: str = "1000.00") -> dict[str, Any]:
        return {
            "declaration_no": declaration_no(),
            "enterprise_uscc": self.uscc[firm],
            "buyer_name": "Rotterdam Trading B.V.",
            "buyer_country": "NL",
            "currency": "USD",
            "total_value": value,
            "export_date": today().isoformat(),
            "trade_mode": "0110",
        }

    def fresh_source_signer(self, source: str) -> Signer:
        signer, vkey = new_signer(f"matrix-{source}-{next(_names)}")
        self._run(
            self.acting[source], lambda uow: sources.register_key(uow, self.acting[source], vkey)
        )
        return signer

    def source_key(self, source: str) -> int:
        _, vkey = new_signer(f"matrix-{source}-{next(_names)}")
        row = self._run(
            self.acting[source], lambda uow: sources.register_key(uow, self.acting[source], vkey)[0]
        )
        return int(row.id)

    def batch(self, source: str, ref: str, rows: list[dict[str, Any]]) -> str:
        """A registered batch, its lines not yet sent; returns its manifest."""
        manifest = manifest_for("customs_declaration", ref, rows, self.signer[source])
        self._run(
            self.acting[source],
            lambda uow: batches.register_batch(uow, self.acting[source], manifest, "partial"),
        )
        return manifest

    def _publish(self, source: str, ref: str, rows: list[dict[str, Any]]) -> None:
        self.batch(source, ref, rows)
        caller = self.acting[source]
        chunk = batches.prepare_chunk(get_kind("customs_declaration"), 0, jsonl(rows), False)
        self._run(caller, lambda uow: batches.stage_chunk(uow, caller, ref, chunk))
        ingest.publish_if_complete(Transactions.own(self.db, caller.actor), caller, ref)

    def document(self, firm: str, source: str) -> Doc:
        record = self._declaration(firm)
        spec = get_kind("customs_declaration")
        insert_document(self.db, spec.name, record, self.org[source], self.org[firm])
        return Doc(spec.name, spec.key_of(spec.validate(record)), spec.validate(record))

    def consent(self, firm: str, bank: str, scopes: list[str]) -> int:
        caller = self.acting[firm]

        def grant(uow: UnitOfWork) -> int:
            org = uow.session.get_one(Organization, self.org[bank])
            row, _ = consents.grant(
                uow, caller, bank=org, scopes=scopes, expires_at=utcnow() + timedelta(days=30)
            )
            return int(row.id)

        return int(self._run(caller, grant))

    def application(self, firm: str, doc: Doc, amount: str = "10.00") -> dict[str, Any]:
        return {
            "scenario": "F1",
            "external_ref": f"MX-{next(_names):08d}",
            "enterprise_uscc": self.uscc[firm],
            "amount": amount,
            "currency": "USD",
            "documents": [{"kind": doc.kind, "key": doc.key}],
        }

    def _register(self, bank: str, firm: str, doc: Doc) -> tuple[int, int]:
        maker = self.maker[bank]
        data = FinancingIn.model_validate(self.application(firm, doc))
        [outcome] = registration.register_applications(
            Transactions.own(self.db, maker.actor), [registration.Application(maker, data)], 72
        )
        done = registration.registered(outcome)
        return int(done.financing.id), int(done.receipt.leaf_index)

    def financing(self, rel: str, state: str) -> int:
        """A fresh financing of the world `rel`, moved to `state`."""
        firm, bank, source = WORLDS[rel]
        fid, _ = self._register(bank, firm, self.document(firm, source))
        checker, maker = self.checker[bank], self.maker[bank]
        steps = ["registered", "approved", "disbursed", "repaid"]
        moves: list[Callable[[UnitOfWork], Any]] = [
            lambda uow: transitions.approve(uow, checker, fid),
            lambda uow: transitions.disburse(uow, maker, fid, today() + timedelta(days=90)),
            lambda uow: transitions.repay(uow, maker, fid, "10.00"),
        ]
        for move, who in zip(moves[: steps.index(state)], (checker, maker, maker), strict=False):
            self._run(who, move)
        return fid

    def _need(self, firm: str, doc: Doc) -> int:
        caller = self.acting[firm]
        data = NeedIn(
            amount="500.00",
            currency="USD",
            tenor_days=90,
            purpose="matrix",
            documents=[{"kind": doc.kind, "key": doc.key}],
        )  # type: ignore[list-item]
        need, _ = self._run(caller, lambda uow: matchmaking.publish_need(uow, caller, data))
        return int(need.id)

    def need(self, rel: str) -> int:
        firm, _, source = WORLDS[rel]
        return self._need(firm, self.document(firm, source))

    def _offer(self, bank: str, need: int) -> int:
        maker = self.maker[bank]
        data = OfferIn(amount="500.00", currency="USD", rate="4.00", tenor_days=90)
        offer, _ = self._run(maker, lambda uow: matchmaking.make_offer(uow, maker, need, data))
        return int(offer.id)

    def offer(self, rel: str) -> int:
        return self._offer(WORLDS[rel][1], self.need(rel))

    def _verify(self, bank: str, doc: Doc) -> int:
        maker = self.maker[bank]
        claims = [verification.Claim(doc.kind, doc.key, {"total_value": "1000.00"})]
        result, _ = self._run(maker, lambda uow: verification.verify(uow, maker, claims, 3))
        return int(result.request_id)

    def service_key(self, org_name: str) -> str:
        """A fresh API key of the organization's robot service account; its id."""

        def issue(uow: UnitOfWork) -> str:
            row, _, _ = credentials.issue_key(uow, self.robot[org_name])
            return str(row.id)

        return str(self._run(self.acting[org_name], issue))

    # -- what a cell names --------------------------------------------------------------

    def fresh(
        self, route: Route, rel: str, make: Callable[[], Any], *extra: Any, req: Req | None = None
    ) -> Any:
        """The record a write of `route` takes for `rel`, made once and kept until a
        write succeeds with it (the runner then calls `spend`)."""
        slot = (route.method, route.path, rel, *extra)
        if slot not in self._fresh:
            self._fresh[slot] = make()
        if req is not None:
            req.spends.append(slot)
        return self._fresh[slot]

    def spend(self, req: Req) -> None:
        for slot in req.spends:
            self._fresh.pop(slot, None)

    def org_name_for(self, who: Who | None, rel: str) -> str:
        if rel == "own":
            return CALLER_ORG[who.kind] if who is not None else "E"
        return ORG_OF[rel]


# -- the requests, route by route -----------------------------------------------------------

Build = Callable[[World, Route, "Who | None", str], Req]


@dataclass(frozen=True)
class Spec:
    build: Build
    record: bool = False  # the request names a record: one cell per relation
    throwaway: bool = False  # runs on a fresh portal session (it logs in or out)


MISSING = "missing"  # a relation for 404 comparisons: a record that does not exist
_NO_ID = 987654


def _get(url: str) -> Build:
    return lambda w, r, who, rel: Req("GET", url)


def _doc(w: World, rel: str) -> Doc:
    if rel == MISSING:
        return Doc("customs_declaration", "530199999999999999", {})
    doc: Doc = w.read[rel]["doc"]
    return doc


def _read(name: str, rel: str, w: World) -> Any:
    return _NO_ID if rel == MISSING else w.read[rel][name]


def _record_get(fmt: str, name: str) -> Spec:
    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        value = _read(name, rel, w)
        return Req("GET", fmt.format(value), ident=str(value))

    return Spec(build, record=True)


def _doc_get(fmt: str) -> Spec:
    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        doc = _doc(w, rel)
        return Req("GET", fmt.format(kind=doc.kind, key=doc.key), ident=doc.key)

    return Spec(build, record=True)


def _org_route(method: str, suffix: str, body: Callable[[], Any] | None = None) -> Spec:
    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        org = _NO_ID if rel == MISSING else w.org[w.org_name_for(who, rel)]
        return Req(method, f"/v1/orgs/{org}{suffix}", json=body() if body else None, ident=str(org))

    return Spec(build, record=True)


def _fresh_post(
    fmt: str, make: Callable[[World, str], Any], body: Any = None, page: bool = False
) -> Spec:
    """A write on a fresh record of the relation's world (the path names it)."""

    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        req = Req("POST", "", ident=str(_NO_ID))
        value = _NO_ID if rel == MISSING else w.fresh(r, rel, lambda: make(w, rel), req=req)
        req.url, req.ident = fmt.format(value), str(value)
        if page:
            req.data = dict(body or {})
        else:
            req.json = body if body is not None else {}
        return req

    return Spec(build, record=True)


def _key_issue(w: World, r: Route, who: Who | None, rel: str) -> Req:
    principal = _NO_ID if rel == MISSING else w.robot[w.org_name_for(who, rel)]
    return Req("POST", "/v1/keys", json={"principal_id": principal}, ident=str(principal))


def _key_revoke(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = Req("POST", "")
    if rel == MISSING:
        key = "ffffffffffff"
    else:
        org = w.org_name_for(who, rel)
        key = w.fresh(r, rel, lambda: w.service_key(org), org, req=req)
    req.url, req.ident = f"/v1/keys/{key}/revoke", key
    return req


def _entry(prefix: str) -> Spec:
    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        index = 9_999_999 if rel == MISSING else w.read[rel]["entry"]
        return Req("GET", f"{prefix}/{index}", ident=str(index))

    return Spec(build, record=True)


def _batch_get(fmt: str) -> Spec:
    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        ref = "matrix-missing" if rel == MISSING else w.read[rel]["batch"]
        return Req("GET", fmt.format(ref), ident=ref)

    return Spec(build, record=True)


def _lines(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = Req("POST", "", headers={"Content-Type": "application/x-ndjson"})
    if rel == MISSING:
        ref, rows = "matrix-missing", [w._declaration("E")]
    else:
        firm, _, source = WORLDS[rel]

        def make() -> tuple[str, list[dict[str, Any]]]:
            ref = f"matrix-lines-{next(_names)}"
            rows = [w._declaration(firm)]
            w.batch(source, ref, rows)
            return ref, rows

        ref, rows = w.fresh(r, rel, make, req=req)
    req.url, req.ident, req.content = f"/v1/batches/{ref}/lines?from=0", ref, jsonl(rows).encode()
    return req


def _publish_batch(w: World, r: Route, who: Who | None, rel: str) -> Req:
    ref = "matrix-missing" if rel == MISSING else w.read[rel]["batch"]
    return Req("POST", f"/v1/batches/{ref}/publish", ident=ref)


def _new_batch(w: World) -> tuple[str, str]:
    ref = f"matrix-new-{next(_names)}"
    rows = [w._declaration("E")]
    return manifest_for("customs_declaration", ref, rows, w.signer["C"]), jsonl(rows)


def _batches_post(w: World, r: Route, who: Who | None, rel: str) -> Req:
    manifest, _ = _new_batch(w)
    return Req("POST", "/v1/batches", json={"manifest": manifest, "mode": "partial"})


def _amend(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = Req("POST", "")
    if rel == MISSING:
        doc = _doc(w, MISSING)
        record = w._declaration("E")
    else:
        firm, _, source = WORLDS[rel]
        doc = w.fresh(r, rel, lambda: w.document(firm, source), req=req)
        record = dict(doc.content)
    record["total_value"] = "999.00"
    req.url, req.ident = f"/v1/documents/{doc.kind}/{doc.key}/amendments", doc.key
    req.json = {"record": record, "reason": "matrix"}
    return req


def _register_body(w: World, r: Route, rel: str, req: Req) -> dict[str, Any]:
    world = "own" if rel == MISSING else rel
    firm, _, source = WORLDS[world]
    doc = w.fresh(r, world, lambda: w.document(firm, source), req=req)
    return w.application(firm, doc)


def _register(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = Req("POST", "/v1/financings")
    req.json = _register_body(w, r, rel, req)
    return req


def _register_iso(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.iso20022 import tsin001_of

    req = Req("POST", "/v1/financings/iso20022", headers={"Content-Type": "application/xml"})
    req.content = tsin001_of(_register_body(w, r, rel, req))
    return req


def _register_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = Req("POST", "/financing/new")
    body = _register_body(w, r, rel, req)
    doc = body["documents"][0]
    req.data = {
        **{
            k: body[k]
            for k in ("scenario", "external_ref", "enterprise_uscc", "amount", "currency")
        },
        "documents": f"{doc['kind']} {doc['key']}\n",
    }
    return req


def _need_body(w: World, r: Route, rel: str, req: Req) -> dict[str, Any]:
    world = "own" if rel == MISSING else rel
    firm, _, source = WORLDS[world]
    doc = w.fresh(r, world, lambda: w.document(firm, source), req=req)
    return {
        "amount": "500.00",
        "currency": "USD",
        "tenor_days": 90,
        "purpose": "matrix",
        "documents": [{"kind": doc.kind, "key": doc.key}],
    }


def _publish_need(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = Req("POST", "/v1/needs")
    req.json = _need_body(w, r, rel, req)
    return req


def _publish_need_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = Req("POST", "/market/needs")
    body = _need_body(w, r, rel, req)
    doc = body["documents"][0]
    req.data = {
        "amount": body["amount"],
        "currency": "USD",
        "tenor_days": "90",
        "purpose": "matrix",
        "documents": f"{doc['kind']} {doc['key']}\n",
    }
    return req


def _credit(page: bool) -> Spec:
    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        uscc = "91440300MA5DC6QX9C" if rel == MISSING else w.uscc[WORLDS[rel][0]]
        if page:
            return Req("POST", "/credit-queries", data={"enterprise_uscc": uscc})
        return Req("POST", "/v1/credit-queries", json={"enterprise_uscc": uscc}, ident=uscc)

    return Spec(build, record=True)


_OFFER = {"amount": "400.00", "currency": "USD", "rate": "4.00", "tenor_days": 90}
_OFFER_FORM = {"amount": "400.00", "currency": "USD", "rate": "4.00", "tenor_days": "90"}
_PAPER = {
    "document_type": "commercial_invoice",
    "number": "INV-2026/000417",
    "seller": "Shenzhen Lotus Electronics Co., Ltd.",
    "buyer": "Hanseatic Import GmbH",
    "amount": "48257.35",
    "currency": "USD",
    "issue_date": "2026-03-02",
}


def _verify(w: World, r: Route, who: Who | None, rel: str) -> Req:
    doc = _doc(w, "own")
    return Req(
        "POST",
        "/v1/documents/verify",
        json={"items": [{"kind": doc.kind, "key": doc.key, "fields": {"total_value": "1000.00"}}]},
    )


def _verify_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    doc = _doc(w, "own")
    line = json.dumps({"kind": doc.kind, "key": doc.key, "fields": {}}) + "\n"
    return Req(
        "POST",
        "/verify",
        data={"fmt": "jsonl"},
        files={"file": ("claims.jsonl", line.encode(), "application/x-ndjson")},
    )


def _batch_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    manifest, lines = _new_batch(w)
    return Req(
        "POST",
        "/batches",
        data={},
        files={
            "manifest": ("manifest.txt", manifest.encode(), "text/plain"),
            "records": ("records.jsonl", lines.encode(), "application/x-ndjson"),
        },
    )


def _consents_post(w: World, r: Route, who: Who | None, rel: str) -> Req:
    return Req(
        "POST",
        "/v1/consents",
        json={
            "bank_org_id": w.org["A"],
            "scopes": ["vat_invoice"],
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
    )


def _consent_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    return Req(
        "POST",
        "/consents",
        data={"bank_org_id": str(w.org["A"]), "days": "30", "scopes": "vat_invoice"},
    )


def _source_keys_post(w: World, r: Route, who: Who | None, rel: str) -> Req:
    _, vkey = new_signer(f"matrix-new-{next(_names)}")
    return Req("POST", "/v1/sources/keys", json={"vkey": vkey})


def _security_alert(w: World, kind: SecurityKind) -> int:
    """An open security alert of `kind` (the one open, or a new one after an event)."""
    note_security_event(w.db, kind)
    with w.db.session(readonly=True) as session:
        found = session.scalar(
            select(SecurityAlert.id).where(SecurityAlert.open_kind == kind.value)
        )
    assert found is not None
    return found


def _acknowledge(prefix: str, kind: SecurityKind, page: bool = False) -> Spec:
    """Acknowledge an open alert; the API and the page work alerts of different kinds, so
    each has its own open one. Alerts belong to no party: one relation, `-`."""

    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        req = Req("POST", "")
        alert = w.fresh(r, rel, lambda: _security_alert(w, kind), req=req)
        req.url, req.ident = f"{prefix}/{alert}/acknowledge", str(alert)
        if page:
            req.data = {}
        else:
            req.json = {}
        return req

    return Spec(build)


def _login(w: World, r: Route, who: Who | None, rel: str) -> Req:
    user, password = (who.username, PASSWORD) if who else ("matrix-nobody", "wrong password")
    return Req("POST", "/login", data={"username": user, "password": password})


def _consent_fresh(w: World, rel: str) -> int:
    firm, bank, _ = WORLDS[rel]
    return w.consent(firm, "A" if rel in ("own", "consented") else bank, ["vat_invoice"])


def _today_plus(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


SPECS: dict[tuple[str, str], Spec] = {
    # -- operations and the API's own documents
    ("GET", "/openapi.json"): Spec(_get("/openapi.json")),
    ("GET", "/docs"): Spec(_get("/docs")),
    ("GET", "/docs/oauth2-redirect"): Spec(_get("/docs/oauth2-redirect")),
    ("GET", "/redoc"): Spec(_get("/redoc")),
    ("GET", "/healthz"): Spec(_get("/healthz")),
    ("GET", "/metrics"): Spec(_get("/metrics")),
    # -- parties
    ("GET", "/v1/me"): Spec(_get("/v1/me")),
    ("GET", "/v1/jurisdictions"): Spec(_get("/v1/jurisdictions?under=440000")),
    ("POST", "/v1/orgs"): Spec(
        lambda w, r, who, rel: Req(
            "POST", "/v1/orgs", json={"kind": "tax", "name": "Matrix tax bureau"}
        )
    ),
    ("GET", "/v1/orgs"): Spec(_get("/v1/orgs")),
    ("GET", "/v1/orgs/{org_id}"): _org_route("GET", ""),
    ("PUT", "/v1/orgs/{org_id}/trade-class"): _org_route(
        "PUT", "/trade-class", lambda: {"trade_class": "B", "reason": f"matrix {next(_names)}"}
    ),
    ("POST", "/v1/orgs/{org_id}/users"): _org_route(
        "POST",
        "/users",
        lambda: {
            "username": f"matrix-new-{next(_names)}",
            "password": PASSWORD,
            "role": "operator",
        },
    ),
    ("POST", "/v1/orgs/{org_id}/services"): _org_route(
        "POST", "/services", lambda: {"name": f"matrix-new-{next(_names)}", "role": "operator"}
    ),
    ("GET", "/v1/orgs/{org_id}/principals"): _org_route("GET", "/principals"),
    ("POST", "/v1/keys"): Spec(_key_issue, record=True),
    ("GET", "/v1/keys"): Spec(_get("/v1/keys")),
    ("POST", "/v1/keys/{key_id}/revoke"): Spec(_key_revoke, record=True),
    # -- the ledger
    ("GET", "/v1/log/checkpoint"): Spec(_get("/v1/log/checkpoint")),
    ("GET", "/v1/log/tile/{path:path}"): Spec(_get("/v1/log/tile/0/000.p/1")),
    ("GET", "/v1/log/proof/inclusion"): Spec(_get("/v1/log/proof/inclusion?index=0&size=2")),
    ("GET", "/v1/log/proof/consistency"): Spec(_get("/v1/log/proof/consistency?first=1&second=2")),
    ("GET", "/v1/log/entries/{index}"): _entry("/v1/log/entries"),
    ("GET", "/v1/log/receipts/{index}"): Spec(_get("/v1/log/receipts/0")),
    # -- documents: access
    ("POST", "/v1/consents"): Spec(_consents_post),
    ("GET", "/v1/consents"): Spec(_get("/v1/consents")),
    ("GET", "/v1/consents/{consent_id}"): _record_get("/v1/consents/{}", "consent"),
    ("POST", "/v1/consents/{consent_id}/revoke"): _fresh_post(
        "/v1/consents/{}/revoke", lambda w, rel: _consent_fresh(w, rel)
    ),
    ("GET", "/v1/documents"): Spec(_get("/v1/documents")),
    ("GET", "/v1/documents/verifications"): Spec(_get("/v1/documents/verifications")),
    ("GET", "/v1/documents/{kind}/{key}"): _doc_get("/v1/documents/{kind}/{key}"),
    ("POST", "/v1/documents/verify"): Spec(_verify),
    ("GET", "/v1/verification-requests/{request_id}"): _record_get(
        "/v1/verification-requests/{}", "verification"
    ),
    ("GET", "/v1/verification-requests/{request_id}/results.csv"): _record_get(
        "/v1/verification-requests/{}/results.csv", "verification"
    ),
    ("GET", "/v1/verification-requests/{request_id}/items/{index}/proof"): _record_get(
        "/v1/verification-requests/{}/items/0/proof", "verification"
    ),
    ("POST", "/v1/fingerprints/check"): Spec(
        lambda w, r, who, rel: Req(
            "POST", "/v1/fingerprints/check", json={"fields": _PAPER, "register": False}
        )
    ),
    # -- documents: ingestion
    ("GET", "/v1/documents/kinds"): Spec(_get("/v1/documents/kinds")),
    ("POST", "/v1/sources/keys"): Spec(_source_keys_post),
    ("GET", "/v1/sources/keys"): Spec(_get("/v1/sources/keys")),
    ("POST", "/v1/sources/keys/{key_id}/retire"): _fresh_post(
        "/v1/sources/keys/{}/retire", lambda w, rel: w.source_key(WORLDS[rel][2])
    ),
    ("POST", "/v1/batches"): Spec(_batches_post),
    ("GET", "/v1/batches/{ref}"): _batch_get("/v1/batches/{}"),
    ("POST", "/v1/batches/{ref}/lines"): Spec(_lines, record=True),
    ("POST", "/v1/batches/{ref}/publish"): Spec(_publish_batch, record=True),
    ("GET", "/v1/batches/{ref}/report.json"): _batch_get("/v1/batches/{}/report.json"),
    ("GET", "/v1/batches/{ref}/report.csv"): _batch_get("/v1/batches/{}/report.csv"),
    ("GET", "/v1/documents/{kind}/{key}/versions"): _doc_get("/v1/documents/{kind}/{key}/versions"),
    ("POST", "/v1/documents/{kind}/{key}/amendments"): Spec(_amend, record=True),
    ("GET", "/v1/documents/{kind}/{key}/proof"): _doc_get("/v1/documents/{kind}/{key}/proof"),
    # -- financing
    ("POST", "/v1/financings"): Spec(_register, record=True),
    ("POST", "/v1/financings/iso20022"): Spec(_register_iso, record=True),
    ("GET", "/v1/financings"): Spec(_get("/v1/financings")),
    ("GET", "/v1/financings/{financing_id}"): _record_get("/v1/financings/{}", "financing"),
    ("POST", "/v1/financings/{financing_id}/approve"): _fresh_post(
        "/v1/financings/{}/approve", lambda w, rel: w.financing(rel, "registered")
    ),
    ("POST", "/v1/financings/{financing_id}/reject"): _fresh_post(
        "/v1/financings/{}/reject",
        lambda w, rel: w.financing(rel, "registered"),
        {"reason": "matrix"},
    ),
    ("POST", "/v1/financings/{financing_id}/cancel"): _fresh_post(
        "/v1/financings/{}/cancel",
        lambda w, rel: w.financing(rel, "registered"),
        {"reason": "matrix"},
    ),
    ("POST", "/v1/financings/{financing_id}/disburse"): _fresh_post(
        "/v1/financings/{}/disburse",
        lambda w, rel: w.financing(rel, "approved"),
        {"due_date": _today_plus(90)},
    ),
    ("POST", "/v1/financings/{financing_id}/repay"): _fresh_post(
        "/v1/financings/{}/repay", lambda w, rel: w.financing(rel, "disbursed"), {"amount": "10.00"}
    ),
    ("POST", "/v1/financings/{financing_id}/close"): _fresh_post(
        "/v1/financings/{}/close", lambda w, rel: w.financing(rel, "repaid")
    ),
    ("GET", "/v1/balances/{kind}/{key}"): _doc_get("/v1/balances/{kind}/{key}"),
    ("GET", "/v1/financing-scenarios"): Spec(_get("/v1/financing-scenarios")),
    ("GET", "/v1/scenario-caps"): Spec(_get("/v1/scenario-caps")),
    ("POST", "/v1/financings/{financing_id}/insurance-claim"): _fresh_post(
        "/v1/financings/{}/insurance-claim",
        lambda w, rel: w.financing(rel, "disbursed"),
        {
            "policy_no": "SIN-MATRIX-1",
            "reference": "CLM-MATRIX",
            "amount": "1.00",
            "currency": "CNY",
            "paid_on": _today_plus(0),
        },
    ),
    ("GET", "/v1/financings/{financing_id}/insurance-claims"): _record_get(
        "/v1/financings/{}/insurance-claims", "financing"
    ),
    # F8 (the matrix's financings are F1: its own bank gets the scenario's 409 / 404).
    ("GET", "/v1/financings/{financing_id}/pledge"): _record_get(
        "/v1/financings/{}/pledge", "financing"
    ),
    ("POST", "/v1/financings/{financing_id}/goods-releases"): _fresh_post(
        "/v1/financings/{}/goods-releases",
        lambda w, rel: w.financing(rel, "disbursed"),
        {"reference": "REL-MATRIX", "quantity": "1"},
    ),
    ("POST", "/v1/needs"): Spec(_publish_need, record=True),
    ("GET", "/v1/needs"): Spec(_get("/v1/needs")),
    ("GET", "/v1/needs/{need_id}"): _record_get("/v1/needs/{}", "need"),
    ("POST", "/v1/needs/{need_id}/withdraw"): _fresh_post(
        "/v1/needs/{}/withdraw", lambda w, rel: w.need(rel)
    ),
    ("POST", "/v1/needs/{need_id}/offers"): _fresh_post(
        "/v1/needs/{}/offers", lambda w, rel: w.need(rel), _OFFER
    ),
    ("GET", "/v1/needs/{need_id}/offers"): _record_get("/v1/needs/{}/offers", "need"),
    ("POST", "/v1/offers/{offer_id}/accept"): _fresh_post(
        "/v1/offers/{}/accept", lambda w, rel: w.offer(rel)
    ),
    ("POST", "/v1/offers/{offer_id}/withdraw"): _fresh_post(
        "/v1/offers/{}/withdraw", lambda w, rel: w.offer(rel)
    ),
    ("POST", "/v1/credit-queries"): _credit(page=False),
    ("GET", "/v1/credit-queries"): Spec(_get("/v1/credit-queries")),
    ("POST", "/v1/fx-rates"): Spec(
        lambda w, r, who, rel: Req(
            "POST",
            "/v1/fx-rates",
            json={"rates": [{"date": today().isoformat(), "pair": "USD/CNY", "rate": "7.1123"}]},
        )
    ),
    ("GET", "/v1/fx-rates"): Spec(_get("/v1/fx-rates")),
    # -- supervision
    ("GET", "/v1/alerts"): Spec(_get("/v1/alerts")),
    # -- security monitoring (the platform operator's)
    ("GET", "/v1/security/events"): Spec(_get("/v1/security/events")),
    ("GET", "/v1/security/alerts"): Spec(_get("/v1/security/alerts")),
    ("POST", "/v1/security/alerts/{alert_id}/acknowledge"): _acknowledge(
        "/v1/security/alerts", SecurityKind.AUDIT_FAILED
    ),
    # -- the portal
    ("GET", "/login"): Spec(_get("/login")),
    ("POST", "/login"): Spec(_login, throwaway=True),
    ("POST", "/logout"): Spec(
        lambda w, r, who, rel: Req("POST", "/logout", data={}), throwaway=True
    ),
    ("POST", "/language"): Spec(
        lambda w, r, who, rel: Req("POST", "/language", data={"lang": "zh", "next": "/"}),
        throwaway=True,
    ),
    ("GET", "/"): Spec(_get("/")),
    ("GET", "/ledger"): Spec(_get("/ledger")),
    ("POST", "/ledger/verify"): Spec(
        lambda w, r, who, rel: Req("POST", "/ledger/verify", data={"bundle": ""})
    ),
    ("GET", "/ledger/receipts/{index}"): Spec(_get("/ledger/receipts/0")),
    ("GET", "/ledger/entries/{index}"): _entry("/ledger/entries"),
    ("GET", "/verify"): Spec(_get("/verify")),
    ("POST", "/verify"): Spec(_verify_page),
    ("GET", "/verify/{request_id}.csv"): _record_get("/verify/{}.csv", "verification"),
    ("GET", "/batches"): Spec(_get("/batches")),
    ("POST", "/batches"): Spec(_batch_page),
    ("GET", "/batches/{ref}"): _batch_get("/batches/{}"),
    ("GET", "/batches/{ref}/report.csv"): _batch_get("/batches/{}/report.csv"),
    ("GET", "/documents"): Spec(_get("/documents")),
    ("GET", "/documents/{kind}/{key}"): _doc_get("/documents/{kind}/{key}"),
    ("GET", "/verifications"): Spec(_get("/verifications")),
    ("GET", "/consents"): Spec(_get("/consents")),
    ("POST", "/consents"): Spec(_consent_page),
    ("POST", "/consents/{consent_id}/revoke"): _fresh_post(
        "/consents/{}/revoke", lambda w, rel: _consent_fresh(w, rel), page=True
    ),
    ("GET", "/financing"): Spec(_get("/financing")),
    ("GET", "/financing/new"): Spec(_get("/financing/new")),
    ("POST", "/financing/new"): Spec(_register_page, record=True),
    ("GET", "/financing/{financing_id}"): _record_get("/financing/{}", "financing"),
    ("POST", "/financing/{financing_id}/{action}"): _fresh_post(
        "/financing/{}/approve", lambda w, rel: w.financing(rel, "registered"), page=True
    ),
    ("GET", "/market"): Spec(_get("/market")),
    ("POST", "/market/needs"): Spec(_publish_need_page, record=True),
    ("POST", "/market/needs/{need_id}/withdraw"): _fresh_post(
        "/market/needs/{}/withdraw", lambda w, rel: w.need(rel), page=True
    ),
    ("POST", "/market/needs/{need_id}/offers"): _fresh_post(
        "/market/needs/{}/offers", lambda w, rel: w.need(rel), _OFFER_FORM, page=True
    ),
    ("POST", "/market/offers/{offer_id}/accept"): _fresh_post(
        "/market/offers/{}/accept", lambda w, rel: w.offer(rel), page=True
    ),
    ("POST", "/market/offers/{offer_id}/withdraw"): _fresh_post(
        "/market/offers/{}/withdraw", lambda w, rel: w.offer(rel), page=True
    ),
    ("GET", "/credit-queries"): Spec(_get("/credit-queries")),
    ("POST", "/credit-queries"): _credit(page=True),
    ("GET", "/alerts"): Spec(_get("/alerts")),
    ("GET", "/security"): Spec(_get("/security")),
    ("POST", "/security/alerts/{alert_id}/acknowledge"): _acknowledge(
        "/security/alerts", SecurityKind.CHECKPOINT_SIGN_FAILED, page=True
    ),
}


def _payment_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_payments

    return authz_payments.specs()


SPECS |= _payment_specs()


def _class_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_classes

    return authz_classes.specs()


SPECS |= _class_specs()


def _supervision_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_supervision

    return authz_supervision.specs()


SPECS |= _supervision_specs()


def _filings_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_filings

    return authz_filings.specs()


SPECS |= _filings_specs()


def _risk_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_risk

    return authz_risk.specs()


SPECS |= _risk_specs()


def _licences_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_licences

    return authz_licences.specs()


SPECS |= _licences_specs()


def _notification_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_notifications

    return authz_notifications.specs()


SPECS |= _notification_specs()


def _stats_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_stats

    return authz_stats.specs()


SPECS |= _stats_specs()


def _ebl_specs() -> dict[tuple[str, str], Spec]:
    from support import authz_ebl

    return authz_ebl.specs()


SPECS |= _ebl_specs()


# -- the routes of the app ------------------------------------------------------------------


def app_routes(app: FastAPI) -> list[Route]:
    """Every (method, path) the app serves, API and portal pages (HEAD and mounts aside)."""
    found: list[Route] = []
    for context in iter_route_contexts(app.routes):
        methods = sorted(set(context.methods or ()) - {"HEAD"})
        page = app.state.portal.is_page_route(context.original_route)
        # An id's `:int` (`{payment_id:int}`) is routing detail: the path as documented.
        path = re.sub(r"\{(\w+):int\}", r"{\1}", str(context.path))
        for method in methods:
            # A path convertor (`{payment_id:int}`) is not part of the template's name.
            path = re.sub(r"\{(\w+):int\}", r"{\1}", str(context.path))
            found.append(Route(method, path, page))
    return found


def chunk_of(route: Route) -> str:
    """Which part of the matrix a route is observed in (each part builds its own world, so
    the parts run side by side under pytest-xdist)."""
    first = route.path.split("/")[2] if route.path.startswith("/v1/") else ""
    if route.page:
        financing = route.path.startswith(("/financing", "/market", "/credit-queries"))
        return "pages-financing" if financing else "pages"
    if first in {
        "consents",
        "documents",
        "verification-requests",
        "fingerprints",
        "sources",
        "batches",
    }:
        return "documents"
    if first in {
        "financings",
        "balances",
        "financing-scenarios",
        "scenario-caps",
        "needs",
        "offers",
        "credit-queries",
        "fx-rates",
    }:
        return "financing"
    return "parties-ledger"


CHUNKS = ("parties-ledger", "documents", "financing", "pages", "pages-financing")


# -- observing -------------------------------------------------------------------------------

Cell = tuple[str, str, str, str, str]  # method, path, relation, kind, role


def status_class(response: Response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response.headers.get("location", "")
        return "login" if location.startswith("/login") else "3xx"
    return "2xx" if 200 <= code < 300 else str(code)


# Where a page says what went wrong: a form's problem banner, or the error page's detail.
_DETAILS = (
    re.compile(r'data-test="problem">(.*?)</div>', re.S),
    re.compile(r'class="card error-card">.*?<p class="muted">(.*?)</p>', re.S),
)


def not_found_words(response: Response, ident: str | None) -> tuple[str, ...]:
    """What a 404 says, the record's own id taken out."""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        body = response.json()
        words = (body.get("type", ""), body.get("title", ""), body.get("detail", ""))
    else:
        found = [m.group(1) for pattern in _DETAILS if (m := pattern.search(response.text))]
        words = (found[0].strip(),) if found else ("<html>",)
    return tuple(w.replace(ident, "<id>") if ident else w for w in words)


class Observer:
    """Sends each cell's request as its caller and records the status class."""

    def __init__(self, app: FastAPI, world: World) -> None:
        self.app, self.world = app, world
        self.api = TestClient(app, raise_server_exceptions=False)
        self.pages: dict[tuple[str, str], tuple[TestClient, str]] = {}
        self.problems: list[str] = []
        self._missing: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def _portal(self, who: Who | None) -> tuple[TestClient, str]:
        slot = (who.kind, who.role) if who else (ANONYMOUS, "")
        if slot not in self.pages:
            self.pages[slot] = self._session(who)
        return self.pages[slot]

    def _session(self, who: Who | None) -> tuple[TestClient, str]:
        client = TestClient(self.app, raise_server_exceptions=False)
        token = csrf_from(client.get("/login").text)
        if who is not None:
            answer = client.post(
                "/login",
                data={"username": who.username, "password": PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            assert answer.status_code == 303, answer.text
            token = csrf_from(client.get("/ledger").text)
        return client, token

    def send(self, route: Route, spec: Spec, who: Who | None, req: Req) -> Response:
        if route.page:
            client, token = self._session(who) if spec.throwaway else self._portal(who)
            data = req.data
            if req.method != "GET":
                data = {**(data or {}), "csrf_token": token}
            try:
                return client.request(
                    req.method, req.url, data=data, files=req.files, follow_redirects=False
                )
            finally:
                if spec.throwaway:
                    client.close()
        headers = {**(who.headers if who else {}), **req.headers}
        return self.api.request(
            req.method,
            req.url,
            json=req.json,
            content=req.content,
            headers=headers,
            follow_redirects=False,
        )

    def cell(self, route: Route, who: Who | None, rel: str) -> str:
        spec = SPECS[(route.method, route.path)]
        req = spec.build(self.world, route, who, rel)
        response = self.send(route, spec, who, req)
        found = status_class(response)
        if route.method != "GET" and found in ("2xx", "3xx"):
            self.world.spend(req)
        if found == "404" and spec.record and rel != MISSING:
            self._same_as_missing(route, spec, who, req, response)
        if response.status_code >= 500:
            self.problems.append(
                f"{route.method} {route.path} {rel} "
                f"{who.kind if who else ANONYMOUS}/"
                f"{who.role if who else ''}: {response.status_code} "
                f"{response.text[:300]}"
            )
        return found

    def _same_as_missing(
        self, route: Route, spec: Spec, who: Who | None, req: Req, response: Response
    ) -> None:
        """A 404 for a record the caller may not see says what one for no record says."""
        slot = (route.method, route.path, who.kind if who else ANONYMOUS)
        if slot not in self._missing:
            missing = spec.build(self.world, route, who, MISSING)
            answer = self.send(route, spec, who, missing)
            if answer.status_code != 404:
                self.problems.append(
                    f"{route.method} {route.path}: a missing record "
                    f"answers {answer.status_code}, a hidden one 404"
                )
            self._missing[slot] = not_found_words(answer, missing.ident)
        seen = not_found_words(response, req.ident)
        if seen != self._missing[slot]:
            self.problems.append(
                f"{route.method} {route.path} as {slot[2]}: the 404 for a "
                f"record it may not see says {seen}, for no record "
                f"{self._missing[slot]}"
            )

    def close(self) -> None:
        """Stop what the app started on the way (the financing combiner), close clients."""
        combiner = getattr(self.app.state, "financing_combiner", None)
        if combiner is not None:
            combiner.stop()
        for client, _ in self.pages.values():
            client.close()
        self.api.close()

    def observe(self, routes: Iterable[Route]) -> dict[Cell, str]:
        found: dict[Cell, str] = {}
        for route in routes:
            spec = SPECS[(route.method, route.path)]
            rels = RELATIONS if spec.record else (NONE,)
            nobody = self.cell(route, None, rels[0])  # nobody has no role: one request
            for role in ROLES:
                found[(route.method, route.path, NONE, ANONYMOUS, role)] = nobody
            for kind in KINDS:
                for role in ROLES:
                    who = self.world.callers[(kind, role)]
                    for rel in rels:
                        found[(route.method, route.path, rel, kind, role)] = self.cell(
                            route, who, rel
                        )
        return found


# -- the file ---------------------------------------------------------------------------------


def rows_of(cells: dict[Cell, str], routes: list[Route]) -> Iterator[list[str]]:
    """Rows of the matrix file: a route's callers by kind, the four roles as columns."""
    surface = {(r.method, r.path): r.surface for r in routes}
    for route in routes:
        spec = SPECS[(route.method, route.path)]
        rels = RELATIONS if spec.record else (NONE,)
        yield [
            route.method,
            route.path,
            surface[(route.method, route.path)],
            NONE,
            ANONYMOUS,
            *(cells[(route.method, route.path, NONE, ANONYMOUS, role)] for role in ROLES),
        ]
        for rel in rels:
            for kind in KINDS:
                yield [
                    route.method,
                    route.path,
                    route.surface,
                    rel,
                    kind,
                    *(cells[(route.method, route.path, rel, kind, role)] for role in ROLES),
                ]


def write_matrix(path: Path, cells: dict[Cell, str], routes: list[Route], preamble: str) -> None:
    out = io.StringIO()
    for line in preamble.strip().splitlines():
        out.write(f"# {line}".rstrip() + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows_of(cells, routes))
    path.write_text(out.getvalue())


def read_matrix(path: Path) -> dict[Cell, str]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    rows = list(csv.reader(lines))
    assert tuple(rows[0]) == HEADER, f"{path}: the header must be {','.join(HEADER)}"
    cells: dict[Cell, str] = {}
    for row in rows[1:]:
        method, route_path, _, rel, kind, *roles = row
        for role, value in zip(ROLES, roles, strict=True):
            cells[(method, route_path, rel, kind, role)] = value
    return cells


def unreviewed(routes: Iterable[Route], cells: dict[Cell, str]) -> list[str]:
    """What keeps the matrix from covering `routes`: a route without a request in `SPECS`,
    without rows in the file, or with a cell missing; and rows of routes no longer served."""
    problems: list[str] = []
    served = {(r.method, r.path) for r in routes}
    listed = {(method, path) for method, path, *_ in cells}
    for method, path in sorted(served):
        spec = SPECS.get((method, path))
        if spec is None:
            problems.append(f"{method} {path}: no request in support.authz.SPECS")
            continue
        if (method, path) not in listed:
            problems.append(f"{method} {path}: no rows in {MATRIX.name}")
            continue
        rels = RELATIONS if spec.record else (NONE,)
        wanted = [(method, path, NONE, ANONYMOUS, role) for role in ROLES]
        wanted += [
            (method, path, rel, kind, role) for rel in rels for kind in KINDS for role in ROLES
        ]
        missing = [cell for cell in wanted if cell not in cells]
        if missing:
            problems.append(f"{method} {path}: {len(missing)} cells missing, e.g. {missing[0]}")
    problems += [
        f"{method} {path}: in {MATRIX.name} but no longer served"
        for method, path in sorted(listed - served)
    ]
    return problems


def matrix_settings(data_dir: Path, url: str) -> Settings:
    return Settings(
        database_url=url,
        data_dir=data_dir,
        log_level="WARNING",  # type: ignore[call-arg]
        _env_file=None,
    )

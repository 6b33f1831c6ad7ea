"""P4's comparisons: pure functions from the documents' contents to outcomes with evidence.

Each comparison is `{"subject", "outcome": "match" | "mismatch" | "missing", "evidence":
[{"source": "<kind> <key>", "field", "value"}], "tolerance": str | None, "note": str}`.
`missing` means a source that should speak is silent (no event at the port, no goods
claimed); `mismatch` means two sources disagree. Dates are compared on calendar days (an
event's UTC date); only ACTual events date anything, while any event (planned, estimated)
places a vessel or a container. Names compare case-, space- and punctuation-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crossfin.payments.offshore.tolerances import Tolerances

Content = Mapping[str, Any]
MATCH, MISMATCH, MISSING = "match", "mismatch", "missing"


@dataclass(frozen=True)
class Party:
    name: str
    country: str


@dataclass(frozen=True)
class Goods:
    """What the bank says the contract sells; every field optional but the HS code."""

    hs_code: str
    description: str | None = None
    quantity: str | None = None
    unit: str | None = None
    gross_weight_kg: str | None = None


@dataclass(frozen=True)
class Facts:
    """Everything one check compares."""

    contract_no: str
    buyer: Party
    seller: Party
    containers: Sequence[str]
    goods: Goods | None
    bl_key: str
    bl: Content
    declaration_key: str
    declaration: Content
    events: Sequence[tuple[str, Content]]  # (key, content) of the linked transport events


def _ev(source: str, field: str, value: Any) -> dict[str, Any]:
    return {"source": source, "field": field, "value": value}


def _result(
    subject: str,
    outcome: str,
    evidence: list[dict[str, Any]],
    note: str,
    tolerance: str | None = None,
) -> dict[str, Any]:
    return {
        "subject": subject,
        "outcome": outcome,
        "evidence": evidence,
        "tolerance": tolerance,
        "note": note,
    }


def name_key(text: str) -> str:
    """A name as compared: letters and digits only, upper-case, single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.upper()).split())


def linked_events(
    bl_key: str, containers: Iterable[str], events: Iterable[tuple[str, Content]]
) -> list[tuple[str, Content]]:
    """The events about this shipment: naming the B/L, or one of its containers."""
    wanted = set(containers)
    return [
        (key, e)
        for key, e in events
        if bl_key in e.get("transport_document_refs", ()) or e.get("equipment") in wanted
    ]


def compare_all(facts: Facts, tol: Tolerances) -> list[dict[str, Any]]:
    """Every comparison of one check, in the report's order."""
    return [
        transport_document(facts),
        vessel(facts),
        voyage(facts),
        containers(facts),
        port(facts, "port_of_loading", ("DEPA",), ("LOAD", "GTIN")),
        port(facts, "port_of_discharge", ("ARRI",), ("DISC", "GTOT")),
        loading_date(facts, tol),
        declaration_date(facts, tol),
        party(facts, "seller", facts.seller, "exporter"),
        party(facts, "buyer", facts.buyer, "importer"),
        goods(facts),
        measure(facts, "quantity", "quantity", tol.quantity_pct),
        measure(facts, "gross_weight", "gross_weight_kg", tol.weight_pct),
    ]


def outcome_of(comparisons: Sequence[Mapping[str, Any]], *, missing_allowed: bool) -> str:
    """passed: every comparison matches (a facilitated class may lack some evidence)."""
    bad = {MISMATCH} | (set() if missing_allowed else {MISSING})
    return "failed" if any(c["outcome"] in bad for c in comparisons) else "passed"


def _bl(f: Facts) -> str:
    return f"bill_of_lading {f.bl_key}"


def _decl(f: Facts) -> str:
    return f"overseas_customs_declaration {f.declaration_key}"


def _contract(f: Facts) -> str:
    return f"contract {f.contract_no}"


def _event(key: str) -> str:
    return f"transport_event {key}"


def transport_document(f: Facts) -> dict[str, Any]:
    named = f.declaration["transport_document_no"]
    evidence = [_ev(_bl(f), "bl_no", f.bl_key), _ev(_decl(f), "transport_document_no", named)]
    citing = [k for k, e in f.events if f.bl_key in e.get("transport_document_refs", ())]
    evidence += [_ev(_event(k), "transport_document_refs", f.bl_key) for k in citing]
    if named != f.bl_key:
        return _result(
            "transport_document", MISMATCH, evidence, "the declaration names another B/L"
        )
    if not citing:
        return _result("transport_document", MISSING, evidence, "no carrier event names the B/L")
    return _result("transport_document", MATCH, evidence, "the declaration and events name the B/L")


def vessel(f: Facts) -> dict[str, Any]:
    evidence = [_ev(_bl(f), "vessel", f.bl["vessel"])]
    names = {name_key(f.bl["vessel"])}
    imos: set[str] = set()
    for source, content in [(_decl(f), f.declaration)] + [(_event(k), e) for k, e in f.events]:
        if "vessel" in content:
            evidence.append(_ev(source, "vessel", content["vessel"]))
            names.add(name_key(content["vessel"]))
        if "vessel_imo" in content:
            evidence.append(_ev(source, "vessel_imo", content["vessel_imo"]))
            imos.add(content["vessel_imo"])
    if len(names) > 1 or len(imos) > 1:
        return _result("vessel", MISMATCH, evidence, "the sources name different vessels")
    if not any(("vessel" in e or "vessel_imo" in e) for _, e in f.events):
        return _result("vessel", MISSING, evidence, "no carrier event names the vessel")
    return _result("vessel", MATCH, evidence, "one vessel throughout")


def voyage(f: Facts) -> dict[str, Any]:
    evidence = [_ev(_bl(f), "voyage", f.bl["voyage"])]
    others = [(_decl(f), f.declaration)] + [(_event(k), e) for k, e in f.events]
    evidence += [_ev(s, "voyage", c["voyage"]) for s, c in others if "voyage" in c]
    if len({e["value"] for e in evidence}) > 1:
        return _result("voyage", MISMATCH, evidence, "the sources name different voyages")
    if not any("voyage" in e for _, e in f.events):
        return _result("voyage", MISSING, evidence, "no carrier event names the voyage")
    return _result("voyage", MATCH, evidence, "one voyage throughout")


def containers(f: Facts) -> dict[str, Any]:
    given, on_bl = sorted(f.containers), sorted(f.bl.get("containers", ()))
    on_decl = sorted(f.declaration.get("containers", ()))
    evidence = [
        _ev(_contract(f), "containers", given),
        _ev(_bl(f), "containers", on_bl),
        _ev(_decl(f), "containers", on_decl),
    ]
    seen = {e["equipment"]: k for k, e in f.events if e.get("event_type") == "EQUIPMENT"}
    evidence += [_ev(_event(seen[c]), "equipment", c) for c in given if c in seen]
    if not given or given != on_bl or given != on_decl:
        return _result(
            "containers", MISMATCH, evidence, "the check, the B/L and the declaration differ"
        )
    unseen = [c for c in given if c not in seen]
    if unseen:
        return _result(
            "containers", MISSING, evidence, f"no equipment event for {', '.join(unseen)}"
        )
    return _result("containers", MATCH, evidence, "the same containers, each seen by the carrier")


def port(
    f: Facts, field: str, transport_codes: tuple[str, ...], equipment_codes: tuple[str, ...]
) -> dict[str, Any]:
    code = f.bl[field]
    evidence = [_ev(_bl(f), field, code), _ev(_decl(f), field, f.declaration[field])]
    codes = transport_codes + equipment_codes
    calls = [(k, e) for k, e in f.events if e.get("event_code") in codes and "location" in e]
    evidence += [_ev(_event(k), f"location ({e['event_code']})", e["location"]) for k, e in calls]
    if f.declaration[field] != code or any(e["location"] != code for _, e in calls):
        return _result(field, MISMATCH, evidence, "the sources name different ports (UN/LOCODE)")
    if not calls:
        wanted = "/".join(codes)
        return _result(field, MISSING, evidence, f"no carrier event ({wanted}) at {code}")
    return _result(field, MATCH, evidence, f"{code} throughout")


def _actual_at(f: Facts, codes: tuple[str, ...], place: str) -> tuple[str, Content] | None:
    """The first ACTual event of `codes` (in their order of preference) at `place`."""
    for code in codes:
        for key, e in f.events:
            if (e.get("classifier"), e.get("event_code"), e.get("location")) == (
                "ACT",
                code,
                place,
            ):
                return key, e
    return None


def _days(a: date, b: date) -> int:
    return abs((a - b).days)


def loading_date(f: Facts, tol: Tolerances) -> dict[str, Any]:
    limit = f"±{tol.bl_departure_days} days"
    issued = date.fromisoformat(f.bl["issue_date"])
    evidence = [_ev(_bl(f), "issue_date", f.bl["issue_date"])]
    found = _actual_at(f, ("DEPA", "LOAD"), f.bl["port_of_loading"])
    if found is None:
        note = f"no actual departure (DEPA) or loading (LOAD) at {f.bl['port_of_loading']}"
        return _result("loading_date", MISSING, evidence, note, limit)
    key, event = found
    evidence.append(
        _ev(_event(key), f"event_datetime ({event['event_code']})", event["event_datetime"])
    )
    apart = _days(issued, date.fromisoformat(event["event_datetime"][:10]))
    outcome = MATCH if apart <= tol.bl_departure_days else MISMATCH
    return _result("loading_date", outcome, evidence, f"{apart} days apart", limit)


def declaration_date(f: Facts, tol: Tolerances) -> dict[str, Any]:
    limit = f"±{tol.declaration_days} days"
    d = f.declaration
    evidence = [_ev(_decl(f), "acceptance_date", d["acceptance_date"])]
    if d["declaration_type"] == "export":
        found = _actual_at(f, ("DEPA", "LOAD"), d["port_of_loading"])
        what = f"departure from {d['port_of_loading']}"
    else:
        found = _actual_at(f, ("ARRI", "DISC"), d["port_of_discharge"])
        what = f"arrival at {d['port_of_discharge']}"
    if found is None:
        return _result("declaration_date", MISSING, evidence, f"no actual {what}", limit)
    key, event = found
    evidence.append(
        _ev(_event(key), f"event_datetime ({event['event_code']})", event["event_datetime"])
    )
    accepted = date.fromisoformat(d["acceptance_date"])
    apart = _days(accepted, date.fromisoformat(event["event_datetime"][:10]))
    outcome = MATCH if apart <= tol.declaration_days else MISMATCH
    return _result("declaration_date", outcome, evidence, f"{apart} days from the {what}", limit)


def party(f: Facts, subject: str, given: Party, side: str) -> dict[str, Any]:
    d = f.declaration
    evidence = [
        _ev(_contract(f), f"{subject}.name", given.name),
        _ev(_contract(f), f"{subject}.country", given.country),
        _ev(_decl(f), f"{side}_name", d[f"{side}_name"]),
        _ev(_decl(f), f"{side}_country", d[f"{side}_country"]),
    ]
    same = name_key(given.name) == name_key(d[f"{side}_name"])
    if not same or given.country != d[f"{side}_country"]:
        return _result(subject, MISMATCH, evidence, f"the contract's {subject} is not the {side}")
    return _result(subject, MATCH, evidence, f"the contract's {subject} is the declared {side}")


def goods(f: Facts) -> dict[str, Any]:
    d = f.declaration
    evidence = [
        _ev(_decl(f), "hs_code", d["hs_code"]),
        _ev(_decl(f), "goods_description", d["goods_description"]),
    ]
    if f.goods is None:
        return _result("goods", MISSING, evidence, "the check names no goods")
    evidence.insert(0, _ev(_contract(f), "goods.hs_code", f.goods.hs_code))
    if f.goods.description:
        evidence.insert(1, _ev(_contract(f), "goods.description", f.goods.description))
    # The HS is harmonised to 6 digits; further digits are each country's own.
    if f.goods.hs_code[:6] != d["hs_code"][:6]:
        return _result("goods", MISMATCH, evidence, "different HS headings (6 digits)")
    return _result("goods", MATCH, evidence, "the same HS subheading (6 digits)")


def measure(f: Facts, subject: str, field: str, pct: int) -> dict[str, Any]:
    d, limit = f.declaration, f"±{pct} %"
    evidence = [_ev(_decl(f), field, d[field])]
    if subject == "quantity":
        evidence.append(_ev(_decl(f), "quantity_unit", d["quantity_unit"]))
    mine = getattr(f.goods, "gross_weight_kg" if field == "gross_weight_kg" else "quantity", None)
    if f.goods is None or mine is None:
        return _result(subject, MISSING, evidence, f"the check names no {subject}", limit)
    evidence.insert(0, _ev(_contract(f), f"goods.{field}", mine))
    if subject == "quantity":
        evidence.insert(1, _ev(_contract(f), "goods.unit", f.goods.unit))
        if f.goods.unit != d["quantity_unit"]:
            return _result(subject, MISMATCH, evidence, "different units", limit)
    ours, theirs = Decimal(mine), Decimal(d[field])
    off = abs(ours - theirs) * 100 / theirs
    outcome = MATCH if off <= pct else MISMATCH
    return _result(subject, outcome, evidence, f"{off.quantize(Decimal('0.01'))} % apart", limit)

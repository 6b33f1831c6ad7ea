"""Demo P4: an offshore trader's shipments, their sources' records, and two checks.

Crimson Sail Trading (赤帆贸易, Shenzhen Luohu, class A) buys goods abroad and resells them
abroad (离岸转手买卖): the goods never touch China. Its carrier publishes the B/Ls and the
DCSA Track & Trace events, the overseas customs source the foreign export declarations.
`bank1.operator` runs two checks through the one use-case function:

- `demo-P4-001`: CNC machines, Hamburg to Singapore; everything matches, the B/L and the
  declaration are endorsed (签注);
- `demo-P4-002`: copper cathode, Valparaíso to Busan; the declaration names another
  voyage and a gross weight far from the contract's: the check fails, nothing is
  endorsed, and the regulator gets the `offshore-check-failed` alert.

Records are fixed (no random draw), so adding them leaves the rest of the demo unchanged.
Idempotent: checks already there are skipped.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crossfin.demo.dataset import demo_orgs
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.payments.offshore import service
from crossfin.payments.offshore.models import OffshoreCheck
from crossfin.payments.offshore.schemas import CheckIn

TRADER, BANK = "crimsonsail", "bank1"
Record = dict[str, Any]

# (n, seller, its country, buyer, its country, POL, POD, vessel, IMO, voyage, containers,
#  goods, HS, quantity, unit, weight kg, value, currency, on board, arrival)
_SHIPMENTS = (
    (
        1, "Rhein Maschinen GmbH", "DE", "Lion City Trading Pte. Ltd.", "SG", "DEHAM", "SGSIN",
        "BLUE DRAGON PIONEER", "9412036", "0426E", ("BDLU3001127", "BDLU3001277"),
        "CNC milling machines", "845961", "12", "PCE", "18400", "960000.00", "EUR",
        "2026-10-12", "2026-11-08",
    ),
    (
        2, "Andes Copper S.A.", "CL", "Busan Metals Co., Ltd.", "KR", "CLVAP", "KRPUS",
        "BLUE DRAGON HARMONY", "9631010", "0731W", ("BDLU3001317", "BDLU3001467"),
        "Refined copper cathodes", "740311", "50", "TNE", "50200", "437500.00", "USD",
        "2026-10-20", "2026-11-21",
    ),
)  # fmt: skip
# What the failed shipment's declaration says otherwise (`demo-P4-002`).
_DECLARED_OTHERWISE = {2: {"voyage": "0732W", "gross_weight_kg": "38000"}}


def _uscc() -> str:
    uscc = next(o.uscc for o in demo_orgs() if o.key == TRADER)
    assert uscc is not None
    return uscc


def _bl_no(n: int) -> str:
    return f"BDCLOFF26{n:05d}"


def bills_of_lading() -> list[Record]:
    """The carrier's B/Ls of the offshore shipments (the trader is the shipper)."""
    return [
        {
            "bl_no": _bl_no(s[0]),
            "shipper_uscc": _uscc(),
            "consignee": s[3],
            "port_of_loading": s[5],
            "port_of_discharge": s[6],
            "vessel": s[7],
            "voyage": s[9],
            "containers": list(s[10]),
            "issue_date": s[18],
            "negotiable": True,
        }
        for s in _SHIPMENTS
    ]


def declarations() -> list[Record]:
    """The foreign export declarations, as the overseas customs source relays them."""
    out = []
    for s in _SHIPMENTS:
        n, country = s[0], s[2]
        record = {
            "declaration_no": f"26{country}EX{n:010d}",
            "declaring_country": country,
            "declaration_type": "export",
            "enterprise_uscc": _uscc(),
            "exporter_name": s[1],
            "exporter_country": country,
            "importer_name": s[3],
            "importer_country": s[4],
            "transport_document_no": _bl_no(n),
            "vessel": s[7],
            "vessel_imo": s[8],
            "voyage": s[9],
            "port_of_loading": s[5],
            "port_of_discharge": s[6],
            "containers": list(s[10]),
            "goods_description": s[11],
            "hs_code": s[12],
            "quantity": s[13],
            "quantity_unit": s[14],
            "gross_weight_kg": s[15],
            "invoice_value": s[16],
            "currency": s[17],
            "acceptance_date": s[18][:8] + f"{int(s[18][8:]) - 3:02d}",
        }
        out.append(record | _DECLARED_OTHERWISE.get(n, {}))
    return out


def transport_events() -> list[Record]:
    """The carrier's DCSA events: each container loaded, the vessel's departure and arrival."""
    out: list[Record] = []
    for s in _SHIPMENTS:
        n, bl_no = s[0], _bl_no(s[0])
        common = {
            "party_uscc": _uscc(),
            "carrier": "Blue Dragon Container Lines",
            "vessel": s[7],
            "vessel_imo": s[8],
            "voyage": s[9],
            "transport_document_refs": [bl_no],
        }
        moves: list[tuple[str, str, str, str, str | None]] = [
            ("EQUIPMENT", "LOAD", f"{s[18]}T06:{i:02d}:00Z", s[5], box)
            for i, box in enumerate(s[10])
        ]
        moves += [
            ("TRANSPORT", "DEPA", f"{s[18]}T22:00:00Z", s[5], None),
            ("TRANSPORT", "ARRI", f"{s[19]}T04:00:00Z", s[6], None),
        ]
        for i, (kind, code, when, place, box) in enumerate(moves):
            event = common | {
                "event_id": f"BDCL-EV-26{n:03d}-{i:03d}",
                "event_type": kind,
                "classifier": "ACT",
                "event_code": code,
                "event_datetime": when,
                "location": place,
            }
            out.append(event | ({"equipment": box} if box else {}))
    return out


def _body(n: int) -> CheckIn:
    s = _SHIPMENTS[n - 1]
    decl = declarations()[n - 1]
    return CheckIn.model_validate(
        {
            "external_ref": f"demo-P4-{n:03d}",
            "enterprise_uscc": _uscc(),
            "contract": {
                "number": f"CS-OFF-2026-{n:03d}",
                # The resale price: the trader's margin over the declared purchase value.
                "amount": f"{float(s[16]) * 1.06:.2f}",
                "currency": s[17],
                "buyer": {"name": s[3], "country": s[4]},
                "seller": {"name": s[1], "country": s[2]},
            },
            "bill_of_lading": _bl_no(n),
            "declaration": decl["declaration_no"],
            "containers": list(s[10]),
            "goods": {
                "hs_code": s[12],
                "description": s[11],
                "quantity": s[13],
                "unit": s[14],
                "gross_weight_kg": s[15],
            },
        }
    )


def load_offshore_checks(uow: UnitOfWork) -> int:
    """Run the demo's P4 checks not yet there; the caller commits. Returns how many ran."""
    from crossfin.demo.financings import _People

    have = set(
        uow.session.scalars(
            select(OffshoreCheck.external_ref).where(
                OffshoreCheck.external_ref.startswith("demo-P4-")
            )
        )
    )
    maker = _People(uow)(f"{BANK}.operator")
    added = 0
    for n in (1, 2):
        if f"demo-P4-{n:03d}" in have:
            continue
        with uow.acting_as(maker.actor):
            outcome, _ = service.check_offshore(Transactions.within(uow), maker, _body(n))
        if isinstance(outcome, service.Done):
            added += 1
    return added

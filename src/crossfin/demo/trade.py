"""The demo enterprises' trade documents, as their sources would send them (kinds contract).

Plain data only; `demo.documents` publishes it. Every call returns the same records: values
come from one `random.Random` seeded with a fixed string (string seeds hash with SHA-512,
so the sequence is the same in every process), drawn in a fixed order. Counterparties are
fictional; customs district codes, UN/LOCODEs and trade-mode codes are real.

One shipment ties the kinds together: a declaration's `bill_no` names the carrier's B/L of
the same goods, and a credit-insurance policy lists the declarations shipped to its buyer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from stdnum import iso6346

from crossfin.core.money import format_amount
from crossfin.demo import offshore
from crossfin.demo.dataset import DemoOrg, demo_orgs
from crossfin.demo.trade_parties import (
    BUYERS,
    CARRIER_PREFIXES,
    DISTRICT_OF_CITY,
    PAYEES,
    PORT_OF_CITY,
    SUPPLIERS,
    WAREHOUSE_GOODS,
    Buyer,
    seller_uscc,
)

Record = dict[str, Any]
SEED = "crossfin-demo-documents/v1"
YEAR = 2026
FIRST_DAY = date(YEAR, 1, 5)
LAST_DAY = date(YEAR, 11, 20)
EXPORTS, IMPORTS = 300, 12
# Relative share of exports by class: C firms ship little, and get no facilitation.
CLASS_WEIGHT = {"A": 6, "B": 4, "C": 1}
# Trade modes and their shares: 0110 general trade, 0615 processing with imported materials,
# 0214 processing of supplied materials (9610, cross-border e-commerce, for the e-commerce firm).
TRADE_MODES = ("0110", "0615", "0214")
TRADE_MODE_SHARES = (80, 12, 8)


@dataclass(frozen=True, slots=True)
class DemoBatch:
    """One signed batch: a source organization's records of one kind."""

    source: str
    kind: str
    records: tuple[Record, ...]

    @property
    def ref(self) -> str:
        """The batch id: deterministic, so a second load finds the batch already there."""
        return f"demo-{self.source}-{self.kind}"


@dataclass
class _Shipment:
    """A declaration before its number is known (numbers follow the date order)."""

    firm: DemoOrg
    party: Buyer
    flag: str
    day: date
    value_minor: int
    trade_mode: str
    bill_no: str | None = None
    number: str = ""


def _day(rng: random.Random, start: date = FIRST_DAY, end: date = LAST_DAY) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _amount(rng: random.Random, low: int, high: int) -> int:
    """Minor units, log-uniform in [low, high] whole units: many small, a few large."""
    return int(math.exp(rng.uniform(math.log(low), math.log(high))) * 100)


def _firms() -> list[DemoOrg]:
    return [o for o in demo_orgs() if o.kind == "enterprise"]


def _city(firm: DemoOrg) -> str:
    return firm.jurisdictions[0][:4]


def _trades_in(firm: DemoOrg, trade: str) -> bool:
    """True if the firm's trade line (as its English name spells it) is `trade`."""
    return firm.name.endswith(f" {trade} Co., Ltd.")


def _shipments(rng: random.Random) -> list[_Shipment]:
    """Exports to each firm's three regular buyers (more for better classes), and imports."""
    firms = _firms()
    regular = {f.key: rng.sample(BUYERS, 3) for f in firms}
    picks = rng.choices(firms, [CLASS_WEIGHT[f.trade_class or "A"] for f in firms], k=EXPORTS)
    out = []
    for firm in picks:
        mode = (
            "9610"
            if _trades_in(firm, "E-commerce")
            else rng.choices(TRADE_MODES, TRADE_MODE_SHARES)[0]
        )
        out.append(
            _Shipment(
                firm,
                rng.choice(regular[firm.key]),
                "0",
                _day(rng),
                _amount(rng, 6_000, 420_000),
                mode,
            )
        )
    by_key = {f.key: f for f in firms}
    for firm_key, supplier in SUPPLIERS:
        out.append(
            _Shipment(
                by_key[firm_key], supplier, "1", _day(rng), _amount(rng, 20_000, 900_000), "0110"
            )
        )
    for item in out:
        if item.trade_mode != "9610" and rng.random() < 0.85:
            item.bill_no = f"{rng.choice(CARRIER_PREFIXES)}{rng.randint(10**9, 10**10 - 1)}"
    return out


def _number(shipments: list[_Shipment], rng: random.Random) -> None:
    """Give declarations 18-digit numbers, rising with the date within each district."""
    districts = sorted({DISTRICT_OF_CITY[_city(s.firm)][1] for s in shipments})
    for district in districts:
        sequence = rng.randint(100_000, 400_000)
        mine = [s for s in shipments if DISTRICT_OF_CITY[_city(s.firm)][1] == district]
        for item in sorted(mine, key=lambda s: s.day):
            sequence += rng.randint(200, 3_000)
            item.number = f"{district}{YEAR}{item.flag}{sequence:09d}"


def _declaration(item: _Shipment) -> Record:
    record: Record = {
        "declaration_no": item.number,
        "enterprise_uscc": item.firm.uscc,
        "buyer_name": item.party.name,
        "buyer_country": item.party.country,
        "currency": item.party.currency,
        "total_value": format_amount(item.value_minor, item.party.currency),
        "export_date": item.day.isoformat(),
        "trade_mode": item.trade_mode,
    }
    if item.bill_no:
        record["bill_no"] = item.bill_no
    return record


def _container(rng: random.Random) -> str:
    body = f"BDCU{rng.randint(0, 999_999):06d}"  # BDC: Blue Dragon's owner code, U: freight
    return body + iso6346.calc_check_digit(body)


def _bill_of_lading(item: _Shipment, rng: random.Random, n: int) -> Record:
    """The carrier's B/L of an export shipment; the declaration's bill_no now names it."""
    loading = PORT_OF_CITY[_city(item.firm)]
    item.bill_no = f"BDCL{loading[2:]}{YEAR % 100}{n * 37 + 1_000:05d}"
    negotiable = rng.random() < 0.7
    vessel = rng.choice(
        ("BLUE DRAGON PEARL", "BLUE DRAGON JADE", "BLUE DRAGON HARMONY", "BLUE DRAGON LOTUS")
    )
    heading = "E" if item.party.country in {"US", "CA", "MX", "BR", "CL"} else "W"
    containers = sorted({_container(rng) for _ in range(rng.randint(1, 4))})
    record: Record = {
        "bl_no": item.bill_no,
        "shipper_uscc": item.firm.uscc,
        "consignee": "TO ORDER" if negotiable else item.party.name,
        "port_of_loading": loading,
        "port_of_discharge": item.party.port,
        "vessel": vessel,
        "voyage": f"{rng.randint(10, 68):03d}{heading}",
        "containers": containers,
        "issue_date": (item.day + timedelta(days=rng.randint(0, 2))).isoformat(),
        "negotiable": negotiable,
    }
    if negotiable:
        record["notify_party"] = item.party.name
    if rng.random() < 0.5:
        record |= {
            "cargo_value": format_amount(item.value_minor, item.party.currency),
            "currency": item.party.currency,
        }
    return record


def _bills_of_lading(shipments: list[_Shipment], rng: random.Random) -> list[Record]:
    exports = [s for s in shipments if s.flag == "0" and s.trade_mode != "9610"]
    chosen = sorted(rng.sample(exports, 30), key=lambda s: (s.day, s.number))
    return [_bill_of_lading(item, rng, n) for n, item in enumerate(chosen)]


def _policies(shipments: list[_Shipment], rng: random.Random) -> list[Record]:
    """Ten policies, each covering one exporter's sales to one regular buyer."""
    pairs: dict[tuple[str, str], list[_Shipment]] = {}
    for item in shipments:
        if item.flag == "0":
            pairs.setdefault((item.firm.key, item.party.name), []).append(item)
    eligible = sorted(k for k, v in pairs.items() if len(v) >= 2)
    records = []
    for n, pair in enumerate(sorted(rng.sample(eligible, 10))):
        covered = sorted(pairs[pair], key=lambda s: s.number)[:6]
        first, party = covered[0], covered[0].party
        start = date(YEAR, min(s.day for s in covered).month, 1)
        total = sum(s.value_minor for s in covered) // 100
        limit = max(100_000, math.ceil(total * rng.uniform(1.2, 2.0) / 50_000) * 50_000)
        records.append(
            {
                "policy_no": f"SREC-{YEAR}-{_city(first.firm)}-{n * 113 + 20_417:05d}",
                "insured_uscc": first.firm.uscc,
                "buyer_name": party.name,
                "buyer_country": party.country,
                "currency": party.currency,
                "credit_limit": format_amount(limit * 100, party.currency),
                "coverage_ratio": rng.choice(("0.90", "0.90", "0.85", "0.80")),
                "valid_from": start.isoformat(),
                "valid_to": (start.replace(year=YEAR + 1) - timedelta(days=1)).isoformat(),
                "declarations": [s.number for s in covered],
            }
        )
    return records


def _in_city(city: str) -> list[DemoOrg]:
    return [f for f in _firms() if _city(f) == city]


def _invoice_no(rng: random.Random, city: str, n: int) -> str:
    """Mostly 20-digit fully digital numbers (year, region, channel, sequence); one in
    eight an older 12-digit invoice code with its 8-digit number."""
    region = "44" if city == "4403" else "33"
    if n % 8 == 7:
        return f"0{city}{YEAR % 100}00111-{rng.randint(1, 99_999_999):08d}"
    return f"{YEAR % 100}{region}2{rng.randint(10**12, 10**13 - 1):015d}"


# Category -> (share, smallest and largest amount in yuan, VAT rate in per cent).
_INVOICE_TYPES = {
    "freight": (50, 3_000, 180_000, 9),
    "goods": (30, 20_000, 800_000, 13),
    "service": (20, 5_000, 150_000, 6),
}


def _invoices(rng: random.Random, city: str, count: int) -> list[Record]:
    buyers = _in_city(city)
    categories = list(_INVOICE_TYPES)
    records = []
    for n in range(count):
        category = rng.choices(categories, [t[0] for t in _INVOICE_TYPES.values()])[0]
        _, low, high, rate = _INVOICE_TYPES[category]
        amount = _amount(rng, low, high)
        records.append(
            {
                "invoice_no": _invoice_no(rng, city, n),
                "seller_uscc": seller_uscc(city, category, rng.randint(0, 3)),
                "buyer_uscc": rng.choice(buyers).uscc,
                "currency": "CNY",
                "amount": format_amount(amount, "CNY"),
                "tax_amount": format_amount(round(amount * rate / 100), "CNY"),
                "issue_date": _day(rng).isoformat(),
                "category": category,
            }
        )
    return sorted(records, key=lambda r: (r["issue_date"], r["invoice_no"]))


def _filings(rng: random.Random, city: str, count: int) -> list[Record]:
    payers = _in_city(city)
    region = f"{city}00"
    records = []
    for n in range(count):
        name, country, currency, item_type = rng.choice(PAYEES)
        code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
        records.append(
            {
                "filing_no": f"{region}{YEAR % 100}{n * 211 + 1_043:08d}",
                "verification_code": code,
                "payer_uscc": rng.choice(payers).uscc,
                "payee_name": name,
                "payee_country": country,
                "currency": currency,
                "contract_amount": format_amount(_amount(rng, 60_000, 900_000), currency),
                "item_type": item_type,
                "filing_date": _day(rng).isoformat(),
            }
        )
    return records


def _goods_of(firm: DemoOrg) -> tuple[str, str, int, int, int] | None:
    for trade, goods in WAREHOUSE_GOODS.items():
        if _trades_in(firm, trade):
            return goods
    return None


def _receipts(rng: random.Random) -> list[Record]:
    """Ten receipts of the bonded warehouse in Beilun, whose depositors are Zhejiang firms."""
    stocked = [
        (f, stock)
        for f in _in_city("3302") + _in_city("3301")
        if (stock := _goods_of(f)) is not None
    ]
    records = []
    for n, (firm, stock) in enumerate(rng.sample(stocked, 10)):
        goods, unit, low, high, price = stock
        quantity = rng.randint(low, high)
        records.append(
            {
                "receipt_no": f"BLBW-WR-{YEAR}-{n * 29 + 311:05d}",
                "owner_uscc": firm.uscc,
                "warehouse": "Beilun Bonded Port Warehouse, Ningbo",
                "location": f"Warehouse {rng.randint(1, 8)}, zone {rng.choice('ABCD')}, "
                f"bay {rng.randint(1, 40)}",
                "goods": goods,
                "quantity": str(quantity),
                "unit": unit,
                "valuation": format_amount(quantity * price * 100, "CNY"),
                "currency": "CNY",
                "issue_date": _day(rng).isoformat(),
            }
        )
    return records


def demo_batches() -> list[DemoBatch]:
    """Every demo batch: declarations per customs district, then the other sources' kinds."""
    rng = random.Random(SEED)
    shipments = _shipments(rng)
    _number(shipments, rng)
    ladings = _bills_of_lading(shipments, rng)
    policies = _policies(shipments, rng)
    out = []
    for source, district in sorted(set(DISTRICT_OF_CITY.values())):
        mine = sorted((s for s in shipments if s.number[:4] == district), key=lambda s: s.number)
        out.append(DemoBatch(source, "customs_declaration", tuple(_declaration(s) for s in mine)))
    out += [
        DemoBatch("tax-sz", "vat_invoice", tuple(_invoices(rng, "4403", 60))),
        DemoBatch("tax-nb", "vat_invoice", tuple(_invoices(rng, "3302", 40))),
        DemoBatch("tax-sz", "tax_filing", tuple(_filings(rng, "4403", 6))),
        DemoBatch("tax-nb", "tax_filing", tuple(_filings(rng, "3302", 4))),
        DemoBatch("insurer", "insurance_policy", tuple(policies)),
        # The offshore trader's B/Ls come last and without a draw: the rest stays as it was.
        DemoBatch("carrier", "bill_of_lading", tuple(ladings + offshore.bills_of_lading())),
        DemoBatch("carrier", "transport_event", tuple(offshore.transport_events())),
        DemoBatch(
            "overseas-customs", "overseas_customs_declaration", tuple(offshore.declarations())
        ),
        DemoBatch("warehouse", "warehouse_receipt", tuple(_receipts(rng))),
    ]
    return out

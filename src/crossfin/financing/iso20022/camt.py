"""The reconciliation feed (GET /v1/financings) as camt.053.001.04 statement entries.

The same page the JSON feed answers, in the same change order, one `Stmt` per currency:
each financing an `Ntry` (NtryRef `FIN-<id>`, Amt its amount, DBIT: a loan the bank
pays out), booked (BOOK) once disbursed, pending (PDNG) while registered or approved,
information only (INFO) once refused, cancelled or expired. Its references, state and
documents are in the entry's TxDtls (EndToEndId the external_ref, RfrdDocInf each
document as kind and key). A page is not a whole account statement: the one balance given
(`Prtry` OUTSTANDING) is the page's outstanding total, and GrpHdr/AddtlInf carries the
next cursor; an empty page is one empty statement in XXX. docs/iso20022.md has the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from crossfin.core.iso20022 import Builder, amount_text
from crossfin.financing.iso20022.schemas import CAMT_053
from crossfin.financing.lifecycle import State
from crossfin.financing.schemas import FinancingOut

_BOOKED = {State.DISBURSED, State.PARTLY_REPAID, State.REPAID, State.CLOSED}
_PENDING = {State.REGISTERED, State.APPROVED}


def _status(state: str) -> str:
    if state in _BOOKED:
        return "BOOK"
    return "PDNG" if state in _PENDING else "INFO"


def statement(
    items: Sequence[FinancingOut], next_cursor: str | None, bank: str, now: datetime, today: date
) -> bytes:
    """A camt.053.001.04 of one feed page for the bank named `bank` (its account id)."""
    b = Builder(CAMT_053)
    body = b.add(b.root, "BkToCstmrStmt")
    header = b.add(body, "GrpHdr")
    stamp = now.replace(microsecond=0).isoformat()
    b.add(header, "MsgId", f"CF-FEED-{int(now.timestamp())}")
    b.add(header, "CreDtTm", stamp)
    pages = b.add(header, "MsgPgntn")
    b.add(pages, "PgNb", "1")
    b.add(pages, "LastPgInd", "false" if next_cursor else "true")
    if next_cursor:
        b.add(header, "AddtlInf", f"next_cursor={next_cursor}")
    # camt.053 needs at least one statement: an empty page is one in XXX ("no currency").
    currencies = sorted({item.currency for item in items}) or ["XXX"]
    for currency in currencies:
        mine = [item for item in items if item.currency == currency]
        _stmt(b, body, mine, currency, bank, stamp, today)
    return b.bytes()


def _stmt(
    b: Builder,
    body: Element,
    items: list[FinancingOut],
    currency: str,
    bank: str,
    stamp: str,
    today: date,
) -> None:
    stmt = b.add(body, "Stmt")
    b.add(stmt, "Id", f"CF-{bank}-{currency}"[:35])
    b.add(stmt, "CreDtTm", stamp)
    account = b.add(stmt, "Acct")
    b.add(account, "Id/Othr/Id", f"CROSSFIN-FINANCINGS-{bank}"[:34])
    b.add(account, "Ccy", currency)
    balance = b.add(stmt, "Bal")
    b.add(balance, "Tp/CdOrPrtry/Prtry", "OUTSTANDING")
    outstanding = sum((Decimal(i.outstanding) for i in items), Decimal(0))
    b.add(balance, "Amt", amount_text(outstanding), Ccy=currency)
    b.add(balance, "CdtDbtInd", "DBIT")
    b.add(balance, "Dt/Dt", today.isoformat())
    for item in items:
        _entry(b, stmt, item)


def _entry(b: Builder, stmt: Element, item: FinancingOut) -> None:
    entry = b.add(stmt, "Ntry")
    b.add(entry, "NtryRef", f"FIN-{item.id}")
    b.add(entry, "Amt", item.amount, Ccy=item.currency)
    b.add(entry, "CdtDbtInd", "DBIT")
    b.add(entry, "Sts", _status(item.state))
    b.add(entry, "BookgDt/Dt", item.updated_at.date().isoformat())
    b.add(entry, "AcctSvcrRef", f"CHG-{item.change_seq}")
    code = b.add(entry, "BkTxCd/Prtry")
    b.add(code, "Cd", f"FINANCING-{item.state.upper()}"[:35])
    b.add(code, "Issr", "crossfin")
    tx = b.add(entry, "NtryDtls/TxDtls")
    refs = b.add(tx, "Refs")
    b.add(refs, "AcctSvcrRef", f"FIN-{item.id}")
    b.add(refs, "EndToEndId", item.external_ref[:35])
    b.add(tx, "Amt", item.amount, Ccy=item.currency)
    b.add(tx, "CdtDbtInd", "DBIT")
    if item.documents:
        remittance = b.add(tx, "RmtInf")
        for use in item.documents:
            doc = b.add(remittance, "Strd/RfrdDocInf")
            b.add(doc, "Tp/CdOrPrtry/Prtry", use.kind[:35])
            b.add(doc, "Nb", use.key[:35])
    due = item.due_date.isoformat() if item.due_date else "none"
    b.add(
        tx,
        "AddtlTxInf",
        f"scenario={item.scenario} state={item.state} disbursed={item.disbursed} "
        f"repaid={item.repaid} outstanding={item.outstanding} due_date={due}",
    )

"""Currency conversion for uses of documents: a rate given with the request, or the daily table.

Financing (reservations) and payments (USD equivalents) both convert here, beside the
balance they convert for.

A rate `BASE/QUOTE = r` means one unit of BASE is worth r units of QUOTE. The reserved
amount is always rounded UP in the document's currency (`money.convert_up`), so a
conversion can never let a document carry more than its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import FieldError, ValidationFailed, invalid
from crossfin.core.money import convert_up, currency_exponent
from crossfin.documents.models import FxRate
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork

# A daily table may miss weekends and holidays: the newest rate this recent still counts.
TABLE_LOOKBACK_DAYS = 7
RATE_MIN, RATE_MAX = Decimal("0.000000001"), Decimal("1000000000")


@dataclass(frozen=True)
class Conversion:
    """How one amount was converted: the rate used and where it came from."""

    rate: Decimal | None  # None: same currency, nothing converted
    source: str | None  # "request" or "table:YYYY-MM-DD"

    def apply(self, minor: int, from_ccy: str, to_ccy: str) -> int:
        if self.rate is None:
            return minor
        return convert_up(minor, from_ccy, to_ccy, self.rate)

    @property
    def rate_text(self) -> str | None:
        return None if self.rate is None else format(self.rate, "f")


SAME = Conversion(None, None)


def parse_rate(text: str, field: str) -> Decimal:
    """A positive, finite decimal rate from text; ValidationFailed naming `field`."""
    try:
        rate = Decimal(str(text).strip())
    except InvalidOperation:
        raise invalid(field, "must be a decimal number") from None
    if not rate.is_finite() or rate <= 0:
        raise invalid(field, "must be a positive decimal number")
    # No currency pair is quoted outside this range; beyond it a conversion would overflow
    # Decimal's context (a 500) instead of refusing the input.
    if not RATE_MIN <= rate <= RATE_MAX:
        raise invalid(field, f"must be between {RATE_MIN} and {RATE_MAX}")
    return rate


def parse_pair(pair: str, field: str) -> tuple[str, str]:
    """`"USD/CNY"` to ("USD", "CNY"), both ISO 4217."""
    base, sep, quote = pair.partition("/")
    for code in (base, quote):
        try:
            currency_exponent(code)
        except ValueError as exc:
            raise invalid(field, f"{pair!r}: {exc}") from None
    if not sep or base == quote:
        raise invalid(field, f"{pair!r} must be two different currencies as BASE/QUOTE")
    return base, quote


def parse_given(rates: Mapping[str, str] | None) -> dict[tuple[str, str], Decimal]:
    """Rates sent with a request, keyed by (base, quote)."""
    parsed: dict[tuple[str, str], Decimal] = {}
    for pair, text in (rates or {}).items():
        field = f"fx_rates.{pair}"
        parsed[parse_pair(pair, field)] = parse_rate(text, field)
    return parsed


def conversion(
    session: Session, from_ccy: str, to_ccy: str, given: Mapping[tuple[str, str], Decimal], on: date
) -> Conversion:
    """The rate from `from_ccy` to `to_ccy`: the request's, else the table's; 422 if none."""
    if from_ccy == to_ccy or not to_ccy:
        return SAME
    if (from_ccy, to_ccy) in given:
        return Conversion(given[(from_ccy, to_ccy)], "request")
    if (to_ccy, from_ccy) in given:
        return Conversion(1 / given[(to_ccy, from_ccy)], "request")
    found = _from_table(session, from_ccy, to_ccy, on)
    if found is None:
        raise invalid(
            "fx_rates",
            f"no {from_ccy}/{to_ccy} rate was given and the daily "
            f"table has none for {on.isoformat()}",
        )
    return found


def _from_table(session: Session, base: str, quote: str, on: date) -> Conversion | None:
    oldest = on - timedelta(days=TABLE_LOOKBACK_DAYS)
    query = (
        select(FxRate)
        .where(
            ((FxRate.base == base) & (FxRate.quote == quote))
            | ((FxRate.base == quote) & (FxRate.quote == base)),
            FxRate.rate_date <= on,
            FxRate.rate_date >= oldest,
        )
        .order_by(FxRate.rate_date.desc(), (FxRate.base == base).desc())
        .limit(1)
    )
    row = session.scalar(query)
    if row is None:
        return None
    rate = Decimal(row.rate)
    if row.base != base:
        rate = 1 / rate
    return Conversion(rate, f"table:{row.rate_date.isoformat()}")


def rates_to(
    session: Session, currencies: Iterable[str], quote: str, on: date
) -> dict[str, Decimal]:
    """Each currency's rate to `quote` from the daily table, in one read: what
    `conversion` would use for each (the newest within the look-back, a direct quote over
    an inverted one); `quote` itself is 1, a currency without a rate is left out."""
    wanted = set(currencies) - {quote}
    found: dict[str, Decimal] = {quote: Decimal(1)} if quote in set(currencies) else {}
    if not wanted:
        return found
    oldest = on - timedelta(days=TABLE_LOOKBACK_DAYS)
    rows = session.scalars(
        select(FxRate).where(
            (FxRate.base.in_(wanted) & (FxRate.quote == quote))
            | ((FxRate.base == quote) & FxRate.quote.in_(wanted)),
            FxRate.rate_date <= on,
            FxRate.rate_date >= oldest,
        )
    )
    best: dict[str, tuple[date, bool, Decimal]] = {}
    for row in rows:
        direct = row.base != quote
        currency = row.base if direct else row.quote
        rate = Decimal(row.rate) if direct else 1 / Decimal(row.rate)
        if currency not in best or (row.rate_date, direct) > best[currency][:2]:
            best[currency] = (row.rate_date, direct, rate)
    return found | {c: rate for c, (_, _, rate) in best.items()}


@dataclass(frozen=True)
class RateRow:
    rate_date: date
    base: str
    quote: str
    rate: str


def load_rates(uow: UnitOfWork, rows: Iterable[RateRow]) -> tuple[int, Receipt]:
    """Insert or replace daily rates; one ledger event for the whole load."""
    errors: list[FieldError] = []
    clean: dict[tuple[date, str, str], Decimal] = {}
    for i, row in enumerate(rows):
        try:
            base, quote = parse_pair(f"{row.base}/{row.quote}", f"rates[{i}].pair")
            clean[(row.rate_date, base, quote)] = parse_rate(row.rate, f"rates[{i}].rate")
        except ValidationFailed as exc:
            errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    if not clean:
        raise invalid("rates", "no rates given")
    now = utcnow()
    for (day, base, quote), rate in clean.items():
        uow.session.merge(
            FxRate(rate_date=day, base=base, quote=quote, rate=format(rate, "f"), loaded_at=now)
        )
    content = [
        {"date": d, "pair": f"{b}/{q}", "rate": format(r, "f")}
        for (d, b, q), r in sorted(clean.items())
    ]
    receipt = uow.record(
        EventType.FX_RATES_LOADED, subjects={"fx_rates": len(clean)}, content={"rates": content}
    )
    return len(clean), receipt

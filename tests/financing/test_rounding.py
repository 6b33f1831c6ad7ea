"""Rounding rules of releases (docs/financing.md): exact per group, never above reserved."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crossfin.core.clock import utcnow
from crossfin.documents.balance import split_pro_rata
from crossfin.documents.models import DocumentBalance
from crossfin.financing.models import FinancingUse
from crossfin.financing.uses import release, release_all, repayment_plan


def uses_for(loan: int, weights: list[int], rates: list[int], single: bool = False):
    shares = split_pro_rata(loan, weights)
    uses, balances = [], {}
    for i, (share, rate) in enumerate(zip(shares, rates, strict=True)):
        # rate: document minor units per 100 loan minor units, rounded up like convert_up
        reserved = -(-share * rate // 100)
        uses.append(
            FinancingUse(
                id=i + 1,
                document_id=i + 1,
                role="declaration",
                allocated_minor=share,
                reserved_minor=reserved,
                released_minor=0,
                released_alloc_minor=0,
                currency="USD",
                counts_use=single,
                active=True,
            )
        )
        balances[i + 1] = DocumentBalance(
            document_id=i + 1,
            used_minor=reserved,
            active_uses=1 if single else 0,
            updated_at=utcnow(),
        )
    return uses, balances


@settings(max_examples=200, deadline=None)
@given(
    loan=st.integers(1, 10**9),
    weights=st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
    cuts=st.lists(st.integers(1, 100), min_size=1, max_size=8),
    data=st.data(),
)
def test_repayments_release_exactly_and_never_too_much(loan, weights, cuts, data):
    rates = data.draw(st.lists(st.integers(1, 1000), min_size=len(weights), max_size=len(weights)))
    uses, balances = uses_for(loan, weights, rates)
    repaid = 0
    for cut in cuts:
        amount = min(loan - repaid, max(1, loan * cut // 400))
        if amount <= 0:
            break
        before = sum(u.released_alloc_minor for u in uses)
        plan = repayment_plan(uses, amount)
        release(balances, plan)
        repaid += amount
        assert sum(u.released_alloc_minor for u in uses) - before == amount
        for use in uses:
            assert 0 <= use.released_minor <= use.reserved_minor
            assert balances[use.document_id].used_minor == use.reserved_minor - use.released_minor
    if repaid < loan:
        release_all(balances, uses)
    assert all(not u.active and u.released_minor == u.reserved_minor for u in uses)
    assert all(b.used_minor == 0 for b in balances.values())


def test_same_currency_releases_equal_the_repayment():
    uses, balances = uses_for(10001, [3, 1], [100, 100])
    release(balances, repayment_plan(uses, 5001))
    assert sum(u.released_minor for u in uses) == 5001


def test_single_use_is_held_until_the_end():
    uses, balances = uses_for(500, [1], [100], single=True)
    release(balances, repayment_plan(uses, 499))
    assert uses[0].active and uses[0].released_minor == 0
    assert balances[1].active_uses == 1
    release(balances, repayment_plan(uses, 1))
    assert not uses[0].active and balances[1].active_uses == 0 and balances[1].used_minor == 0

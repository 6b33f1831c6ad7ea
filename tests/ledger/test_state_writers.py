"""Every module that writes a committed business table is one we know commits its state.

`test_state_audit.py` runs the state-changing paths and fails if one of them leaves a row
its events did not commit to. This test catches the path nobody thought of: a module that
imports a committed model and assigns one of its columns, or inserts or updates its table,
must be listed below with the event that commits the result. A new one fails here until
its author records a `state=` commitment (ledger/state.py) and adds it.
"""

from __future__ import annotations

import re
from pathlib import Path

from crossfin.documents.access.models import Consent
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.filings.calendar.models import CalendarDay, CalendarYear
from crossfin.financing.models import Financing, FinancingUse
from crossfin.parties.classes.models import EnterpriseClass
from crossfin.payments.models import Payment, PaymentUse
from crossfin.payments.offshore.models import OffshoreCheck, OffshoreCheckUse
from crossfin.payments.p1_models import P1Funding, P1ReviewPaper, P1ReviewTask, P1Sample

SRC = Path(__file__).resolve().parents[2] / "src" / "crossfin"
MODELS = (
    Financing,
    FinancingUse,
    Payment,
    PaymentUse,
    OffshoreCheck,
    OffshoreCheckUse,
    P1Funding,
    P1Sample,
    P1ReviewTask,
    P1ReviewPaper,
    Document,
    DocumentBalance,
    DocumentVersion,
    Consent,
    EnterpriseClass,
    CalendarYear,
    CalendarDay,
)

# module -> what commits the rows it writes (or why what it writes is not committed)
WRITERS = {
    "documents/access/consent.py": "grant and revoke commit the consent",
    "documents/access/verification.py": "assigns `currency` of its own result rows only",
    "documents/balance.py": "its callers commit the balances (service.reserve, transitions._move)",
    "documents/ingest/publish.py": "the batch event's state tree commits every new document",
    "documents/state.py": "the projections themselves",
    "documents/versions.py": "amend commits the document; link_owner_documents writes "
    "owner_org_id and jurisdiction_path, which the projection leaves out",
    "parties/classes/history.py": "the projection itself; onboarding_row's class is in "
    "add_org's event, like the migration's backfill",
    "parties/classes/imports.py": "service.record commits each row; it assigns its report's "
    "fields only",
    "parties/classes/service.py": "record commits the history row it adds",
    "filings/calendar/store.py": "load_notice commits the loading with its days",
    "financing/changes.py": "change_seq and updated_at, which the projection leaves out",
    "financing/market/matchmaking.py": "updated_at of needs and offers, not committed tables",
    "financing/service.py": "persist commits the financing and the balances reserve raised",
    "financing/state.py": "the projections themselves",
    "financing/transitions.py": "_move commits the financing, its uses and its balances",
    "financing/uses.py": "its caller (transitions._move) commits the uses and balances",
    "payments/service.py": "persist commits the payment, its P1 funding and the balances "
    "reserve raised",
    "payments/state.py": "the projections themselves",
    "payments/offshore/service.py": "_run commits the check, its uses and the balances it endorsed",
    "payments/offshore/state.py": "the projections themselves",
    "payments/sampling.py": "draw commits the sample and its tasks; upload and review the task "
    "with its papers",
    "payments/transitions.py": "_move commits the payment, its uses and its balances",
}


def _writers() -> set[str]:
    names = "|".join(m.__name__ for m in MODELS)
    imports = re.compile(rf"^from crossfin\.\S+ import .*\b({names})\b", re.M)
    columns = sorted({c.key for m in MODELS for c in m.__table__.columns} - {"id"})
    assigns = re.compile(rf"\.({'|'.join(columns)})\s*[+-]?=(?!=)")
    tables = re.compile(
        rf"\b(update|insert|delete|table_of)\(\s*({names})\b|\b({names})\(|\b({names})\.__table__"
    )
    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.name == "models.py":
            continue
        text = path.read_text(encoding="utf-8")
        if imports.search(text) and (assigns.search(text) or tables.search(text)):
            found.add(path.relative_to(SRC).as_posix())
    return found


def test_every_writer_of_a_committed_table_is_known() -> None:
    unknown = sorted(_writers() - set(WRITERS))
    assert not unknown, (
        f"{unknown} write a table whose rows the log commits to: record their new state "
        "with `state=` (docs/ledger.md, State commitments) and list them in WRITERS"
    )


def test_the_list_holds_no_stale_entry() -> None:
    assert sorted(set(WRITERS) - _writers()) == []

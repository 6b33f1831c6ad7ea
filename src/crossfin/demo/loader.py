"""Load the demo dataset through the ordinary services (idempotent)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from crossfin.demo.alerts import load_alerts
from crossfin.demo.caps import load_demo_caps
from crossfin.demo.classes import load_classes
from crossfin.demo.dataset import DemoOrg, demo_orgs, demo_services, demo_users
from crossfin.demo.documents import load_documents
from crossfin.demo.ebl_chain import load_ebl_chain
from crossfin.demo.enterprise_page import load_enterprise_page
from crossfin.demo.financings import load_financings
from crossfin.demo.iso20022 import load_iso20022
from crossfin.demo.licences import load_licences
from crossfin.demo.offshore import load_offshore_checks
from crossfin.demo.openattestation import load_openattestation
from crossfin.demo.payments import load_payments
from crossfin.demo.rates import load_demo_rates
from crossfin.demo.risk_reports import load_risk_reports
from crossfin.demo.scenarios_f3_f6_f8 import load_scenarios
from crossfin.demo.service_payments import load_service_payments
from crossfin.demo.statistics import load_statistics
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.models import (
    EnterpriseSize,
    Organization,
    OrgKind,
    Principal,
    PrincipalKind,
    Role,
    TradeClass,
)
from crossfin.parties.schemas import OrgIn


@dataclass
class DemoResult:
    """What a demo load did; `keys` holds API keys issued now (shown once)."""

    orgs_added: int = 0
    users_added: int = 0
    documents_added: int = 0
    consents_added: int = 0
    financings_added: int = 0
    payments_added: int = 0
    offshore_checks_added: int = 0
    needs_added: int = 0
    credit_queries_added: int = 0
    classes_added: int = 0
    alerts_added: int = 0
    risk_reports_added: int = 0
    # Self-supplied papers registered as fingerprints (not published documents).
    fingerprints_added: int = 0
    statistics_filings_added: int = 0
    licences_added: int = 0
    ebl_steps_added: int = 0
    keys: dict[str, str] = field(default_factory=dict)
    org_ids: dict[str, int] = field(default_factory=dict)


def _find_org(uow: UnitOfWork, org: DemoOrg) -> Organization | None:
    query = select(Organization).where(Organization.kind == org.kind, Organization.name == org.name)
    return uow.session.scalars(query).first()


def _load_orgs(uow: UnitOfWork, result: DemoResult) -> None:
    for demo in demo_orgs():
        found = _find_org(uow, demo)
        if found is None:
            data = OrgIn(
                kind=OrgKind(demo.kind),
                name=demo.name,
                name_zh=demo.name_zh,
                uscc=demo.uscc,
                bic=demo.bic,
                customs_code=demo.customs_code,
                jurisdictions=list(demo.jurisdictions),
                trade_class=TradeClass(demo.trade_class) if demo.trade_class else None,
                size=EnterpriseSize(demo.size) if demo.size else None,
                parent_org_id=result.org_ids[demo.parent] if demo.parent else None,
            )
            found, _ = service.add_org(uow, data)
            result.orgs_added += 1
        result.org_ids[demo.key] = found.id


def _load_principals(uow: UnitOfWork, result: DemoResult) -> None:
    taken = set(uow.session.scalars(select(Principal.username)))
    missing = [u for u in demo_users() if u.username not in taken]
    # argon2 is slow by design and releases the GIL: hash on every core at once.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        hashes = list(pool.map(credentials.hash_password, [u.password for u in missing]))
    for user, password_hash in zip(missing, hashes, strict=True):
        credentials.add_principal(
            uow,
            result.org_ids[user.org_key],
            PrincipalKind.USER,
            user.username,
            Role(user.role),
            password_hash=password_hash,
        )
        result.users_added += 1
    for svc in demo_services():
        org_id = result.org_ids[svc.org_key]
        exists = uow.session.scalar(
            select(Principal.id).where(
                Principal.org_id == org_id,
                Principal.kind == PrincipalKind.SERVICE.value,
                Principal.name == svc.name,
            )
        )
        if exists is None:
            principal, _ = credentials.add_principal(
                uow, org_id, PrincipalKind.SERVICE, svc.name, Role(svc.role)
            )
            _, key, _ = credentials.issue_key(uow, principal.id)
            result.keys[f"{svc.org_key}/{svc.name}"] = key


def load_demo(uow: UnitOfWork, data_dir: Path | None = None) -> DemoResult:
    """Add whatever part of the demo set is missing; the caller commits.

    Documents need `data_dir` (the demo sources' signing keys live there); without it,
    only parties, users and service accounts are loaded. Financings, the F7 need and the
    credit query rest on the documents, so they come with them.
    """
    result = DemoResult()
    _load_orgs(uow, result)
    _load_principals(uow, result)
    if data_dir is not None:
        loaded = load_documents(uow, result.org_ids, data_dir)
        result.documents_added, result.consents_added = (
            loaded.documents_added,
            loaded.consents_added,
        )
        load_demo_rates(uow)  # before the loans: each records its USD equivalent
        load_demo_caps(uow)  # before the loans: each names the caps version it used
        financed = load_financings(uow, result.org_ids)
        result.financings_added, result.needs_added, result.credit_queries_added = (
            financed.financings_added,
            financed.needs_added,
            financed.credit_queries_added,
        )
        docs, loans = load_scenarios(uow, result.org_ids, data_dir)  # F3, F6 and F8 cases
        result.documents_added, result.financings_added = (
            result.documents_added + docs,
            result.financings_added + loans,
        )
        result.payments_added = load_payments(uow).payments_added
        result.payments_added += load_service_payments(uow)
        result.offshore_checks_added = load_offshore_checks(uow)
        result.alerts_added = load_alerts(uow)
        result.fingerprints_added = load_openattestation(uow, data_dir)
        result.risk_reports_added = load_risk_reports(uow, result.org_ids, data_dir)
        result.ebl_steps_added = load_ebl_chain(uow, result.org_ids, data_dir)
        load_iso20022(uow, result, data_dir)  # a tsin.001 financing and a pacs.008 payment
    # After the payments: they were gated with the classes their firms were onboarded with.
    result.classes_added = load_classes(uow)
    result.statistics_filings_added = load_statistics(uow)
    result.licences_added = load_licences(uow)
    if data_dir is not None:
        # The case firm's page shows every part (needs the alerts' case and its invoices).
        paid, classed = load_enterprise_page(uow)
        result.payments_added += paid
        result.classes_added += classed
    return result

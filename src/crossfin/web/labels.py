"""What the portal shows for stored values (a kind, a role, a state), and error titles.

Templates call `label("table", value)` (see core.web.render.environment): the English
text below, translated into the page's language. Short status words carry a gettext
context (`NC_`) because they translate differently per table: a need that is "Open"
(进行中) is not an offer that is "Open" (有效). A value a table lacks shows as itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from crossfin.core.web.i18n import N_, NC_, Message

ORG_KINDS = {
    "enterprise": N_("Enterprise"),
    "bank": N_("Bank"),
    "regulator": N_("Regulator"),
    "customs": N_("Customs"),
    "tax": N_("Tax authority"),
    "insurer": N_("Export-credit insurer"),
    "logistics": N_("Logistics source"),
    "overseas_customs": N_("Overseas customs source"),
    "operator": N_("Platform operator"),
}
ROLES = {
    "admin": N_("Administrator"),
    "operator": N_("Operator"),
    "approver": N_("Approver"),
    "auditor": N_("Auditor"),
}
# Goods-trade classes (SAFE's A/B/C classification of enterprises).
TRADE_CLASSES = {
    "A": N_("Class A: facilitated"),
    "B": N_("Class B: stricter checks"),
    "C": N_("Class C: prior registration"),
}
ENTERPRISE_SIZES = {
    "micro": NC_("enterprise size", "Micro"),
    "small": NC_("enterprise size", "Small"),
    "medium": NC_("enterprise size", "Medium-sized"),
    "large": NC_("enterprise size", "Large"),
}
DOCUMENT_KINDS = {
    "customs_declaration": N_("Customs declaration"),
    "vat_invoice": N_("VAT invoice"),
    "insurance_policy": N_("Credit-insurance policy"),
    "bill_of_lading": N_("Bill of lading"),
    "warehouse_receipt": N_("Warehouse receipt"),
    "tax_filing": N_("Tax filing"),
    "overseas_customs_declaration": N_("Overseas customs declaration"),
    "transport_event": N_("Carrier event (DCSA)"),
    "rail_consignment_note": N_("Rail consignment note (CIM/SMGS)"),
    "warehouse_movement": N_("Warehouse stock movement"),
    "credit_profile": N_("Credit profile"),
}
# The financing pages name the documents a loan rests on a little differently.
FINANCING_DOCUMENT_KINDS = {
    "customs_declaration": N_("Customs declaration"),
    "vat_invoice": N_("VAT invoice"),
    "insurance_policy": N_("Insurance policy"),
    "bill_of_lading": N_("Bill of lading"),
    "warehouse_receipt": N_("Warehouse receipt"),
    "tax_filing": N_("Tax filing"),
    "rail_consignment_note": N_("Rail consignment note (CIM/SMGS)"),
}
VERIFICATION_OUTCOMES = {
    "authentic": N_("Authentic"),
    "mismatch": N_("Mismatch"),
    "unknown": N_("Unknown"),
}
CONSENT_STATES = {
    "active": NC_("consent state", "Active"),
    "revoked": NC_("consent state", "Revoked"),
    "expired": NC_("consent state", "Expired"),
}
FINANCING_STATES = {
    "registered": NC_("financing state", "Registered"),
    "approved": NC_("financing state", "Approved"),
    "disbursed": NC_("financing state", "Disbursed"),
    "partly_repaid": NC_("financing state", "Partly repaid"),
    "repaid": NC_("financing state", "Repaid"),
    "closed": NC_("financing state", "Closed"),
    "rejected": NC_("financing state", "Rejected"),
    "cancelled": NC_("financing state", "Cancelled"),
    "expired": NC_("financing state", "Expired"),
}
# The work queue's tabs (financing/pages.py STAGES groups the states).
FINANCING_STAGES = {
    "todo": NC_("financing stage", "Awaiting approval"),
    "approved": NC_("financing stage", "Approved"),
    "live": NC_("financing stage", "Outstanding"),
    "done": NC_("financing stage", "Repaid"),
    "ended": NC_("financing stage", "Ended"),
}
FINANCING_ACTIONS = {
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "cancel": N_("Cancel"),
    "disburse": N_("Disburse"),
    "repay": N_("Record repayment"),
    "close": N_("Close"),
}
SCENARIOS = {
    "F1": NC_("financing scenario", "Export receivables"),
    "F4": NC_("financing scenario", "Credit-insurance policy"),
    "F3": NC_("financing scenario", "Import cash on delivery"),
    "F5": NC_("financing scenario", "Logistics and port shipping"),
    "F6": NC_("financing scenario", "China-Europe Railway Express"),
    "F8": NC_("financing scenario", "Port cloud warehouse"),
}
NEED_STATES = {
    "open": NC_("need state", "Open"),
    "accepted": NC_("need state", "Accepted"),
    "withdrawn": NC_("need state", "Withdrawn"),
    "expired": NC_("need state", "Expired"),
}
OFFER_STATES = {
    "open": NC_("offer state", "Open"),
    "accepted": NC_("offer state", "Accepted"),
    "declined": NC_("offer state", "Declined"),
    "withdrawn": NC_("offer state", "Withdrawn"),
}
ALERT_KINDS = {
    "duplicate-financing": N_("Duplicate financing"),
    "over-financing": N_("Over-financing"),
    "value-below-uses": N_("Value below uses"),
    "verification-mismatches": N_("Verification mismatches"),
    "document-tried-at-many-banks": N_("Document tried at many banks"),
    "overdue": N_("Overdue"),
    "class-not-eligible": N_("Class not eligible"),
    "invoice-already-used": N_("Invoice already used"),
    "filing-overpayment": N_("Tax filing overpayment attempt"),
    "payment-without-documents": N_("Payment above the threshold without documents"),
    "offshore-check-failed": N_("Offshore check failed"),
    "document-already-endorsed": N_("Document already endorsed"),
    "financing-above-exports": N_("Financing above the firm's exports"),
    "monthly-volume-spike": N_("Monthly volume far above its history"),
    "loan-to-value-above-threshold": N_("Loan-to-value above the F8 cap after revaluation"),
}
# The parameters of the alert rules (parties/alert_rules.py).
ALERT_PARAMS = {
    "banks": N_("Banks"),
    "window_days": N_("Within (days)"),
    "percent": N_("Percent of 12-month exports"),
    "factor": N_("Times the median month"),
    "months": N_("Months compared"),
    "min_months": N_("Months with volume needed"),
    "opens_case": N_("Opens a case"),
}
# What P4's comparisons compare (payments/offshore/compare.py).
OFFSHORE_SUBJECTS = {
    "transport_document": N_("Transport document (B/L)"),
    "vessel": N_("Vessel"),
    "voyage": N_("Voyage"),
    "containers": N_("Containers"),
    "port_of_loading": N_("Port of loading"),
    "port_of_discharge": N_("Port of discharge"),
    "loading_date": N_("Loading date"),
    "declaration_date": N_("Declaration date"),
    "seller": N_("Seller"),
    "buyer": N_("Buyer"),
    "goods": N_("Goods (HS code)"),
    "quantity": N_("Quantity"),
    "gross_weight": N_("Gross weight"),
}
CASE_STATES = {
    "open": NC_("case state", "Open"),
    "investigating": NC_("case state", "Investigating"),
    "closed": NC_("case state", "Closed"),
}
CASE_OUTCOMES = {
    "false_positive": N_("False positive"),
    "warning_issued": N_("Warning issued"),
    "referred": N_("Referred"),
}
CASE_ACTIONS = {
    "open": NC_("case step", "Opened"),
    "join": NC_("case step", "Alert joined"),
    "assign": NC_("case step", "Assigned"),
    "move": NC_("case step", "State changed"),
    "note": NC_("case step", "Note"),
}
EVIDENCE_TYPES = {
    "financing": N_("Financing"),
    "payment": N_("Payment"),
    "offshore_check": N_("Offshore check (P4)"),
    "document": N_("Document"),
    "attempt": N_("Refused attempt"),
    "verification": N_("Verification"),
    "event": N_("Ledger event"),
    "alert": N_("Alert"),
}
PAYMENT_STATES = {
    "submitted": NC_("payment state", "Submitted"),
    "approved": NC_("payment state", "Approved"),
    "paid": NC_("payment state", "Paid"),
    "returned": NC_("payment state", "Returned"),
    "cancelled": NC_("payment state", "Cancelled"),
}
PAYMENT_SCENARIOS = {
    "P1": NC_("payment scenario", "Capital-account income"),
    "P2": NC_("payment scenario", "Service trade, tax filing checked"),
    "P3": NC_("payment scenario", "Freight FX payment"),
    "P4": NC_("payment scenario", "Offshore trade"),
}
# An enterprise's size (China's SME classification); None in the table reads "unknown".
ORG_SIZES = {
    "micro": NC_("enterprise size", "Micro"),
    "small": NC_("enterprise size", "Small"),
    "medium": NC_("enterprise size", "Medium"),
    "large": NC_("enterprise size", "Large"),
    "unknown": NC_("enterprise size", "Unknown"),
}
# Security events (docs/operations.md, "Security alerts"): the operator's page.
SECURITY_KINDS = {
    "login_failed": N_("Failed logins"),
    "login_throttled": N_("Throttled logins"),
    "key_unknown": N_("Unknown API keys"),
    "key_revoked": N_("Revoked or disabled API keys"),
    "forbidden_burst": N_("Bursts of refusals (403)"),
    "not_found_burst": N_("Bursts of missing ids (404)"),
    "body_too_large": N_("Oversized bodies"),
    "body_malformed": N_("Malformed bodies"),
    "witness_refused": N_("Witness refusals"),
    "audit_failed": N_("Failed audits"),
    "checkpoint_sign_failed": N_("Checkpoint signing failures"),
    "rate_limited": N_("Rate-limited API keys"),
}
SECURITY_ALERT_STATES = {
    "open": NC_("security alert state", "Open"),
    "acknowledged": NC_("security alert state", "Acknowledged"),
}

LABELS: Mapping[str, Mapping[str, Message]] = {
    "org_kind": ORG_KINDS,
    "role": ROLES,
    "trade_class": TRADE_CLASSES,
    "enterprise_size": ENTERPRISE_SIZES,
    "document_kind": DOCUMENT_KINDS,
    "financing_document_kind": FINANCING_DOCUMENT_KINDS,
    "outcome": VERIFICATION_OUTCOMES,
    "consent_state": CONSENT_STATES,
    "financing_state": FINANCING_STATES,
    "financing_stage": FINANCING_STAGES,
    "financing_action": FINANCING_ACTIONS,
    "scenario": SCENARIOS,
    "need_state": NEED_STATES,
    "offer_state": OFFER_STATES,
    "alert_kind": ALERT_KINDS,
    "alert_param": ALERT_PARAMS,
    "case_state": CASE_STATES,
    "case_outcome": CASE_OUTCOMES,
    "case_action": CASE_ACTIONS,
    "evidence_type": EVIDENCE_TYPES,
    "security_kind": SECURITY_KINDS,
    "security_alert_state": SECURITY_ALERT_STATES,
    "payment_state": PAYMENT_STATES,
    "payment_scenario": PAYMENT_SCENARIOS,
    "org_size": ORG_SIZES,
    "offshore_subject": OFFSHORE_SUBJECTS,
}

# Error pages' titles by problem slug (core.web.render.render_error); other slugs get a
# generic title. The page shows the problem's own detail below it, untranslated.
ERROR_TITLES: Mapping[str, str] = {
    "not-found": N_("Not found"),
    "forbidden": N_("Not allowed"),
    "csrf-refused": N_("This form has expired or did not come from this site"),
    "validation": N_("Some fields are not valid"),
    "method-not-allowed": N_("This action is not available here"),
    "too-many-attempts": N_("Too many attempts; please wait"),
    "rate-limited": N_("Too many requests; please wait"),
    "not-yet-checkpointed": N_("Not in a signed checkpoint yet; try again shortly"),
    "unauthenticated": N_("Please log in"),
    "conflict": N_("This conflicts with the current state"),
    "already-exists": N_("This already exists"),
    "illegal-transition": N_("This change is not allowed in the current state"),
    "already-used": N_("This invoice is already used"),
    "class-not-eligible": N_("The enterprise's class is not eligible for this"),
    "out-of-scope": N_("The payer is outside this scenario's jurisdictions"),
    "outside-subtree": N_("This area is outside the jurisdiction you supervise"),
    "filing-required": N_("A tax filing is required above the threshold"),
    "filing-exhausted": N_("The tax filing has not enough left"),
    "maker-checker": N_("The approver must be a different person of the same bank"),
    "calendar-out-of-range": N_(
        "The official working-day calendar does not cover this date: an operator must load "
        "the State Council's holiday notice for the year (crossfin calendar load FILE) or "
        "upgrade the calendar package"
    ),
    "filing-content": N_("The filing's content does not pass its checks"),
    "internal": N_("Internal error; quote the reference below when you report it"),
}

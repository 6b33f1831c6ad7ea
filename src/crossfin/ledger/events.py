"""Every kind of ledger event in the project, as `domain:subject:action` tags."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """One value per state change; greppable, typed, documented in docs/ledger.md."""

    ORG_ADDED = "parties:org:add"
    ORG_CLASS_CHANGED = "parties:org:class-change"
    ORG_JURISDICTIONS_SET = "parties:org:jurisdictions-set"
    USER_ADDED = "parties:user:add"
    USER_PASSWORD_SET = "parties:user:password-set"
    SERVICE_ADDED = "parties:service:add"
    KEY_ISSUED = "parties:key:issue"
    KEY_REVOKED = "parties:key:revoke"
    SOURCE_KEY_REGISTERED = "documents:source-key:register"
    SOURCE_KEY_RETIRED = "documents:source-key:retire"
    BATCH_PUBLISHED = "documents:batch:publish"
    DOCUMENT_AMENDED = "documents:document:amend"
    CONSENT_GRANTED = "documents:consent:grant"
    CONSENT_REVOKED = "documents:consent:revoke"
    VERIFICATION_ALERT = "documents:verification:alert"
    FINGERPRINT_REGISTERED = "documents:fingerprint:register"
    FINANCING_REGISTERED = "financing:financing:register"
    FINANCING_APPROVED = "financing:financing:approve"
    FINANCING_REJECTED = "financing:financing:reject"
    FINANCING_CANCELLED = "financing:financing:cancel"
    FINANCING_EXPIRED = "financing:financing:expire"
    FINANCING_DISBURSED = "financing:financing:disburse"
    FINANCING_REPAID = "financing:financing:repay"
    FINANCING_CLOSED = "financing:financing:close"
    FINANCING_OVERDUE = "financing:financing:overdue"
    FINANCING_REFUSED = "financing:attempt:refuse"
    NEED_PUBLISHED = "financing:need:publish"
    OFFER_MADE = "financing:offer:make"
    OFFER_ACCEPTED = "financing:offer:accept"
    OFFER_DECLINED = "financing:offer:decline"
    CREDIT_QUERIED = "financing:credit:query"
    ALERT_RAISED = "supervision:alert:raise"

"""Principals and credentials: users with argon2 passwords, service accounts, API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import AlreadyExists, Forbidden, NotFound, Unauthenticated
from crossfin.core.security import SecurityKind
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, can_administer
from crossfin.parties.models import ApiKey, Organization, OrgKind, Principal, PrincipalKind, Role

KEY_PREFIX = "cf_"
# An execution option: this write to api_keys, principals or organizations changes no
# caller, so the cache of verified keys (parties/keycache.py) need not be emptied.
CALLERS_UNCHANGED = "crossfin_callers_unchanged"
_LAST_USED_GRANULARITY = timedelta(minutes=1)
# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): strong for portal passwords,
# and cheap enough that loading ~150 demo users stays within the start-up budget.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def _secret_hash(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 cannot be brute-forced.
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (slow on purpose)."""
    return _hasher.hash(password)


def add_principal(
    uow: UnitOfWork,
    org_id: int,
    kind: PrincipalKind,
    name: str,
    role: Role,
    password: str | None = None,
    *,
    password_hash: str | None = None,
    email: str | None = None,
) -> tuple[Principal, Receipt]:
    """Create a user (with a password, or its argon2 hash) or a service account in `org_id`;
    `email` already normalised (parties.emails.normalize_email)."""
    session = uow.session
    if session.get(Organization, org_id) is None:
        raise NotFound(f"no organization {org_id}")
    if kind is PrincipalKind.USER:
        if session.scalar(select(Principal.id).where(Principal.username == name)):
            raise AlreadyExists(f"username {name!r} is taken", field="username")
    elif session.scalar(
        select(Principal.id).where(
            Principal.org_id == org_id, Principal.kind == kind.value, Principal.name == name
        )
    ):
        raise AlreadyExists(f"service account {name!r} exists", field="name")
    principal = Principal(
        org_id=org_id,
        kind=kind.value,
        name=name,
        role=role.value,
        active=True,
        username=name if kind is PrincipalKind.USER else None,
        password_hash=password_hash or (hash_password(password) if password else None),
        email=email,
        created_at=utcnow(),
    )
    session.add(principal)
    session.flush()
    event = EventType.USER_ADDED if kind is PrincipalKind.USER else EventType.SERVICE_ADDED
    content: dict[str, Any] = {"org": org_id, "kind": kind.value, "name": name, "role": role.value}
    if email:
        # A digest, as parties:principal:email-set records: the log never forgets.
        content["email_sha256"] = hashlib.sha256(email.encode()).hexdigest()
    receipt = uow.record(
        event,
        subjects={"org": org_id, "principal": principal.id},
        content=content,
        parties={org_id},
    )
    return principal, receipt


def find_principal(session: Session, org_id: int, kind: PrincipalKind, name: str) -> Principal:
    """A principal of `org_id` by kind and name, or 404."""
    principal = session.scalar(
        select(Principal).where(
            Principal.org_id == org_id, Principal.kind == kind.value, Principal.name == name
        )
    )
    if principal is None:
        raise NotFound(f"no {kind.value} {name!r} in organization {org_id}")
    return principal


def issue_key(uow: UnitOfWork, principal_id: int) -> tuple[ApiKey, str, Receipt]:
    """Create an API key for a principal; the whole key is returned once, never stored."""
    principal = uow.session.get(Principal, principal_id)
    if principal is None:
        raise NotFound(f"no principal {principal_id}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        id=key_id, principal_id=principal.id, secret_hash=_secret_hash(secret), created_at=utcnow()
    )
    uow.session.add(row)
    uow.session.flush()
    receipt = uow.record(
        EventType.KEY_ISSUED,
        subjects={"key": key_id, "principal": principal.id},
        content={"key": key_id, "principal": principal.id},
        parties={principal.org_id},
    )
    return row, f"{KEY_PREFIX}{key_id}_{secret}", receipt


def revoke_key(uow: UnitOfWork, key_id: str) -> tuple[ApiKey, Receipt]:
    """Revoke a key at once; revoking twice is refused so the log shows one revocation."""
    row = uow.session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    if row.revoked_at is not None:
        raise AlreadyExists(f"API key {key_id} is already revoked")
    row.revoked_at = utcnow()
    principal = uow.session.get_one(Principal, row.principal_id)
    receipt = uow.record(
        EventType.KEY_REVOKED,
        subjects={"key": key_id},
        content={"key": key_id},
        parties={principal.org_id},
    )
    return row, receipt


def check_issue_key(session: Session, caller: Caller, principal_id: int) -> Principal:
    """The principal if the caller may issue it a key (docs/api.md, "Who holds keys").

    A principal issues keys for itself; an admin also for its own organization's service
    accounts. Never for another user (a key in a colleague's name would let one person act
    as two, defeating maker-checker), never across organizations: the operator onboards
    parties but holds no key in their name. 404 for a principal of an organization the
    caller may not administer, as for one that does not exist.
    """
    principal = visible_principal(session, caller, principal_id)
    if principal.id == caller.principal_id:
        return principal
    if principal.org_id != caller.org_id:
        raise Forbidden(
            "keys are issued only within one's own organization; "
            "its admin or the principal itself issues them"
        )
    if principal.kind != PrincipalKind.SERVICE.value:
        raise Forbidden("a user's API keys are issued by that user alone")
    if caller.role is not Role.ADMIN:
        raise Forbidden(
            "only an admin of this organization may issue keys for its service accounts"
        )
    return principal


def check_revoke_key(session: Session, caller: Caller, key_id: str) -> ApiKey:
    """The key if the caller may revoke it: its principal, an admin of that organization,
    the operator's admins (cutting a leaked key off never lets anyone act in another's
    name); 404 when it belongs to an organization the caller may not administer."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    try:
        principal = visible_principal(session, caller, row.principal_id)
    except NotFound:
        raise NotFound(f"no API key {key_id}") from None
    if principal.id != caller.principal_id and not can_administer(caller, principal.org_id):
        raise Forbidden("only the key's principal or an admin of its organization may revoke it")
    return row


def visible_principal(session: Session, caller: Caller, principal_id: int) -> Principal:
    """A principal of the caller's organization (any, for the operator, which lists every
    party's principals); 404 otherwise."""
    principal = session.get(Principal, principal_id)
    if principal is None or not (caller.is_operator or principal.org_id == caller.org_id):
        raise NotFound(f"no principal {principal_id}")
    return principal


def check_add_principal(
    session: Session, caller: Caller, org_id: int, kind: PrincipalKind, role: Role
) -> None:
    """Who adds users and service accounts: an organization's admins; the operator's admins
    only its first user, an admin, when onboarding it (then its own admins take over).

    So the operator never holds a password in another party's name once that party has an
    admin of its own. The caller must already be known to administer `org_id`.
    """
    if not can_administer(caller, org_id):
        raise Forbidden("only an admin of this organization (or the operator) may do this")
    if caller.org_id == org_id:
        return
    first = (
        kind is PrincipalKind.USER
        and role is Role.ADMIN
        and session.scalar(
            select(Principal.id).where(
                Principal.org_id == org_id, Principal.kind == PrincipalKind.USER.value
            )
        )
        is None
    )
    if not first:
        raise Forbidden(
            "the operator adds only an organization's first user, its admin; "
            "that admin adds the rest"
        )


class UnknownKey(Unauthenticated):
    """A key that is malformed or that no key row matches (a security event)."""

    security_kind = SecurityKind.KEY_UNKNOWN


class RevokedKey(Unauthenticated):
    """A revoked key, or the key of a disabled principal (a security event)."""

    security_kind = SecurityKind.KEY_REVOKED


def parse_key(token: str) -> tuple[str, str]:
    """Split `cf_<id>_<secret>`; anything else is unauthenticated."""
    if not token.startswith(KEY_PREFIX):
        raise UnknownKey("malformed API key")
    key_id, sep, secret = token[len(KEY_PREFIX) :].partition("_")
    if not sep or not key_id or not secret or len(key_id) > 16:
        raise UnknownKey("malformed API key")
    return key_id, secret


# Columns only, no ORM entities: this runs on every request and needs no identity map.
_KEY_LOOKUP = (
    select(
        ApiKey.secret_hash,
        ApiKey.revoked_at,
        ApiKey.last_used_at,
        Principal.id,
        Principal.name,
        Principal.role,
        Principal.active,
        Organization.id,
        Organization.kind,
        Organization.jurisdiction_path,
    )
    .join(Principal, Principal.id == ApiKey.principal_id)
    .join(Organization, Organization.id == Principal.org_id)
)


@dataclass(frozen=True)
class Presented:
    """A bearer key as presented: its id and the SHA-256 of its secret, never the secret."""

    key_id: str
    secret_hash: str


def present(token: str) -> Presented:
    """Parse `cf_<id>_<secret>` (401 if malformed) and hash its secret."""
    key_id, secret = parse_key(token)
    return Presented(key_id, _secret_hash(secret))


def authenticate(session: Session, token: str) -> tuple[Caller, bool]:
    """Resolve a bearer key to a caller; the flag says whether last_used needs a touch."""
    return authenticate_key(session, present(token))


def authenticate_key(session: Session, presented: Presented) -> tuple[Caller, bool]:
    row = session.execute(_KEY_LOOKUP.where(ApiKey.id == presented.key_id)).one_or_none()
    return _check(row, presented)


def authenticate_many(
    session: Session, keys: Iterable[Presented]
) -> dict[Presented, tuple[Caller, bool] | Unauthenticated]:
    """`authenticate` for several keys in one query: each one's caller or why not."""
    wanted = set(keys)
    rows = (
        {
            row[-1]: row[:-1]
            for row in session.execute(
                _KEY_LOOKUP.add_columns(ApiKey.id).where(ApiKey.id.in_({k.key_id for k in wanted}))
            )
        }
        if wanted
        else {}
    )
    out: dict[Presented, tuple[Caller, bool] | Unauthenticated] = {}
    for key in wanted:
        try:
            out[key] = _check(rows.get(key.key_id), key)
        except Unauthenticated as exc:
            out[key] = exc
    return out


def _check(row: Any, presented: Presented) -> tuple[Caller, bool]:
    """The caller of a looked-up key row, if the presented secret, the key and its
    principal are all good; the same 401s whichever way the key was looked up."""
    if row is None or not hmac.compare_digest(row[0], presented.secret_hash):
        raise UnknownKey("unknown API key")
    (_, revoked_at, last_used_at, principal_id, name, role, active, org_id, kind, path) = row
    if revoked_at is not None:
        raise RevokedKey("this API key was revoked")
    if not active:
        raise RevokedKey("this principal is disabled")
    stale = last_used_at is None or utcnow() - last_used_at >= _LAST_USED_GRANULARITY
    caller = Caller(
        principal_id=principal_id,
        principal_name=name,
        role=Role(role),
        org_id=org_id,
        org_kind=OrgKind(kind),
        jurisdiction_path=path,
        key_id=presented.key_id,
    )
    return caller, stale


def touch_key(session: Session, key_id: str) -> None:
    """Record use, at most once a minute per key (the caller checked staleness)."""
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .values(last_used_at=utcnow())
        .execution_options(**{CALLERS_UNCHANGED: True})
    )


def caller_for(session: Session, principal: Principal, key_id: str | None = None) -> Caller:
    """Build the Caller of a principal (used by API keys and portal sessions alike)."""
    return _caller(principal, session.get_one(Organization, principal.org_id), key_id)


def _caller(principal: Principal, org: Organization, key_id: str | None) -> Caller:
    return Caller(
        principal_id=principal.id,
        principal_name=principal.name,
        role=Role(principal.role),
        org_id=org.id,
        org_kind=OrgKind(org.kind),
        jurisdiction_path=org.jurisdiction_path,
        key_id=key_id,
    )


def check_password(session: Session, username: str, password: str) -> Principal | None:
    """The active user with this username and password, or None (same answer either way)."""
    user = session.scalar(select(Principal).where(Principal.username == username))
    if user is None or not user.active or not user.password_hash:
        _hasher.hash(password)  # spend the same time, so usernames cannot be probed
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user

"""Real concurrency for financing tests: a live uvicorn, thread storms, process workers."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from support.server import free_port  # noqa: F401 - used by the storm tests
from support.server import serve as live_server  # noqa: F401

# One request of a mixed storm: headers, JSON body, path.
Post = tuple[dict[str, str], dict[str, Any], str]


@dataclass
class Outcome:
    status: int
    body: dict[str, Any]


def http_storm(
    base: str,
    requests: Sequence[tuple[dict[str, str], dict[str, Any]] | Post],
    path: str = "/v1/financings",
) -> list[Outcome]:
    """POST every (headers, body) to `path`, or every (headers, body, path), at once from its
    own thread; all start on one barrier."""
    posts = [r if len(r) == 3 else (*r, path) for r in requests]
    barrier = threading.Barrier(len(posts))
    results: list[Outcome | None] = [None] * len(posts)

    def one(i: int, headers: dict[str, str], body: dict[str, Any], to: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            barrier.wait()
            res = client.post(to, json=body, headers=headers)
            results[i] = Outcome(res.status_code, res.json())

    threads = [threading.Thread(target=one, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(r is not None for r in results), "a request thread did not finish"
    return [r for r in results if r is not None]


def service_worker(
    url: str, caller_fields: dict[str, Any], bodies: list[dict[str, Any]], barrier: Any, queue: Any
) -> None:
    """A separate process registering `bodies` through the service layer, each in its own
    transaction, through the function every entry point calls (refusals recorded, conflicts
    mapped); puts (ref, outcome) on `queue`."""
    from crossfin.assembly import assemble
    from crossfin.core.db import Database
    from crossfin.financing import registration
    from crossfin.financing.errors import FinancingRefused
    from crossfin.financing.schemas import FinancingIn
    from crossfin.ledger.uow import Transactions
    from crossfin.parties.access import Caller
    from crossfin.parties.models import OrgKind, Role

    caller = Caller(
        caller_fields["principal_id"],
        "storm",
        Role(caller_fields["role"]),
        caller_fields["org_id"],
        OrgKind.BANK,
        None,
    )
    assemble()  # as every entry point does: the statistics' upkeep among the hooks
    db = Database(url)
    tx = Transactions.own(db, caller.actor)
    barrier.wait()
    try:
        for body in bodies:
            data = FinancingIn.model_validate(body)
            [outcome] = registration.register_applications(
                tx, [registration.Application(caller, data)], 72
            )
            if isinstance(outcome, FinancingRefused):
                queue.put((body["external_ref"], outcome.slug))
            elif isinstance(outcome, BaseException):  # surfaced to the test, never swallowed
                queue.put((body["external_ref"], f"error: {outcome!r}"))
            else:
                queue.put((body["external_ref"], "ok"))
    finally:
        db.dispose()

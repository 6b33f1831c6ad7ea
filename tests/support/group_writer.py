"""A process that writes single-event transactions by group commit until it is killed.

    python -m support.group_writer DATABASE_URL ACK_FILE THREADS

Each acknowledged event (its `commit` returned, so its receipt names its leaf) is appended
to ACK_FILE as `event_id leaf_index` and a newline, flushed at once: the lines a kill -9
leaves complete are exactly what the process acknowledged.
"""

from __future__ import annotations

import sys
import threading

from crossfin.core.db import Actor, Database
from crossfin.ledger.events import EventType
from crossfin.ledger.uow import UnitOfWork


def main(url: str, ack_path: str, threads: int) -> None:
    db = Database(url)
    if not db.group_commit:
        raise SystemExit("group commit is off for this database")
    lock = threading.Lock()
    out = open(ack_path, "a", buffering=1, encoding="ascii")  # noqa: SIM115 - until killed

    def write(thread: int) -> None:
        actor = Actor(None, None, f"w{thread}")
        n = 0
        while True:
            with UnitOfWork(db, actor) as uow:
                receipt = uow.record(EventType.ORG_ADDED, subjects={"n": n}, content={"t": thread})
                uow.commit()
            with lock:
                out.write(f"{receipt.event_id} {receipt.leaf_index}\n")
                out.flush()
            n += 1

    workers = [threading.Thread(target=write, args=(t,), daemon=True) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

"""`crossfin log audit`: rows altered by SQL are named, and blamed on the right leaf."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, delete, insert, select, update
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from crossfin.ledger.audit import (
    AuditReport,
    KeptCheckpoint,
    audit,
    audit_database,
    witness_state_checkpoints,
)
from crossfin.ledger.checkpoint import Checkpoint as Body
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    cosign,
    generate_cosigner,
)
from crossfin.ledger.models import (
    Checkpoint,
    Cosignature,
    LedgerEvent,
    LedgerEventParty,
    LogHead,
    TreeHash,
)
from crossfin.ledger.note import Signer, generate_signer, parse_note, sign_note
from crossfin.ledger.proofs import MemoryTree, right_edge_ids
from crossfin.ledger.rfc6962 import leaf_hash
from crossfin.ledger.witness_state import LogRecord, WitnessStore
from support.ledger import fast_append, quiet_settings, record_events, sign

SIZE = 700


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return quiet_settings(settings)


@pytest.fixture
def log(db: Database, conf: Settings) -> Database:
    """A log of SIZE leaves with three checkpoints, the last at the head."""
    record_events(db, 20, per_tx=7)
    sign(db, conf)
    fast_append(db, 300)
    sign(db, conf)
    fast_append(db, SIZE - 320)
    sign(db, conf)
    return db


def _audit(db: Database, conf: Settings, chunk: int = 4096, **options) -> AuditReport:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        return audit(
            session,
            keys.log_signer(conf).verifier(),
            chunk=chunk,
            checkpoint_interval=conf.checkpoint_interval,
            **options,
        )


def _cli(db: Database, conf: Settings, *args: str) -> tuple[int, str]:
    env = {"CROSSFIN_DATABASE_URL": db.url, "CROSSFIN_DATA_DIR": str(conf.data_dir)}
    result = CliRunner().invoke(cli, ["log", "audit", *args], env=env)
    return result.exit_code, result.output


def _sql(db: Database, statement, rows=None) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        conn.execute(statement, rows) if rows is not None else conn.execute(statement)


def _leaves(db: Database) -> list[bytes]:
    with db.engine.connect() as conn:
        return [
            bytes(h)
            for (h,) in conn.execute(select(LedgerEvent.leaf_hash).order_by(LedgerEvent.leaf_index))
        ]


def _store_tree(db: Database, leaves: list[bytes], *, head: bool = True) -> None:
    """Overwrite every stored subtree hash (and the head) with the tree of `leaves`."""
    tree = MemoryTree(leaves)
    with db.engine.connect() as conn:
        ids = [(level, n) for level, n in conn.execute(select(TreeHash.level, TreeHash.idx))]
    _sql(
        db,
        update(TreeHash)
        .where(TreeHash.level == bindparam("l"), TreeHash.idx == bindparam("n"))
        .values(hash=bindparam("h")),
        [
            {"l": level, "n": n, "h": h}
            for (level, n), h in zip(ids, tree.read_hashes(ids), strict=True)
        ],
    )
    if head:
        edge = tree.read_hashes(right_edge_ids(tree.size))
        _sql(db, update(LogHead).values(root=tree.root(), edge=b"".join(edge)))


def _rewrite(db: Database, start: int, *, head: bool = True) -> None:
    """What someone with write access would do to hide a change: rewrite the records from
    `start` on with their leaf hashes, every subtree hash and (unless told) the head."""
    leaves = _leaves(db)
    forged = {i: b'{"forged":%d}' % i for i in range(start, len(leaves))}
    _sql(
        db,
        update(LedgerEvent)
        .where(LedgerEvent.leaf_index == bindparam("i"))
        .values(record=bindparam("r"), leaf_hash=bindparam("h")),
        [{"i": i, "r": r, "h": leaf_hash(r)} for i, r in forged.items()],
    )
    _store_tree(
        db, [leaf_hash(forged[i]) if i in forged else h for i, h in enumerate(leaves)], head=head
    )


def _truncate(db: Database, size: int) -> None:
    """Roll the log back to `size` leaves, hashes and head consistent."""
    leaves = _leaves(db)[:size]
    _sql(db, delete(LedgerEventParty).where(LedgerEventParty.leaf_index >= size))
    _sql(db, delete(LedgerEvent).where(LedgerEvent.leaf_index >= size))
    with db.engine.connect() as conn:
        ids = [
            (level, n)
            for level, n in conn.execute(select(TreeHash.level, TreeHash.idx))
            if (n + 1) << level > size
        ]
    for level, n in ids:
        _sql(db, delete(TreeHash).where(TreeHash.level == level, TreeHash.idx == n))
    _store_tree(db, leaves)
    _sql(db, update(LogHead).values(size=size))


def _age(db: Database, hours: int = 1) -> None:
    """Make every leaf look sequenced `hours` ago."""
    _sql(db, update(LedgerEvent).values(created_at=utcnow() - timedelta(hours=hours)))


def _stored_note(db: Database, size: int) -> str:
    with db.engine.connect() as conn:
        return str(conn.scalar(select(Checkpoint.note).where(Checkpoint.size == size)))


def _witness_state(db: Database, conf: Settings, state: Path, size: int) -> Path:
    """A witness state directory that last cosigned the stored checkpoint of `size`."""
    note = _stored_note(db, size)
    body = parse_note(note).text
    skey, _ = generate_cosigner("witness.example/w1")
    line = cosign(body, CosignatureSigner.from_skey(skey), 1_700_000_000)
    root = parse_checkpoint(body).root
    WitnessStore(state).save(LogRecord(conf.log_origin, size, root, note + line, 1_700_000_000))
    return state


# -- an intact log -----------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [4096, 7, 256])
def test_an_intact_log_passes(log: Database, conf: Settings, chunk: int) -> None:
    report = _audit(log, conf, chunk)
    assert report.ok, report.problems
    assert (report.size, report.checkpoints, report.latest_checkpoint) == (SIZE, 3, SIZE)
    assert report.first_bad_index is None


def test_cli_passes_an_intact_log(log: Database, conf: Settings) -> None:
    code, output = _cli(log, conf)
    assert code == 0, output
    assert f"{SIZE} leaves re-hashed" in output
    assert "warning: no witness quorum" in output


# -- leaves and stored hashes ----------------------------------------------------------------


def test_altered_record_is_named(log: Database, conf: Settings) -> None:
    _sql(
        log,
        update(LedgerEvent).where(LedgerEvent.leaf_index == 123).values(record=b'{"forged":true}'),
    )
    report = audit_database(log, keys.log_signer(conf).verifier())
    assert report.first_bad_index == 123
    assert report.problems[0].startswith("leaf 123: record hashes to")
    code, output = _cli(log, conf)
    assert code == 1
    assert "first bad index 123" in output


def test_altered_leaf_hash_is_named(log: Database, conf: Settings) -> None:
    _sql(log, update(LedgerEvent).where(LedgerEvent.leaf_index == 5).values(leaf_hash=b"\1" * 32))
    assert _audit(log, conf, chunk=64).first_bad_index == 5


def test_record_and_leaf_hash_altered_together_are_named(log: Database, conf: Settings) -> None:
    """The stored subtree hashes and the signed checkpoints still disagree."""
    forged = b'{"forged":true}'
    _sql(
        log,
        update(LedgerEvent)
        .where(LedgerEvent.leaf_index == 400)
        .values(record=forged, leaf_hash=leaf_hash(forged)),
    )
    report = _audit(log, conf)
    assert report.first_bad_index == 400
    assert any("checkpoint 700" in p and "the stored tree agrees" in p for p in report.problems)


def test_altered_subtree_hash_is_named(log: Database, conf: Settings) -> None:
    _sql(
        log, update(TreeHash).where(TreeHash.level == 4, TreeHash.idx == 9).values(hash=b"\2" * 32)
    )
    report = _audit(log, conf, chunk=100)
    assert report.first_bad_index == 9 * 16
    assert "(4, 9)" in report.problems[0]


@pytest.mark.parametrize(("level", "n"), [(0, 100), (3, 10), (0, 4)])
@pytest.mark.parametrize("chunk", [4096, 64])
def test_deleted_subtree_hash_is_named(
    log: Database, conf: Settings, level: int, n: int, chunk: int
) -> None:
    """A hash missing inside a level was named at the end of the range read (699)."""
    _sql(log, delete(TreeHash).where(TreeHash.level == level, TreeHash.idx == n))
    report = _audit(log, conf, chunk)
    assert report.first_bad_index == n << level
    assert report.problems[0] == (
        f"subtree hash ({level}, {n}) over leaves [{n << level}, {(n + 1) << level}) is missing"
    )


def test_missing_record_is_named(log: Database, conf: Settings) -> None:
    _sql(log, delete(LedgerEventParty).where(LedgerEventParty.leaf_index == 650))
    _sql(log, delete(LedgerEvent).where(LedgerEvent.leaf_index == 650))
    report = _audit(log, conf)
    assert report.first_bad_index == 650
    assert report.problems == ["leaf 650: record missing"]  # the stored hashes vouch the rest


def test_stale_subtree_hashes_are_blamed_on_their_first_leaf(log: Database, conf: Settings) -> None:
    """Records, leaf hashes and leaf-level hashes rewritten from 401, the levels above left
    stale: (1, 200) covers leaves 400 and 401, and nothing says which one changed."""
    leaves = _leaves(log)
    _rewrite(log, 401)
    _store_tree(log, leaves)  # the old tree back ...
    forged = _leaves(log)
    _sql(
        log,
        update(TreeHash)
        .where(TreeHash.level == 0, TreeHash.idx == bindparam("n"))
        .values(hash=bindparam("h")),
        [{"n": i, "h": forged[i]} for i in range(401, SIZE)],
    )
    report = _audit(log, conf)  # ... but for its leaf level
    assert report.first_bad_index == 400
    assert report.problems[0].startswith("stored subtree hash (1, 200) over leaves [400, 402)")


# -- consistent rewrites: only signatures disagree ----------------------------------------------


def test_consistent_rewrite_is_blamed_on_the_newest_checkpoint_it_keeps(
    log: Database, conf: Settings
) -> None:
    """Records, leaf hashes, subtree hashes and head rewritten from 401 on: nothing stored
    disagrees, only checkpoint 700. The rewrite lies in [320, 700); 699 was named before."""
    _rewrite(log, 401)
    report = _audit(log, conf)
    assert report.first_bad_index == 320
    assert report.problems[0].startswith("checkpoint 700: signed root ")
    assert "rewritten with their hashes" in report.problems[0]
    code, output = _cli(log, conf)
    assert code == 1 and "first bad index 320" in output


def test_consistent_rewrite_from_a_checkpoint_is_named_exactly(
    db: Database, conf: Settings
) -> None:
    """With a checkpoint at 401 the first rewritten leaf is known: 401 (462 was named)."""
    record_events(db, 20)
    for size in (401, 463, SIZE):
        fast_append(db, size - _count(db))
        sign(db, conf)
    _rewrite(db, 401)
    report = _audit(db, conf, chunk=100)
    assert report.first_bad_index == 401
    assert [p.split(":")[0] for p in report.problems] == ["checkpoint 463", "checkpoint 700"]


def test_rewrite_that_left_the_head_is_blamed_on_the_newest_checkpoint_it_keeps(
    log: Database, conf: Settings
) -> None:
    _rewrite(log, 401, head=False)
    report = _audit(log, conf)
    assert report.first_bad_index == 320
    assert any(p.startswith("head root") for p in report.problems)


def test_checkpoint_signed_for_another_tree_is_flagged_as_a_fork(
    log: Database, conf: Settings
) -> None:
    """Checkpoint 320 re-signed with the log key over another root: 700 still matches."""
    signer = keys.log_signer(conf)
    note = sign_note(Body(conf.log_origin, 320, b"\7" * 32).format(), [signer])
    _sql(log, update(Checkpoint).where(Checkpoint.size == 320).values(note=note, root=b"\7" * 32))
    report = _audit(log, conf)
    assert report.first_bad_index == 20
    assert report.problems[0].startswith("checkpoint 320: signed root 0707")
    assert "the log key signed a fork" in report.problems[1]


def test_forged_checkpoint_is_refused(log: Database, conf: Settings) -> None:
    skey, _ = generate_signer(conf.log_origin)  # right name, wrong key
    row_note = sign_note(f"{conf.log_origin}\n320\n{'A' * 43}=\n", [Signer.from_skey(skey)])
    _sql(log, update(Checkpoint).where(Checkpoint.size == 320).values(note=row_note))
    report = _audit(log, conf)
    assert not report.ok
    assert any("checkpoint 320: signature or format invalid" in p for p in report.problems)


def test_tampered_head_is_reported(log: Database, conf: Settings) -> None:
    """Checkpoint 700 matches the records: only the head row is wrong, no leaf is to blame."""
    _sql(log, update(LogHead).values(root=b"\3" * 32))
    report = _audit(log, conf)
    assert not report.ok
    assert report.first_bad_index is None
    assert report.problems[0].startswith("head root 0303")
    assert "only the head row is wrong" in report.problems[0]
    code, output = _cli(log, conf)
    assert code == 1 and "no leaf is to blame" in output


# -- missing, regressing and out-of-tree checkpoints --------------------------------------------


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(LogHead.size)) or 0)


def test_no_checkpoint_at_all_is_flagged(log: Database, conf: Settings) -> None:
    """A consistent rewrite with ledger_checkpoints emptied passed: nothing disagreed."""
    _rewrite(log, 401)
    _sql(log, delete(Cosignature))
    _sql(log, delete(Checkpoint))
    _age(log)
    report = _audit(log, conf)
    assert not report.ok
    assert report.first_bad_index is None
    assert report.problems[0].startswith(f"no checkpoint: none of the {SIZE} leaves")
    code, output = _cli(log, conf)
    assert code == 1 and "no checkpoint" in output


def test_a_young_log_may_wait_for_its_first_checkpoint(db: Database, conf: Settings) -> None:
    record_events(db, 5)
    report = _audit(db, conf)
    assert report.ok, report.problems
    assert "5 leaf(s) sequenced in the last 60 s are not in a checkpoint yet" in report.warnings
    _age(db)
    assert not _audit(db, conf).ok


def test_deleted_newest_checkpoint_is_flagged(log: Database, conf: Settings) -> None:
    _sql(log, delete(Checkpoint).where(Checkpoint.size == SIZE))
    _age(log)
    report = _audit(log, conf)
    assert report.problems[0].startswith(
        f"leaves [320, {SIZE}) are in no signed checkpoint; leaf 320 was sequenced 36"
    )


def test_checkpoint_sizes_that_go_back_are_flagged(log: Database, conf: Settings) -> None:
    later = utcnow() + timedelta(hours=1)
    _sql(log, update(Checkpoint).where(Checkpoint.size == 320).values(created_at=later))
    report = _audit(log, conf)
    assert not report.ok
    assert report.problems[0].startswith("checkpoint 320 was stored at ")
    assert report.problems[0].endswith("the signed tree size went back from 700 to 320")


@pytest.mark.parametrize(("size", "first"), [(650, 320), (320, 320)])
def test_checkpoint_beyond_the_tree_is_named(
    log: Database, conf: Settings, size: int, first: int
) -> None:
    """Rolled back: leaves from the newest checkpoint the records reproduce on are suspect
    (they may have been rewritten before the log grew again); exact back to a checkpoint."""
    _truncate(log, size)
    report = _audit(log, conf)
    assert report.first_bad_index == first
    assert report.problems == [
        (
            f"checkpoint 700 is beyond the tree of {size} leaves: "
            f"the log lost leaves [{size}, 700) "
            f"(rolled back); the first lost or rewritten leaf is at or after {first}, the newest "
            "size whose signed root the records reproduce"
        )
    ]


def test_signed_size_beyond_the_tree_is_named(log: Database, conf: Settings) -> None:
    """A row of size 320 holding a note signed for size 900."""
    signer = keys.log_signer(conf)
    note = sign_note(Body(conf.log_origin, 900, b"\7" * 32).format(), [signer])
    _sql(log, update(Checkpoint).where(Checkpoint.size == 320).values(note=note))
    report = _audit(log, conf)
    assert report.first_bad_index == SIZE  # the records reproduce checkpoint 700
    assert report.problems[0].startswith("checkpoint 320: signed body")
    assert report.problems[1].startswith("checkpoint 320: its signed size 900 is beyond the tree")


# -- what witnesses cosigned --------------------------------------------------------------------


def test_checkpoint_missing_from_what_a_witness_cosigned_is_flagged(
    log: Database, conf: Settings, tmp_path: Path
) -> None:
    state = _witness_state(log, conf, tmp_path / "state", SIZE)
    _sql(log, delete(Checkpoint).where(Checkpoint.size == SIZE))
    kept = witness_state_checkpoints(state, conf.log_origin)
    report = _audit(log, conf, kept=kept)
    assert report.problems[0] == (
        f"the checkpoint of size {SIZE} in the witness state in "
        f"{state} (size {SIZE}) has no stored checkpoint of that "
        "size: ledger_checkpoints lost it"
    )
    assert report.first_bad_index is None  # the records still give its root


def test_rewrite_resigned_with_the_log_key_is_caught_only_by_a_witness(
    log: Database, conf: Settings
) -> None:
    """Everything rewritten and re-signed with the log key: only the witness knows."""
    _witness_state(log, conf, conf.data_dir / "witness" / "state", SIZE)
    _rewrite(log, 401)
    _sql(log, delete(Checkpoint))
    sign(log, conf)
    assert _audit(log, conf).ok  # nothing in the database disagrees
    code, output = _cli(log, conf)  # reads data_dir/witness/state
    assert code == 1
    assert "first bad index 0" in output
    assert "the log signed two different trees of one size" in output


def test_rewrite_resigned_with_the_log_key_is_caught_by_a_kept_checkpoint(
    log: Database, conf: Settings, tmp_path: Path
) -> None:
    kept = tmp_path / "checkpoint-320.txt"
    kept.write_text(_stored_note(log, 320), encoding="utf-8")
    _rewrite(log, 21)
    _sql(log, delete(Checkpoint))
    sign(log, conf)
    assert _audit(log, conf).ok
    code, output = _cli(log, conf, "--checkpoint", str(kept))
    assert code == 1
    assert f"the checkpoint of size 320 in {kept} (size 320) has no stored checkpoint" in output
    assert "first bad index 0" in output


def test_stored_cosignatures_are_checked(log: Database, conf: Settings) -> None:
    skey, vkey = generate_cosigner("witness.example/w1")
    signer = CosignatureSigner.from_skey(skey)
    lines = {}
    for size, when in ((320, 1_700_000_200), (SIZE, 1_700_000_100)):  # 700 before 320
        lines[size] = cosign(parse_note(_stored_note(log, size)).text, signer, when)
        _sql(
            log,
            insert(Cosignature).values(
                size=size, witness="witness.example/w1", line=lines[size], created_at=utcnow()
            ),
        )
        _sql(log, update(Checkpoint).where(Checkpoint.size == size).values(cosigners=1))
    witnesses = [CosignatureVerifier.from_vkey(vkey)]
    report = _audit(log, conf, witnesses=witnesses)
    assert report.problems == [
        (
            "checkpoint 700: cosignature of witness.example/w1 is dated 1700000100, before its "
            "cosignature of the smaller size 320 (1700000200): the log's size went back from 700 "
            "to 320"
        )
    ]
    _sql(log, update(Cosignature).where(Cosignature.size == SIZE).values(line=lines[320]))
    _sql(log, update(Checkpoint).where(Checkpoint.size == 320).values(cosigners=2))
    problems = _audit(log, conf, witnesses=witnesses).problems
    assert problems[0] == "checkpoint 320: 1 cosignature(s) stored, its row counts 2"
    assert problems[1].startswith(
        "checkpoint 700: cosignature of witness.example/w1 is invalid: invalid signature"
    )


def test_unreadable_kept_checkpoint_is_flagged(log: Database, conf: Settings) -> None:
    kept = [KeptCheckpoint("a client's copy", _stored_note(log, 20) + "x")]
    assert (
        _audit(log, conf, kept=kept)
        .problems[0]
        .startswith("the checkpoint in a client's copy: signature or format invalid")
    )

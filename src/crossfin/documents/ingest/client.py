"""The sources' side of batch submission: digests, manifest, resumable chunked upload.

Used by `crossfin documents submit`; kept free of Typer so tests and other tools can
drive it. The file is read twice (once for the root, once to upload), never held whole.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from crossfin.documents import records
from crossfin.ledger.note import Signer, sign_note
from crossfin.ledger.rfc6962 import leaf_hash, root_hash

DEFAULT_SERVER = "http://127.0.0.1:8000"
CONTENT_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
TERMINAL = ("published", "rejected", "refused")


class ApiError(Exception):
    """A problem+json answer (or a transport failure) from the server."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status, self.problem = status, problem
        lines = [f"{e['field']}: {e['reason']}" for e in problem.get("errors", [])]
        super().__init__("; ".join(lines) or problem.get("detail") or f"HTTP {status}")


class Api:
    """A thin JSON client over httpx with the bearer key."""

    def __init__(
        self,
        server: str,
        api_key: str,
        timeout: float = 600.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=server.rstrip("/"),
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key}"},
            transport=transport,
        )

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.http.request(method, path, **kwargs)
        if answer.status_code >= 400:
            try:
                problem = answer.json()
            except ValueError:
                problem = {"detail": answer.text[:300]}
            raise ApiError(answer.status_code, problem)
        return answer.json()

    def download(self, path: str, target: Path) -> None:
        with self.http.stream("GET", path) as answer, target.open("wb") as out:
            if answer.status_code >= 400:
                raise ApiError(answer.status_code, {"detail": answer.read().decode()[:300]})
            for block in answer.iter_bytes():
                out.write(block)


def read_records(path: Path, fmt: str) -> Iterator[tuple[dict[str, Any], str]]:
    """(record as sent, its text for upload) per record; CSV text is one row, no header."""
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            reader = csv.reader(handle)
            header = next(reader, [])
            for row in reader:
                if row:
                    yield dict(zip(header, row, strict=True)), _csv_line(row)
            return
        for raw in handle:
            if raw.strip():
                yield records.parse_json_record(raw), raw.rstrip("\r\n")


def csv_header(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return _csv_line(next(csv.reader(handle), []))


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


@dataclass
class Plan:
    """What a submission signs and where it resumes from; saved as the state file."""

    batch_id: str
    kind: str
    file: str
    fmt: str
    count: int
    root: str
    manifest: str
    mode: str


def plan_batch(
    path: Path, kind: str, fmt: str, signer: Signer, mode: str, batch_id: str | None = None
) -> Plan:
    """Digest every record (streaming), build and sign the manifest."""
    count = 0

    def leaves() -> Iterator[bytes]:
        nonlocal count
        for sent, _ in read_records(path, fmt):
            count += 1
            yield leaf_hash(records.record_digest(sent))

    root = root_hash(leaves())
    ref = batch_id or f"{_stem(path)}-{root.hex()[:16]}"
    manifest = sign_note(records.Manifest(kind, ref, count, root).text(), [signer])
    return Plan(ref, kind, str(path), fmt, count, root.hex(), manifest, mode)


def _stem(path: Path) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in path.stem)
    return cleaned.strip(".-_")[:40] or "batch"


def state_path(state_dir: Path, batch_id: str) -> Path:
    return state_dir / f"{batch_id}.json"


def load_or_save_plan(state_dir: Path, plan: Plan) -> Plan:
    """Reuse the saved plan of this batch id (same file and root), or save this one."""
    target = state_path(state_dir, plan.batch_id)
    if target.exists():
        saved = Plan(**json.loads(target.read_text(encoding="utf-8")))
        if (saved.root, saved.count, saved.kind) == (plan.root, plan.count, plan.kind):
            return saved
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(plan), indent=1), encoding="utf-8")
    os.replace(tmp, target)
    return plan


Progress = Callable[[int], None]


def upload(api: Api, plan: Plan, chunk: int, progress: Progress) -> dict[str, Any]:
    """Register the manifest, send the lines from the server's next_line, publish."""
    status: dict[str, Any] = api.call(
        "POST", "/v1/batches", json={"manifest": plan.manifest, "mode": plan.mode}
    )
    progress(status["next_line"])
    if status["status"] in TERMINAL:
        return status
    if status["next_line"] < plan.count:
        status = _send_lines(api, plan, chunk, status["next_line"], progress)
    if status["status"] == "complete":  # a publication that died: run it again
        status = api.call("POST", f"/v1/batches/{plan.batch_id}/publish")
    return status


def _send_lines(api: Api, plan: Plan, chunk: int, start: int, progress: Progress) -> dict[str, Any]:
    header = csv_header(Path(plan.file)) if plan.fmt == "csv" else ""
    joiner = "" if plan.fmt == "csv" else "\n"
    path, status, pending = f"/v1/batches/{plan.batch_id}/lines", {}, []
    first = start
    for index, (_, text) in enumerate(read_records(Path(plan.file), plan.fmt)):
        if index < start:
            continue
        pending.append(text)
        if len(pending) == chunk or index == plan.count - 1:
            body = header + joiner.join(pending) + joiner
            status = api.call(
                "POST",
                path,
                params={"from": first},
                content=body.encode(),
                headers={"Content-Type": CONTENT_TYPES[plan.fmt]},
            )
            first += len(pending)
            pending = []
            progress(first)
    return status


def dcsa_messages(path: Path) -> list[Any]:
    """The DCSA messages of a file: one JSON value (an object, or a T&T event list) or one
    message per line."""
    text = path.read_text(encoding="utf-8")
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def dcsa_to_jsonl(
    source: Path, target: Path, kind: str, party_uscc: str | None = None
) -> list[str]:
    """Write the `kind` records the DCSA messages of `source` carry to `target` as JSONL
    (the same file every time, so an interrupted upload resumes); the problems, one per
    message that carries none (`message N: where: reason`), in which case nothing is written."""
    from crossfin.documents.adapters import AdapterError
    from crossfin.documents.adapters.dcsa_formats import records_of

    lines, problems = [], []
    for number, message in enumerate(dcsa_messages(source), start=1):
        try:
            found = records_of(message, kind, party_uscc=party_uscc)
        except AdapterError as exc:
            problems.append(f"message {number}: {exc.where}: {exc.reason}")
            continue
        lines += [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in found]
    if not problems:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return problems

"""Client side of C2SP tlog-witness v1.0.0: ask one witness to cosign a checkpoint."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from crossfin.ledger.cosignature import CosignatureVerifier, verified_cosigners
from crossfin.ledger.note import NoteError, parse_note, parse_signature_line

SIZE_MEDIA_TYPE = "text/x.tlog.size"
ADD_CHECKPOINT = "/add-checkpoint"


class WitnessClientError(Exception):
    """A witness did not cosign; `status` is the HTTP status, None for transport failures."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class WitnessConflictError(WitnessClientError):
    """409: `size` is the witness's latest cosigned size, or None for a fork at equal size."""

    def __init__(self, message: str, size: int | None) -> None:
        super().__init__(message, 409)
        self.size = size


def format_request(old_size: int, proof: Sequence[bytes], signed_note: str) -> bytes:
    """The add-checkpoint body: `old N`, base64 proof lines, a blank line, the note."""
    if old_size < 0:
        raise ValueError("old size must not be negative")
    lines = [f"old {old_size}\n"] + [base64.b64encode(h).decode() + "\n" for h in proof]
    return ("".join(lines) + "\n" + signed_note).encode("utf-8")


def _endpoint(url: str) -> str:
    """Accept a witness submission prefix or the full add-checkpoint URL."""
    if urlsplit(url).path.endswith(ADD_CHECKPOINT):
        return url
    return url.rstrip("/") + ADD_CHECKPOINT


def _conflict(response: httpx.Response) -> WitnessConflictError:
    """Build the 409 error, reading the witness's size when it sent one."""
    if response.headers.get("content-type", "").split(";")[0].strip() == SIZE_MEDIA_TYPE:
        text = response.text.strip()
        if text.isascii() and text.isdigit():
            return WitnessConflictError(f"witness has cosigned up to size {text}", int(text))
        return WitnessConflictError(f"witness sent an unparsable size {text[:40]!r}", None)
    return WitnessConflictError(f"witness reports a fork: {response.text.strip()[:200]}", None)


def _cosignature_lines(
    body: str, signed_note: str, witness: CosignatureVerifier | None
) -> list[str]:
    """Split a 200 body into signature lines; check them if a witness key is given."""
    if not body.endswith("\n"):
        raise WitnessClientError("witness response does not end with a newline", 200)
    lines = [line + "\n" for line in body[:-1].split("\n")]
    try:
        for line in lines:
            parse_signature_line(line[:-1])
        if witness is not None:
            note = signed_note + "".join(lines)
            parse_note(note)
            if not verified_cosigners(note, [witness]):
                raise WitnessClientError(f"response holds no cosignature by {witness.name}", 200)
    except NoteError as exc:
        raise WitnessClientError(f"witness returned a bad cosignature: {exc}", 200) from None
    return lines


def submit_checkpoint(
    url: str,
    old_size: int,
    proof: Sequence[bytes],
    signed_note: str,
    timeout: float = 10.0,
    *,
    witness_vkey: str | None = None,
    client: httpx.Client | None = None,
) -> list[str]:
    """POST a signed checkpoint to a witness (URL or prefix); return its cosignature lines."""
    # WitnessConflictError on 409: retry with `.size` as the old size when it is set.
    # Lines end in a newline; with witness_vkey they are verified against that key.
    # `timeout` configures the client made here; a supplied `client` keeps its settings.
    witness = CosignatureVerifier.from_vkey(witness_vkey) if witness_vkey else None
    body = format_request(old_size, proof, signed_note)
    http = client or httpx.Client(timeout=timeout)
    try:
        response = http.post(_endpoint(url), content=body, headers={"Content-Type": "text/plain"})
    except httpx.HTTPError as exc:
        raise WitnessClientError(f"cannot reach witness at {url}: {exc}") from None
    finally:
        if client is None:
            http.close()
    if response.status_code == 409:
        raise _conflict(response)
    if response.status_code != 200:
        detail = response.text.strip()[:200]
        raise WitnessClientError(
            f"witness answered {response.status_code}: {detail}", response.status_code
        )
    try:
        text = response.content.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessClientError("witness response is not UTF-8", 200) from None
    return _cosignature_lines(text, signed_note, witness)

"""A signed step: its body (canonical JSON, RFC 8785) signed as a C2SP note by its source.

The note text is the body's RFC 8785 bytes and a newline, so a signer needs only a JCS
library and an Ed25519 key; the server refuses any other serialisation of the same body.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic import ValidationError as PydanticValidationError

from crossfin.core.canonical import jcs
from crossfin.core.errors import FieldError, ValidationFailed, field_errors
from crossfin.documents.ebl.chain import Action
from crossfin.documents.kinds.fields import DocNumber, Text, Uscc
from crossfin.documents.records import parse_json_record
from crossfin.ledger.note import NoteSigner, sign_note

STEP_TYPE = "crossfin.ebl-step/v1"
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,31}$")]


class PartyIn(BaseModel):
    """A new holder: a USCC and/or a name; `platform` the USCC of the crossfin source that
    keeps its register, or a foreign platform's code (absent: the signing source's own)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    uscc: Uscc | None = None
    name: Text | None = None
    platform: Code | None = None

    @model_validator(mode="after")
    def _named(self) -> PartyIn:
        if self.uscc is None and self.name is None:
            raise ValueError("name the holder by uscc, name or both")
        return self


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["crossfin.ebl-step/v1"]
    bl_no: DocNumber
    seq: int = Field(ge=1, le=10_000)
    action: Action
    to: PartyIn | None = None
    bank: Code | None = None  # a pledge: the bank's BIC or USCC
    at: AwareDatetime
    comments: Annotated[str, StringConstraints(max_length=255)] | None = None

    @model_validator(mode="after")
    def _fields_of_action(self) -> StepIn:
        needs_to = self.action in (Action.ISSUE, Action.ENDORSE)
        if needs_to != (self.to is not None):
            raise ValueError(f"'to' is {'required' if needs_to else 'not taken'} by {self.action}")
        if (self.action is Action.PLEDGE) != (self.bank is not None):
            raise ValueError("'bank' is required by a pledge, and only by a pledge")
        return self


def note_text(body: dict[str, Any]) -> str:
    """What a source signs: the body's RFC 8785 form and a newline."""
    return jcs(body).decode("utf-8") + "\n"


def sign_step(body: dict[str, Any], signer: NoteSigner) -> str:
    """The signed note of a step body (what `crossfin documents ebl step` sends)."""
    return sign_note(note_text(body), [signer])


def parse_step(text: str) -> tuple[StepIn, dict[str, Any]]:
    """The verified note's text as a step; 422 naming the field, or `signature` when the
    text is not the canonical form the signature must cover."""
    try:
        raw = parse_json_record(text)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed(
            [FieldError("signature", f"the note text is not JSON: {exc}")]
        ) from None
    if note_text(raw) != text:
        reason = "the note text must be the body's RFC 8785 form and one newline"
        raise ValidationFailed([FieldError("signature", reason)])
    try:
        return StepIn.model_validate(raw), raw
    except PydanticValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None

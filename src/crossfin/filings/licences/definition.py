"""A licence type's definition as data: its required materials and legal deadlines.

A licence form (`system: licence`) keeps in its `definition`, besides the skeleton's
`required` content fields:

- `materials`: what the applicant must attach, each with a code, Chinese and English
  names and the media types it may take (`required: false` for optional ones);
- `deadlines`: working days for acceptance (from submission), for the decision (from
  acceptance) and the one extension a recorded approval may grant.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crossfin.core.errors import FieldError, ValidationFailed

MATERIAL = r"^[a-z][a-z0-9_]{0,31}$"


class Material(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=MATERIAL, examples=["business_licence"])
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    media_types: list[str] = Field(min_length=1, max_length=20)
    required: bool = True


class Deadlines(BaseModel):
    """行政许可法 arts. 32, 42: 5 days to accept, 20 to decide, 10 more with approval."""

    model_config = ConfigDict(extra="forbid")

    acceptance: int = Field(default=5, ge=1, le=100)
    decision: int = Field(default=20, ge=1, le=200)
    extension: int = Field(default=10, ge=0, le=100)


class LicenceDefinition(BaseModel):
    """What a licence form's definition holds (other keys belong to the skeleton)."""

    model_config = ConfigDict(extra="allow")

    required: list[str] = Field(default_factory=list)
    materials: list[Material] = Field(min_length=1, max_length=50)
    deadlines: Deadlines = Field(default_factory=Deadlines)

    @model_validator(mode="after")
    def _unique_codes(self) -> LicenceDefinition:
        codes = [m.code for m in self.materials]
        if len(set(codes)) != len(codes):
            raise ValueError("material codes must be unique")
        return self

    def material(self, code: str) -> Material | None:
        return next((m for m in self.materials if m.code == code), None)


def parse(definition: dict[str, Any]) -> LicenceDefinition:
    """The definition, checked; 422 naming `definition.<path>` when it is not one."""
    try:
        return LicenceDefinition.model_validate(definition)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(["definition", *(str(p) for p in e["loc"])]), e["msg"])
            for e in exc.errors()[:20]
        ]
        raise ValidationFailed(errors) from None

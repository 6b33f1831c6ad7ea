"""Export credit-insurance policy, submitted by the insurer.

Its value is the buyer credit limit; `declarations` lists the export declarations
shipped under it (financing F4 verifies them together).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from crossfin.core.errors import FieldError
from crossfin.documents.kinds.base import Content, KindModel, KindSpec
from crossfin.documents.kinds.customs_declaration import check_declaration_no
from crossfin.documents.kinds.fields import (
    AmountText,
    Country,
    CurrencyCode,
    DocNumber,
    IsoDate,
    Ratio,
    Text,
    Uscc,
)
from crossfin.parties.models import OrgKind

DeclarationRef = Annotated[str, BeforeValidator(check_declaration_no)]


class InsurancePolicy(KindModel):
    policy_no: DocNumber
    insured_uscc: Uscc
    buyer_name: Text
    buyer_country: Country
    currency: CurrencyCode
    credit_limit: AmountText
    coverage_ratio: Ratio
    valid_from: IsoDate
    valid_to: IsoDate
    declarations: list[DeclarationRef] = Field(default_factory=list)


def _validity(content: Content) -> list[FieldError]:
    if content["valid_to"] < content["valid_from"]:
        return [FieldError("valid_to", "is before valid_from")]
    return []


def _declarations(content: Content) -> list[FieldError]:
    errors, seen = [], set()
    for i, number in enumerate(content["declarations"]):
        if number[8] != "0":
            errors.append(
                FieldError(
                    f"declarations[{i}]", "is not an export declaration (I/E flag must be 0)"
                )
            )
        if number in seen:
            errors.append(FieldError(f"declarations[{i}]", "is listed twice"))
        seen.add(number)
    return errors


SPEC = KindSpec(
    name="insurance_policy",
    source=OrgKind.INSURER,
    model=InsurancePolicy,
    key_field="policy_no",
    owner_field="insured_uscc",
    single_use=False,
    amounts={"credit_limit": "currency"},
    value_fields=("credit_limit",),
    value_currency="currency",
    checks=(_validity, _declarations),
    description="Export credit-insurance policy (value: the buyer credit limit)",
)

"""How a regulator closes an FX risk transaction report: a code list, bilingual labels.

Closing a risk report with any other outcome is refused (422 naming `outcome`,
`filings.systems.check_outcome`); codes are stable, labels may be reworded.
"""

from __future__ import annotations

from enum import StrEnum

from crossfin.filings.risk.codes import Label


class Outcome(StrEnum):
    REFERRED_TO_ENFORCEMENT = "referred_to_enforcement"
    NO_FURTHER_ACTION = "no_further_action"
    MONITORING = "monitoring"
    MERGED = "merged"  # into another report on the same subjects

    @property
    def label(self) -> Label:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.REFERRED_TO_ENFORCEMENT: Label("Referred to enforcement", "移交检查处理"),
    Outcome.NO_FURTHER_ACTION: Label("No further action", "不再采取进一步措施"),
    Outcome.MONITORING: Label("Kept under monitoring", "列入持续监测"),
    Outcome.MERGED: Label("Merged into another report", "并入其他报告处理"),
}

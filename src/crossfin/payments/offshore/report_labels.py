"""Chinese labels for the report PDF's subjects, document kinds and outcomes.

A printed report carries both languages side by side (中文 / English), so it needs no
locale. A subject or kind without a Chinese label prints in English only.
"""

from __future__ import annotations

from crossfin.core.pdf import Badge, Tone

SUBJECTS_ZH = {
    "transport_document": "运输单据",
    "vessel": "船名",
    "voyage": "航次",
    "containers": "集装箱号",
    "port_of_loading": "装货港",
    "port_of_discharge": "卸货港",
    "loading_date": "装船日期",
    "declaration_date": "报关日期",
    "seller": "卖方",
    "buyer": "买方",
    "goods": "货物",
    "quantity": "数量",
    "gross_weight": "毛重",
}

KINDS_ZH = {
    "bill_of_lading": "提单",
    "overseas_customs_declaration": "境外报关单",
    "transport_event": "物流跟踪事件",
    "contract": "合同",
}

_OUTCOMES = {
    "match": Badge("一致 / match", Tone.GOOD),
    "mismatch": Badge("不一致 / mismatch", Tone.BAD),
    "missing": Badge("缺失 / missing", Tone.WARN),
    "passed": Badge("核验通过 / PASSED", Tone.GOOD),
    "failed": Badge("核验未通过 / FAILED", Tone.BAD),
}


def _key(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def bilingual(english: str, table: dict[str, str]) -> str:
    """`中文 / english` when `table` knows the word, else the English alone."""
    zh = table.get(_key(english))
    return f"{zh} / {english}" if zh else english


def outcome_badge(outcome: str) -> Badge:
    """The coloured badge of a check's or a comparison's outcome (unknown ones in grey)."""
    return _OUTCOMES.get(outcome, Badge(outcome, Tone.NEUTRAL))

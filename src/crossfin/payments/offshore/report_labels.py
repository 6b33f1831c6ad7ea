"""Chinese labels for the report PDF's subjects, document kinds and outcomes.

A printed report carries both languages side by side (中文 / English), so it needs no
locale. A subject or kind without a Chinese label prints in English only.
"""

from __future__ import annotations

from crossfin.core.pdf import Badge, Tone

SUBJECTS_ZH = {
    "vessel": "船名",
    "imo": "船舶IMO编号",
    "voyage": "航次",
    "containers": "集装箱号",
    "container_numbers": "集装箱号",
    "port_of_loading": "装货港",
    "port_of_discharge": "卸货港",
    "ports": "港口",
    "on_board_date": "装船日期",
    "loading_date": "装船日期",
    "issue_date": "签发日期",
    "departure": "离港日期",
    "arrival": "抵港日期",
    "declaration_date": "报关日期",
    "dates": "日期",
    "goods": "货物",
    "hs_code": "商品编码",
    "description": "货物描述",
    "quantity": "数量",
    "quantities": "数量",
    "weight": "重量",
    "parties": "交易方",
    "buyer": "买方",
    "seller": "卖方",
    "amount": "金额",
}

KINDS_ZH = {
    "bill_of_lading": "提单",
    "overseas_declaration": "境外报关单",
    "customs_declaration": "报关单",
    "export_declaration": "出口报关单",
    "import_declaration": "进口报关单",
    "track_and_trace": "物流跟踪",
    "tracking_event": "物流跟踪事件",
    "commercial_invoice": "商业发票",
    "invoice": "发票",
    "contract": "合同",
    "packing_list": "装箱单",
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

"""The code lists of an FX risk transaction report, with their English and Chinese labels.

The codes are stable: they are stored in filings, written into the XML (the shipped XSD
enumerates the same values, and a test keeps the two in step) and read by regulators'
systems. Labels may be reworded; codes never change meaning.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Label(NamedTuple):
    en: str
    zh: str


class Category(StrEnum):
    """What the bank suspects (外汇风险交易报告类别)."""

    FALSE_TRADE = "false_trade"
    FALSE_INVESTMENT_FINANCING = "false_investment_financing"
    UNDERGROUND_BANKING = "underground_banking"
    CROSS_BORDER_GAMBLING = "cross_border_gambling"
    EXPORT_TAX_REBATE_FRAUD = "export_tax_rebate_fraud"
    VIRTUAL_CURRENCY = "virtual_currency"
    OTHER = "other"

    @property
    def label(self) -> Label:
        return CATEGORY_LABELS[self]


class Channel(StrEnum):
    """How the money moved."""

    CROSS_BORDER_REMITTANCE = "cross_border_remittance"
    TRADE_SETTLEMENT = "trade_settlement"
    BANK_CARD = "bank_card"
    THIRD_PARTY_PAYMENT = "third_party_payment"
    CASH = "cash"
    VIRTUAL_ASSET = "virtual_asset"
    OTHER = "other"

    @property
    def label(self) -> Label:
        return CHANNEL_LABELS[self]


class IdType(StrEnum):
    """The identity document an individual subject's number belongs to."""

    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    OTHER = "other"

    @property
    def label(self) -> Label:
        return ID_TYPE_LABELS[self]


class LinkKind(StrEnum):
    """The crossfin records a report may point at."""

    FINANCING = "financing"
    PAYMENT = "payment"
    ALERT = "alert"

    @property
    def label(self) -> Label:
        return LINK_KIND_LABELS[self]


CATEGORY_LABELS = {
    Category.FALSE_TRADE: Label("Suspected false trade", "疑似虚假贸易"),
    Category.FALSE_INVESTMENT_FINANCING: Label("False investment or financing", "虚假投资或融资"),
    Category.UNDERGROUND_BANKING: Label("Underground banking", "地下钱庄"),
    Category.CROSS_BORDER_GAMBLING: Label("Cross-border gambling", "跨境赌博"),
    Category.EXPORT_TAX_REBATE_FRAUD: Label("Export-tax-rebate fraud", "骗取出口退税"),
    Category.VIRTUAL_CURRENCY: Label("Illegal virtual-currency flows", "虚拟货币非法跨境资金流动"),
    Category.OTHER: Label("Other", "其他"),
}

CHANNEL_LABELS = {
    Channel.CROSS_BORDER_REMITTANCE: Label("Cross-border remittance", "跨境汇款"),
    Channel.TRADE_SETTLEMENT: Label("Trade settlement", "贸易结算"),
    Channel.BANK_CARD: Label("Bank card", "银行卡"),
    Channel.THIRD_PARTY_PAYMENT: Label("Third-party payment", "第三方支付"),
    Channel.CASH: Label("Cash", "现金"),
    Channel.VIRTUAL_ASSET: Label("Virtual asset", "虚拟资产"),
    Channel.OTHER: Label("Other", "其他"),
}

ID_TYPE_LABELS = {
    IdType.RESIDENT_ID: Label("Resident identity card", "居民身份证"),
    IdType.PASSPORT: Label("Passport", "护照"),
    IdType.HK_MACAO_PERMIT: Label(
        "Mainland travel permit for Hong Kong and Macao residents", "港澳居民来往内地通行证"
    ),
    IdType.TAIWAN_PERMIT: Label(
        "Mainland travel permit for Taiwan residents", "台湾居民来往大陆通行证"
    ),
    IdType.FOREIGN_PERMANENT_RESIDENCE: Label(
        "Foreign permanent resident ID card", "外国人永久居留身份证"
    ),
    IdType.OTHER: Label("Other", "其他"),
}

LINK_KIND_LABELS = {
    LinkKind.FINANCING: Label("Financing", "融资"),
    LinkKind.PAYMENT: Label("Payment", "付款"),
    LinkKind.ALERT: Label("Alert", "预警"),
}

"""A deterministic demo population: organizations, their users and service accounts.

Plain frozen dataclasses only; loading them into a database is someone else's job. Every
call returns the same values (no randomness, no clock), so demos, screenshots and tests agree.

Conventions a reader of the demo needs:
- Banks and enterprises are fictional. Bank BICs use a location code whose second character
  is '0', which SWIFT reserves for test-and-training BICs, so they can never be a live bank's.
- Public bodies (SAFE branches, customs districts, tax bureaus) carry their real names and,
  for customs, their real 4-digit district codes.
- Every user's password is `demo-<username>` (see `demo_password`); never reuse these.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from crossfin.parties.identifiers import USCC_ALPHABET, make_uscc, org_code_with_check

OrgKindName = Literal[
    "enterprise",
    "bank",
    "regulator",
    "customs",
    "tax",
    "insurer",
    "logistics",
    "overseas_customs",
    "operator",
]
RoleName = Literal["admin", "operator", "approver", "auditor"]
TradeClassName = Literal["A", "B", "C"]
SizeName = Literal["micro", "small", "medium", "large"]
_Firm = tuple[str, str, str, str, str, TradeClassName]


@dataclass(frozen=True, slots=True)
class DemoOrg:
    """One organization. `jurisdictions`: an enterprise's county, a regulator's node, the
    nodes a bank serves, or another party's seat (possibly empty). `parent`: the key of a
    dispatched office's parent regulator, listed before it."""

    key: str
    kind: OrgKindName
    name: str
    name_zh: str
    uscc: str | None = None
    bic: str | None = None
    customs_code: str | None = None
    jurisdictions: tuple[str, ...] = ()
    trade_class: TradeClassName | None = None
    size: SizeName | None = None
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class DemoUser:
    org_key: str
    username: str
    role: RoleName
    password: str


@dataclass(frozen=True, slots=True)
class DemoService:
    """A service account (machine caller, API keys only, no password)."""

    org_key: str
    name: str
    role: RoleName


_OPERATOR = DemoOrg("operator", "operator", "crossfin platform operator", "跨境金融服务平台运营方")

# Two banks overlap in Shenzhen and Ningbo so the
# demo has firms with more than one bank, which cross-bank financing checks need.
_BANKS = (
    DemoOrg(
        "bank1",
        "bank",
        "Pearl River Commercial Bank, Shenzhen Branch",
        "珠江商业银行深圳分行",
        bic="PRCBCNG0SZN",
        jurisdictions=("440300",),
    ),
    DemoOrg(
        "bank2",
        "bank",
        "Pearl River Commercial Bank, Guangdong Branch",
        "珠江商业银行广东省分行",
        bic="PRCBCNG0GZH",
        jurisdictions=("440000",),
    ),
    DemoOrg(
        "bank3",
        "bank",
        "Qiantang Commerce Bank",
        "钱塘商业银行",
        bic="QTCBCNH0",
        jurisdictions=("330000",),
    ),
    DemoOrg(
        "bank4",
        "bank",
        "Ningbo Harbour Bank",
        "宁波港湾银行",
        bic="NBHBCNN0",
        jurisdictions=("330200",),
    ),
    DemoOrg(
        "bank5",
        "bank",
        "South Sea Trade Finance Bank",
        "南海贸易金融银行",
        bic="SSTFCNS0",
        jurisdictions=("440300", "440100", "330200"),
    ),
    # A branch of bank 5: it drafts FX risk reports, its head office files them.
    DemoOrg(
        "bank5-qh",
        "bank",
        "South Sea Trade Finance Bank, Shenzhen Qianhai Branch",
        "南海贸易金融银行深圳前海分行",
        bic="SSTFCNS0QHB",
        jurisdictions=("440300",),
        parent="bank5",
    ),
)

# The head office and every branch on the path from it to the firms' prefectures, and one
# dispatched office: Shenzhen's at Nanshan, which handles the Nanshan firms' business.
_REGULATORS = (
    DemoOrg(
        "safe-ho", "regulator", "SAFE Head Office", "国家外汇管理局", jurisdictions=("000000",)
    ),
    DemoOrg(
        "safe-gd",
        "regulator",
        "SAFE Guangdong Branch",
        "国家外汇管理局广东省分局",
        jurisdictions=("440000",),
    ),
    DemoOrg(
        "safe-zj",
        "regulator",
        "SAFE Zhejiang Branch",
        "国家外汇管理局浙江省分局",
        jurisdictions=("330000",),
    ),
    DemoOrg(
        "safe-sz",
        "regulator",
        "SAFE Shenzhen Branch",
        "国家外汇管理局深圳市分局",
        jurisdictions=("440300",),
    ),
    DemoOrg(
        "safe-gz",
        "regulator",
        "SAFE Guangzhou Branch",
        "国家外汇管理局广州市分局",
        jurisdictions=("440100",),
    ),
    DemoOrg(
        "safe-nb",
        "regulator",
        "SAFE Ningbo Branch",
        "国家外汇管理局宁波市分局",
        jurisdictions=("330200",),
    ),
    DemoOrg(
        "safe-hz",
        "regulator",
        "SAFE Hangzhou Branch",
        "国家外汇管理局杭州市分局",
        jurisdictions=("330100",),
    ),
    DemoOrg(
        "safe-nanshan",
        "regulator",
        "SAFE Shenzhen Nanshan Office",
        "国家外汇管理局深圳市分局南山派出机构",
        jurisdictions=("440305",),
        parent="safe-sz",
    ),
)

# Customs district codes (关区代码): 5300 Shenzhen, 5100 Guangzhou, 3100 Ningbo, 2900 Hangzhou.
_SOURCES = (
    DemoOrg(
        "customs-sz",
        "customs",
        "Shenzhen Customs",
        "深圳海关",
        customs_code="5300",
        jurisdictions=("440300",),
    ),
    DemoOrg(
        "customs-gz",
        "customs",
        "Guangzhou Customs",
        "广州海关",
        customs_code="5100",
        jurisdictions=("440100",),
    ),
    DemoOrg(
        "customs-nb",
        "customs",
        "Ningbo Customs",
        "宁波海关",
        customs_code="3100",
        jurisdictions=("330200",),
    ),
    DemoOrg(
        "customs-hz",
        "customs",
        "Hangzhou Customs",
        "杭州海关",
        customs_code="2900",
        jurisdictions=("330100",),
    ),
    DemoOrg(
        "tax-sz",
        "tax",
        "Shenzhen Municipal Tax Service, STA",
        "国家税务总局深圳市税务局",
        jurisdictions=("440300",),
    ),
    DemoOrg(
        "tax-nb",
        "tax",
        "Ningbo Municipal Tax Service, STA",
        "国家税务总局宁波市税务局",
        jurisdictions=("330200",),
    ),
    DemoOrg(
        "insurer",
        "insurer",
        "Silk Road Export Credit Insurance Corporation",
        "丝路出口信用保险公司",
        jurisdictions=("110102",),
    ),
    DemoOrg(
        "carrier",
        "logistics",
        "Blue Dragon Container Lines Co., Ltd.",
        "青龙集装箱航运有限公司",
        jurisdictions=("440308",),
    ),
    DemoOrg(
        "warehouse",
        "logistics",
        "Beilun Bonded Port Warehouse Co., Ltd.",
        "北仑保税港仓储有限公司",
        jurisdictions=("330206",),
    ),
    # P4's source of foreign customs declarations (a data provider, seated abroad).
    DemoOrg(
        "overseas-customs",
        "overseas_customs",
        "Harbour Gate Customs Data Exchange Pte. Ltd.",
        "港门海关数据交换有限公司",
    ),
)

# Trade lines: key -> (English, Chinese) as they appear in a company name.
_TRADES = {
    "electronics": ("Electronics", "电子"),
    "opto": ("Optoelectronics", "光电"),
    "supply": ("Supply Chain", "供应链"),
    "impexp": ("Import & Export", "进出口"),
    "appliances": ("Home Appliances", "家电"),
    "smart": ("Intelligent Technology", "智能科技"),
    "energy": ("New Energy", "新能源"),
    "toys": ("Toys", "玩具"),
    "lighting": ("Lighting", "照明"),
    "furniture": ("Furniture", "家具"),
    "autoparts": ("Auto Parts", "汽车零部件"),
    "biotech": ("Biotechnology", "生物科技"),
    "trading": ("Trading", "贸易"),
    "jewellery": ("Jewellery", "珠宝"),
    "garments": ("Garments", "服饰"),
    "food": ("Foodstuffs", "食品"),
    "textiles": ("Textiles", "纺织"),
    "it": ("Information Technology", "信息技术"),
    "cosmetics": ("Cosmetics", "化妆品"),
    "machinery": ("Machinery", "机械"),
    "leather": ("Leather Goods", "皮具"),
    "autotrade": ("Automobile Trading", "汽车贸易"),
    "agri": ("Agricultural Products", "农产品"),
    "stationery": ("Stationery", "文具"),
    "hometextiles": ("Home Textiles", "家纺"),
    "chemicals": ("Chemicals", "化工"),
    "moulds": ("Moulds", "模具"),
    "seafood": ("Aquatic Products", "水产"),
    "tools": ("Tools", "工具"),
    "optics": ("Optical Instruments", "光学仪器"),
    "tea": ("Tea", "茶业"),
    "digital": ("Digital Technology", "数字科技"),
    "ecommerce": ("E-commerce", "电子商务"),
    "paper": ("Paper", "纸业"),
    "biomed": ("Biomedicine", "生物医药"),
}

# Fictional firms: (key, brand, brand in Chinese, trade line, county, class). The trade lines
# follow each district's real industry mix (Luohu jewellery, Baiyun cosmetics, Cixi small
# appliances, Yuyao optics...) so the demo reads plausibly. Classes: mostly A, five B, three C.
_FIRMS: tuple[_Firm, ...] = (
    ("lotus", "Lotus", "莲花", "electronics", "440305", "A"),
    ("kapok", "Kapok", "木棉", "opto", "440305", "A"),
    ("seabreeze", "Sea Breeze", "海风", "supply", "440304", "A"),
    ("goldenbay", "Golden Bay", "金湾", "impexp", "440304", "B"),
    ("jadehill", "Jade Hill", "翠山", "appliances", "440306", "A"),
    ("swiftsail", "Swift Sail", "快帆", "smart", "440306", "A"),
    ("dawnpeak", "Dawn Peak", "曙峰", "energy", "440307", "A"),
    ("pinecrest", "Pine Crest", "松岭", "toys", "440307", "C"),
    ("beacon", "Beacon", "灯塔", "lighting", "440308", "A"),
    ("silverreed", "Silver Reed", "银苇", "supply", "440308", "A"),
    ("cloudbridge", "Cloud Bridge", "云桥", "electronics", "440309", "A"),
    ("greenbamboo", "Green Bamboo", "青竹", "furniture", "440309", "A"),
    ("coral", "Coral", "珊瑚", "opto", "440310", "A"),
    ("peakstone", "Peak Stone", "峰石", "autoparts", "440310", "B"),
    ("brightriver", "Bright River", "明川", "biotech", "440311", "A"),
    ("skylark", "Skylark", "云雀", "electronics", "440311", "A"),
    ("crimsonsail", "Crimson Sail", "赤帆", "trading", "440303", "A"),
    ("plumblossom", "Plum Blossom", "梅花", "jewellery", "440303", "A"),
    ("pearltower", "Pearl Tower", "珠塔", "garments", "440103", "A"),
    ("lycheegarden", "Lychee Garden", "荔园", "food", "440104", "A"),
    ("silklane", "Silk Lane", "丝巷", "textiles", "440105", "A"),
    ("starharbour", "Star Harbour", "星港", "it", "440106", "A"),
    ("whitecrane", "White Crane", "白鹤", "cosmetics", "440111", "A"),
    ("ironanchor", "Iron Anchor", "铁锚", "machinery", "440112", "A"),
    ("jaderibbon", "Jade Ribbon", "玉带", "jewellery", "440113", "A"),
    ("swallow", "Swallow", "燕子", "leather", "440114", "A"),
    ("tidegate", "Tide Gate", "潮门", "supply", "440115", "A"),
    ("southpier", "South Pier", "南埠", "autotrade", "440115", "B"),
    ("greenridge", "Green Ridge", "绿岭", "agri", "440117", "A"),
    ("indigo", "Indigo", "靛蓝", "garments", "440118", "C"),
    ("moonlake", "Moon Lake", "月湖", "stationery", "330203", "A"),
    ("threerivers", "Three Rivers", "三江", "hometextiles", "330205", "A"),
    ("blueharbour", "Blue Harbour", "蓝港", "chemicals", "330206", "A"),
    ("ironwood", "Ironwood", "铁木", "moulds", "330206", "A"),
    ("oceancrest", "Ocean Crest", "浪峰", "chemicals", "330211", "B"),
    ("redmaple", "Red Maple", "红枫", "garments", "330212", "A"),
    ("jadepeach", "Jade Peach", "玉桃", "food", "330213", "A"),
    ("seashell", "Sea Shell", "海贝", "seafood", "330225", "A"),
    ("mountainmist", "Mountain Mist", "云雾", "tools", "330226", "A"),
    ("clearlens", "Clear Lens", "明镜", "optics", "330281", "A"),
    ("breezefan", "Breeze Fan", "清风", "appliances", "330282", "A"),
    ("willowbank", "Willow Bank", "柳岸", "tea", "330102", "A"),
    ("canalsail", "Canal Sail", "运帆", "trading", "330105", "A"),
    ("plumrain", "Plum Rain", "梅雨", "digital", "330106", "A"),
    ("brighttide", "Bright Tide", "明潮", "electronics", "330108", "A"),
    ("flyingkite", "Flying Kite", "飞鸢", "autoparts", "330109", "B"),
    ("jadecong", "Jade Cong", "玉琮", "ecommerce", "330110", "A"),
    ("springriver", "Spring River", "春江", "paper", "330111", "A"),
    ("silkmoth", "Silk Moth", "桑蚕", "textiles", "330113", "C"),
    ("tidalbore", "Tidal Bore", "潮涌", "biomed", "330114", "A"),
)

_CITY = {
    "4403": ("Shenzhen", "深圳市"),
    "4401": ("Guangzhou", "广州市"),
    "3302": ("Ningbo", "宁波市"),
    "3301": ("Hangzhou", "杭州市"),
}


def _digest(key: str) -> bytes:
    # sha256 rather than hash(): Python salts str hashes per process, we need stable output.
    return hashlib.sha256(f"crossfin-demo:{key}".encode()).digest()


def _org_code_body(index: int, key: str) -> str:
    """Eight characters: plain digits for older firms, 'MA'-prefixed like codes issued since
    the 2015 reform for the others (two in three), both derived from the key."""
    digest = _digest(key)
    if index % 3 == 0:
        return "".join(str(b % 10) for b in digest[:8])
    return "MA" + "".join(USCC_ALPHABET[b % len(USCC_ALPHABET)] for b in digest[:6])


def _enterprise(index: int, firm: _Firm) -> DemoOrg:
    """Build firm number `index` of `_FIRMS`; its USCC is registered in its own county."""
    key, brand_en, brand_zh, trade, county, trade_class = firm
    city_en, city_zh = _CITY[county[:4]]
    trade_en, trade_zh = _TRADES[trade]
    org_code = org_code_with_check(_org_code_body(index, key))
    # 9 = registered with market regulation, 1 = company (GB 32100-2015).
    uscc = make_uscc("9", "1", county, org_code)
    return DemoOrg(
        key=key,
        kind="enterprise",
        name=f"{city_en} {brand_en} {trade_en} Co., Ltd.",
        name_zh=f"{city_zh}{brand_zh}{trade_zh}有限公司",
        uscc=uscc,
        jurisdictions=(county,),
        trade_class=trade_class,
        size=_size(key),
    )


# Most of the platform's exporters are small or micro firms (the SME share of the figures).
_SIZES: tuple[SizeName, ...] = ("micro",) * 4 + ("small",) * 4 + ("medium", "large")


def _size(key: str) -> SizeName:
    """A firm's size, derived from its key: four in five small or micro."""
    return _SIZES[_digest(key)[8] % len(_SIZES)]


@lru_cache(maxsize=1)
def _orgs() -> tuple[DemoOrg, ...]:
    firms = tuple(_enterprise(i, firm) for i, firm in enumerate(_FIRMS))
    return (_OPERATOR, *_BANKS, *_REGULATORS, *_SOURCES, *firms)


def demo_orgs() -> list[DemoOrg]:
    """Every demo organization: operator, banks, regulators, data sources, enterprises."""
    return list(_orgs())


def demo_password(username: str) -> str:
    """The documented demo password of `username`."""
    return f"demo-{username}"


def _user(org_key: str, suffix: str, role: RoleName) -> DemoUser:
    username = f"{org_key}.{suffix}"
    return DemoUser(org_key, username, role, demo_password(username))


# Extra people per kind beyond the admin every organization gets: banks split entry from
# approval (maker-checker), regulators have a read-mostly analyst, firms a clerk who files.
_EXTRA_USERS: dict[str, tuple[tuple[str, RoleName], ...]] = {
    "bank": (("operator", "operator"), ("approver", "approver")),
    "regulator": (("analyst", "auditor"),),
    "enterprise": (("clerk", "operator"),),
    "customs": (("officer", "operator"),),
    "tax": (("officer", "operator"),),
    "insurer": (("underwriter", "operator"),),
    "logistics": (("clerk", "operator"),),
    "overseas_customs": (("clerk", "operator"),),
    "operator": (("support", "operator"),),
}


def demo_users() -> list[DemoUser]:
    """Users of every demo organization; usernames are `<org key>.<function>`, unique."""
    users: list[DemoUser] = []
    for org in _orgs():
        users.append(_user(org.key, "admin", "admin"))
        users.extend(_user(org.key, suffix, role) for suffix, role in _EXTRA_USERS[org.kind])
    return users


def demo_services() -> list[DemoService]:
    """Service accounts: each bank's loan system and each data source's feed."""
    services = [DemoService(bank.key, "loan-system", "operator") for bank in _BANKS]
    services.extend(DemoService(src.key, f"{src.kind}-feed", "operator") for src in _SOURCES)
    return services

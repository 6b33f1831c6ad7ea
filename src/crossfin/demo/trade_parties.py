"""The demo's counterparties and places: overseas buyers, suppliers and payees, domestic
sellers, ports and goods. Companies are fictional; UN/LOCODEs and district codes are real."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from crossfin.parties.identifiers import USCC_ALPHABET, make_uscc, org_code_with_check


class Buyer(NamedTuple):
    """An overseas trading partner: the currency it pays in and its port of discharge."""

    name: str
    country: str
    currency: str
    port: str


BUYERS = (
    Buyer("Harborline Imports Inc.", "US", "USD", "USLAX"),
    Buyer("Great Lakes Home Goods LLC", "US", "USD", "USNYC"),
    Buyer("Sunbelt Retail Supply Corp.", "US", "USD", "USHOU"),
    Buyer("Maple Leaf Distribution Ltd.", "CA", "USD", "CAVAN"),
    Buyer("Comercializadora Pacífico S.A. de C.V.", "MX", "USD", "MXZLO"),
    Buyer("Atlântico Importadora Ltda.", "BR", "USD", "BRSSZ"),
    Buyer("Andes Comercial SpA", "CL", "USD", "CLSAI"),
    Buyer("Hanseatic Import GmbH", "DE", "EUR", "DEHAM"),
    Buyer("Rheinland Technik Handel GmbH", "DE", "EUR", "DEHAM"),
    Buyer("Van der Meer Trading B.V.", "NL", "EUR", "NLRTM"),
    Buyer("Scheldt Distribution NV", "BE", "EUR", "BEANR"),
    Buyer("Maison Lumière SARL", "FR", "EUR", "FRLEH"),
    Buyer("Adriatica Forniture S.r.l.", "IT", "EUR", "ITGOA"),
    Buyer("Iberia Hogar S.L.", "ES", "EUR", "ESVLC"),
    Buyer("Baltic Gate Sp. z o.o.", "PL", "EUR", "PLGDN"),
    Buyer("Thames Wholesale Ltd.", "GB", "USD", "GBFXT"),
    Buyer("Gulf Horizon General Trading LLC", "AE", "USD", "AEJEA"),
    Buyer("Red Sea Supplies Co.", "SA", "USD", "SAJED"),
    Buyer("Deccan Industrial Traders Pvt. Ltd.", "IN", "USD", "INNSA"),
    Buyer("Straits Merchandise Pte. Ltd.", "SG", "USD", "SGSIN"),
    Buyer("Selat Melaka Trading Sdn. Bhd.", "MY", "USD", "MYPKG"),
    Buyer("Saigon Bright Trading Co., Ltd.", "VN", "USD", "VNSGN"),
    Buyer("Chao Phraya Supply Co., Ltd.", "TH", "USD", "THLCH"),
    Buyer("Kansai Trading K.K.", "JP", "USD", "JPOSA"),
    Buyer("Hanbit Commerce Co., Ltd.", "KR", "USD", "KRPUS"),
    Buyer("Southern Cross Merchants Pty Ltd", "AU", "USD", "AUSYD"),
    Buyer("Cape Meridian Trading (Pty) Ltd", "ZA", "USD", "ZADUR"),
    # Cross-border renminbi settlement is common with Hong Kong and Singapore houses.
    Buyer("Victoria Harbour Sourcing Ltd.", "HK", "CNY", "HKHKG"),
    Buyer("Lion City Renminbi Trading Pte. Ltd.", "SG", "CNY", "SGSIN"),
)

# Imports: (importing demo firm, its overseas supplier), one declaration each.
SUPPLIERS = (
    ("lotus", Buyer("Han River Semiconductor Co., Ltd.", "KR", "USD", "CNYTN")),
    ("skylark", Buyer("Han River Semiconductor Co., Ltd.", "KR", "USD", "CNYTN")),
    ("cloudbridge", Buyer("Tokai Precision Components K.K.", "JP", "USD", "CNYTN")),
    ("kapok", Buyer("Tokai Precision Components K.K.", "JP", "USD", "CNYTN")),
    ("southpier", Buyer("Bavaria Motoren Export GmbH", "DE", "EUR", "CNNSA")),
    ("brightriver", Buyer("Alpine Biolab AG", "CH", "EUR", "CNYTN")),
    ("tidalbore", Buyer("Alpine Biolab AG", "CH", "EUR", "CNNGB")),
    ("greenridge", Buyer("Pampas Agro S.A.", "AR", "USD", "CNNSA")),
    ("springriver", Buyer("Cascade Pulp Inc.", "US", "USD", "CNNGB")),
    ("blueharbour", Buyer("Arabian Gulf Petrochemicals Co.", "SA", "USD", "CNNGB")),
    ("jadepeach", Buyer("Canterbury Dairy Exports Ltd.", "NZ", "USD", "CNNGB")),
    ("plumrain", Buyer("Tokai Precision Components K.K.", "JP", "USD", "CNNGB")),
)

# City (first four digits of a county code) -> (customs source, customs district code).
DISTRICT_OF_CITY = {
    "4403": ("customs-sz", "5300"),
    "4401": ("customs-gz", "5100"),
    "3302": ("customs-nb", "3100"),
    "3301": ("customs-hz", "2900"),
}
# Where each city's containers are loaded: Yantian, Nansha, and Ningbo (Hangzhou too).
PORT_OF_CITY = {"4403": "CNYTN", "4401": "CNNSA", "3302": "CNNGB", "3301": "CNNGB"}
# Other carriers' B/L prefixes, for declarations shipped outside the demo carrier.
CARRIER_PREFIXES = ("COSU", "OOLU", "MEDU", "EGLV", "ONEY", "HLCU")

# Service-trade payees: (name, country, currency, item type).
PAYEES = (
    ("Nordic Freight Partners AB", "SE", "EUR", "transport"),
    ("Pacific Design Studio LLC", "US", "USD", "technical service"),
    ("Rhine Engineering Consult GmbH", "DE", "EUR", "technical service"),
    ("Kyoto Patent Licensing K.K.", "JP", "USD", "royalties"),
    ("Marina Bay Software Pte. Ltd.", "SG", "USD", "software licence"),
    ("London Market Research Ltd.", "GB", "USD", "consulting"),
    ("Harbour Quality Inspection Ltd.", "HK", "USD", "inspection"),
)

# Trade line as in a firm's English name -> (goods, unit, fewest, most, yuan per unit).
WAREHOUSE_GOODS = {
    "Chemicals": ("Polypropylene resin, injection grade", "t", 20, 120, 7_800),
    "Garments": ("Cotton knitted garments", "carton", 200, 900, 1_450),
    "Stationery": ("Gel ink pens", "carton", 300, 1_500, 620),
    "Home Textiles": ("Polyester bed linen sets", "carton", 150, 700, 1_900),
    "Moulds": ("Steel injection moulds", "set", 4, 20, 68_000),
    "Aquatic Products": ("Frozen hairtail", "t", 10, 60, 26_000),
    "Tools": ("Hand tool sets", "carton", 200, 1_200, 380),
    "Optical Instruments": ("Optical lens blanks", "carton", 50, 300, 5_200),
    "Home Appliances": ("Electric fans", "unit", 1_000, 5_000, 95),
    "Foodstuffs": ("Canned mandarin oranges", "carton", 800, 3_000, 110),
    "Tea": ("Longjing green tea", "kg", 500, 3_000, 680),
    "Paper": ("Kraft liner board", "t", 30, 200, 4_300),
    "Textiles": ("Silk fabric", "roll", 100, 600, 2_400),
}

# Domestic sellers of VAT invoices sit in these counties (Nanshan, Shenzhen; Beilun, Ningbo).
_SELLER_COUNTY = {"4403": "440305", "3302": "330206"}


def seller_uscc(city: str, category: str, n: int) -> str:
    """The USCC of fictional seller `n` of `category` (freight forwarder, supplier...)."""
    digest = hashlib.sha256(f"crossfin-demo:seller:{city}:{category}:{n}".encode()).digest()
    body = "MA" + "".join(USCC_ALPHABET[b % len(USCC_ALPHABET)] for b in digest[:6])
    return make_uscc("9", "1", _SELLER_COUNTY[city], org_code_with_check(body))

"""The shipped GB/T 2260 table: every division of the edition, a consistent tree, history."""

from __future__ import annotations

from collections import Counter

from crossfin.parties.identifiers import division_level, division_parent, validate_division_code
from crossfin.parties.jurisdiction_data import ROOT_CODE, Division, load_divisions

MAINLAND_PROVINCES = {
    "110000",
    "120000",
    "130000",
    "140000",
    "150000",
    "210000",
    "220000",
    "230000",
    "310000",
    "320000",
    "330000",
    "340000",
    "350000",
    "360000",
    "370000",
    "410000",
    "420000",
    "430000",
    "440000",
    "450000",
    "460000",
    "500000",
    "510000",
    "520000",
    "530000",
    "540000",
    "610000",
    "620000",
    "630000",
    "640000",
    "650000",
}


def _by_code() -> dict[str, Division]:
    return {d.code: d for d in load_divisions()}


def test_all_31_provinces_and_nothing_else_at_the_top() -> None:
    provinces = {d.code for d in load_divisions() if d.level == "province"}
    assert not [d for d in load_divisions() if d.code[:2] in ("71", "81", "82")]
    assert provinces == MAINLAND_PROVINCES
    assert all(d.parent is None for d in load_divisions() if d.level == "province")


def test_codes_unique_and_valid() -> None:
    codes = [d.code for d in load_divisions()]
    assert not [c for c, n in Counter(codes).items() if n > 1]
    assert all(validate_division_code(c) == c for c in codes)


def test_root_is_not_in_the_file() -> None:
    assert ROOT_CODE not in _by_code()


def test_every_parent_exists_and_levels_follow_codes() -> None:
    by_code = _by_code()
    for div in by_code.values():
        assert div.level == division_level(div.code), div
        assert div.parent == division_parent(div.code), div
        if div.parent is not None:
            assert div.parent in by_code, div


def test_parents_precede_children() -> None:
    # Loaders insert in file order; a child before its parent would break foreign keys.
    seen: set[str] = set()
    for div in load_divisions():
        assert div.parent is None or div.parent in seen, div
        seen.add(div.code)


def test_nanshan_path() -> None:
    by_code = _by_code()
    assert (by_code["440305"].name_en, by_code["440305"].parent) == ("Nanshan District", "440300")
    assert (by_code["440300"].name_zh, by_code["440300"].parent) == ("深圳市", "440000")
    assert by_code["440000"].name_zh == "广东省"


def test_shenzhen_has_all_nine_districts() -> None:
    districts = {d.code for d in load_divisions() if d.parent == "440300"}
    assert districts == {f"4403{n:02d}" for n in range(3, 12)}


def test_every_guangdong_and_zhejiang_prefecture() -> None:
    prefectures = {d.code for d in load_divisions() if d.level == "prefecture"}
    guangdong = {
        "4401",
        "4402",
        "4403",
        "4404",
        "4405",
        "4406",
        "4407",
        "4408",
        "4409",
        "4412",
        "4413",
        "4414",
        "4415",
        "4416",
        "4417",
        "4418",
        "4419",
        "4420",
        "4451",
        "4452",
        "4453",
    }
    zhejiang = {f"33{n:02d}" for n in range(1, 12)}
    assert {p + "00" for p in guangdong | zhejiang} <= prefectures


def test_municipalities_use_the_virtual_district_level() -> None:
    by_code = _by_code()
    for municipal in ("110100", "120100", "310100", "500100"):
        assert by_code[municipal].level == "prefecture"
    assert by_code["110101"].parent == "110100"


def _active() -> list[Division]:
    return [d for d in load_divisions() if d.retired is None]


def test_names_present_and_the_whole_edition() -> None:
    # The 2023 edition: 31 provinces, 333 prefecture-level units plus the 5 pseudo-
    # prefectures of the municipalities and the 4 of province-administered counties,
    # 2,845 county-level divisions (statistics-only development zones left out).
    divisions = _active()
    assert all(d.name_zh and d.name_en for d in load_divisions())
    levels = Counter(d.level for d in divisions)
    assert levels == {"province": 31, "prefecture": 342, "county": 2845}


def test_curated_english_names_kept_and_the_rest_romanized() -> None:
    by_code = _by_code()
    assert by_code["330203"].name_en == "Haishu District"  # curated in the sample
    assert by_code["522700"].name_en == "Qiannan Bouyei and Miao Autonomous Prefecture"
    assert by_code["152900"].name_en == "Alashan League"
    assert by_code["350605"].name_en == "Changtai District"  # 长, read as a place name


def test_no_county_cities_and_province_administered_counties() -> None:
    by_code = _by_code()
    active = _active()
    for city in ("441900", "442000", "460400", "620200"):  # 东莞, 中山, 儋州, 嘉峪关
        assert by_code[city].level == "prefecture"
        assert not [d for d in active if d.parent == city]
    assert by_code["429004"].parent == "429000"  # 仙桃, under Hubei's pseudo-prefecture
    assert by_code["469001"].parent == "469000"  # 五指山, Hainan
    assert by_code["500229"].parent == "500200"  # 城口县 under Chongqing's 县


def test_statistics_only_units_are_left_out() -> None:
    by_code = _by_code()
    assert "130171" not in by_code  # 石家庄高新技术产业开发区 (NBS only)
    assert "232761" not in by_code  # 加格达奇区 (NBS only)
    assert not [c for c in by_code if 71 <= int(c[4:]) <= 79 and not c.endswith("00")]


def test_retired_divisions_name_an_active_successor_nearby() -> None:
    by_code = _by_code()
    retired = [d for d in load_divisions() if d.retired is not None]
    assert len(retired) == 20
    for div in retired:
        assert div.successor is not None, div
        successor = by_code[div.successor]
        assert successor.retired is None and successor.parent == div.parent, div
    # Hangzhou 2021: 下城区 merged into 拱墅区; Sanming: 梅列区 and 三元区 into a new 三元区.
    assert (by_code["330103"].name_zh, by_code["330103"].successor) == ("下城区", "330105")
    assert by_code["350402"].successor == by_code["350403"].successor == "350404"


def test_load_returns_independent_lists() -> None:
    first = load_divisions()
    first.clear()
    assert load_divisions()

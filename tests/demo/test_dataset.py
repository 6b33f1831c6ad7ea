"""The demo population: valid identifiers, consistent places, unique logins, stable output."""

from __future__ import annotations

from collections import Counter

from crossfin.demo.dataset import DemoOrg, demo_orgs, demo_password, demo_services, demo_users
from crossfin.parties.identifiers import validate_bic, validate_customs_code, validate_uscc
from crossfin.parties.jurisdiction_data import ROOT_CODE, load_divisions

KINDS = {
    "enterprise",
    "bank",
    "regulator",
    "customs",
    "tax",
    "insurer",
    "logistics",
    "overseas_customs",
    "operator",
}
ROLES = {"admin", "operator", "approver", "auditor"}


def _known_codes() -> set[str]:
    return {d.code for d in load_divisions()} | {ROOT_CODE}


def _of_kind(kind: str) -> list[DemoOrg]:
    return [o for o in demo_orgs() if o.kind == kind]


def test_every_kind_present_and_keys_unique() -> None:
    orgs = demo_orgs()
    assert {o.kind for o in orgs} == KINDS
    assert len({o.key for o in orgs}) == len(orgs)
    assert len(_of_kind("operator")) == 1


def test_identifiers_valid_and_unique() -> None:
    orgs = demo_orgs()
    usccs = [o.uscc for o in orgs if o.uscc]
    bics = [o.bic for o in orgs if o.bic]
    assert all(validate_uscc(u) == u for u in usccs)
    assert all(validate_bic(b) == b and b[4:6] == "CN" for b in bics)
    assert len(set(usccs)) == len(usccs) and len(set(bics)) == len(bics)
    assert all(validate_customs_code(c.customs_code or "") for c in _of_kind("customs"))


def test_about_fifty_enterprises_in_known_counties() -> None:
    firms = _of_kind("enterprise")
    assert 45 <= len(firms) <= 55
    counties = {d.code for d in load_divisions() if d.level == "county"}
    for firm in firms:
        assert len(firm.jurisdictions) == 1 and firm.jurisdictions[0] in counties, firm
        # The USCC's region part is the county the firm sits in.
        assert firm.uscc is not None and firm.uscc[2:8] == firm.jurisdictions[0]
        assert firm.trade_class in {"A", "B", "C"}


def test_classes_mostly_a() -> None:
    classes = Counter(f.trade_class for f in _of_kind("enterprise"))
    assert classes["A"] > 0.75 * sum(classes.values())
    assert classes["B"] > 0 and classes["C"] > 0


def test_all_jurisdictions_known() -> None:
    known = _known_codes()
    for org in demo_orgs():
        assert set(org.jurisdictions) <= known, org


def test_regulators_cover_every_firm_prefecture_and_province() -> None:
    regulated = {code for r in _of_kind("regulator") for code in r.jurisdictions}
    assert ROOT_CODE in regulated
    for firm in _of_kind("enterprise"):
        county = firm.jurisdictions[0]
        assert {county[:4] + "00", county[:2] + "0000"} <= regulated, firm


def test_banks_serve_places() -> None:
    banks = _of_kind("bank")
    assert 4 <= len(banks) <= 6
    assert all(b.bic and b.jurisdictions for b in banks)


def test_usernames_unique_and_roles_known() -> None:
    users = demo_users()
    names = [u.username for u in users]
    assert len(set(names)) == len(names)
    assert all(u.role in ROLES for u in users)
    assert all(u.password == demo_password(u.username) and len(u.password) >= 10 for u in users)


def test_every_org_has_an_admin_and_banks_have_maker_checker() -> None:
    roles: dict[str, set[str]] = {}
    for user in demo_users():
        roles.setdefault(user.org_key, set()).add(user.role)
    assert all("admin" in roles[o.key] for o in demo_orgs())
    assert all({"operator", "approver"} <= roles[b.key] for b in _of_kind("bank"))
    assert all("auditor" in roles[r.key] for r in _of_kind("regulator"))


def test_banks_have_a_loan_system() -> None:
    services = {(s.org_key, s.name) for s in demo_services()}
    assert all((b.key, "loan-system") in services for b in _of_kind("bank"))
    org_keys = {o.key for o in demo_orgs()}
    assert all(s.org_key in org_keys for s in demo_services())


def test_deterministic_across_calls() -> None:
    assert demo_orgs() == demo_orgs()
    assert demo_users() == demo_users()
    assert demo_services() == demo_services()


def test_identifiers_pinned() -> None:
    # Golden values: a change here means every demo screenshot and script changes too, and
    # proves the codes do not depend on per-process state such as str hash salting.
    by_key = {o.key: o for o in demo_orgs()}
    assert by_key["lotus"].uscc == "91440305277731711K"
    assert by_key["kapok"].uscc == "91440305MAWHCEE70U"
    assert by_key["bank1"].bic == "PRCBCNG0SZN"


def test_dispatched_offices_sit_at_a_county_of_their_parents_subtree() -> None:
    regulators = _of_kind("regulator")
    offices = [r for r in regulators if r.parent]
    assert offices, "the demo shows one dispatched office"
    counties = {d.code for d in load_divisions() if d.level == "county" and not d.retired}
    for office in offices:
        parent = next(r for r in regulators if r.key == office.parent)
        # The parent comes first (the loader resolves it), and holds the county.
        assert regulators.index(parent) < regulators.index(office)
        [county], [above] = office.jurisdictions, parent.jurisdictions
        assert county in counties and county.startswith(above.rstrip("0")[:4]), office
    seats = [r.jurisdictions[0] for r in regulators if not r.parent]
    assert all(code not in counties for code in seats)

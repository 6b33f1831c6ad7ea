"""Portal pages of classes: the regulator lists, classifies and imports; the enterprise
sees its class and history; everyone else is kept out."""

from __future__ import annotations

from datetime import timedelta

from crossfin.parties.classes.history import history_of
from crossfin.parties.models import OrgKind, Role
from support.classes import TODAY
from support.parties import make_party
from support.payments import make_forwarders
from support.web import add_user, csrf_from, login


def as_user(client, db, org_id, role):  # type: ignore[no-untyped-def]
    name = add_user(db, org_id, role)
    assert login(client, name).status_code == 303
    return csrf_from(client.get("/").text)


def test_regulator_classifies_from_the_portal(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    far = make_forwarders(db, banks=0, county="310115")
    token = as_user(client, db, fw.regulator.org_id, Role.OPERATOR)
    listed = client.get("/classes")
    assert listed.status_code == 200
    assert f'data-test="enterprise-{fw.uscc}"' in listed.text
    assert far.uscc not in listed.text  # another province's firm
    assert fw.uscc in client.get(f"/classes?q={fw.uscc}").text
    page = client.get(f"/classes/{fw.payer.org_id}")
    assert 'data-test="classify-form"' in page.text
    form = {
        "csrf_token": token,
        "trade_class": "B",
        "reason": "late receipts",
        "effective_from": str(TODAY - timedelta(days=1)),
        "period": "2025",
    }
    done = client.post(f"/classes/{fw.payer.org_id}", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    page = client.get(f"/classes/{fw.payer.org_id}").text
    assert page.count('data-test="history-row"') == 2 and "late receipts" in page
    bad = client.post(f"/classes/{fw.payer.org_id}", data=form | {"effective_from": "2001-01-01"})
    assert bad.status_code == 422 and "effective_from" in bad.text
    assert client.post(f"/classes/{far.payer.org_id}", data=form).status_code == 404
    assert (
        client.post(f"/classes/{fw.payer.org_id}", data=form | {"csrf_token": ""}).status_code
        == 403
    )
    with db.session(readonly=True) as session:
        assert [r.trade_class for r in history_of(session, fw.payer.org_id)] == ["B", "A"]


def test_regulator_imports_from_the_portal(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=0)
    token = as_user(client, db, fw.regulator.org_id, Role.ADMIN)
    assert 'data-test="import-form"' in client.get("/classes/import").text
    body = f"uscc,class,reason\n{fw.uscc},C,serious\n{fw.uscc},A,twice\n".encode()
    res = client.post(
        "/classes/import", data={"csrf_token": token}, files={"file": ("r.csv", body, "text/csv")}
    )
    assert res.status_code == 200, res.text
    assert 'data-outcome="applied"' in res.text and 'data-outcome="rejected"' in res.text
    link = res.text.split('href="/classes/imports/', 1)[1].split('"', 1)[0]
    report = client.get(f"/classes/imports/{link}")
    assert report.status_code == 200 and report.text.startswith("row,uscc,class")
    again = client.post(
        "/classes/import", data={"csrf_token": token}, files={"file": ("r.csv", body, "text/csv")}
    )
    assert 'data-test="replayed"' in again.text
    broken = client.post(
        "/classes/import",
        data={"csrf_token": token},
        files={"file": ("r.csv", b"uscc\n", "text/csv")},
    )
    assert broken.status_code == 422 and "lacks" in broken.text


def test_enterprise_sees_its_own_class_only(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    other = make_forwarders(db, banks=0)
    as_user(client, db, fw.payer.org_id, Role.ADMIN)
    own = client.get("/classes", follow_redirects=True)
    assert own.status_code == 200 and 'data-test="history"' in own.text
    assert 'data-test="classify-form"' not in own.text
    assert client.get(f"/classes/{other.payer.org_id}").status_code == 404
    assert client.get("/classes/import").status_code == 403


def test_banks_auditors_and_chinese(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    as_user(client, db, fw.banks[0].org_id, Role.ADMIN)
    assert client.get("/classes").status_code == 403
    assert client.get(f"/classes/{fw.payer.org_id}").status_code == 404
    client.cookies.clear()
    auditor = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="440000")
    as_user(client, db, auditor.org_id, Role.AUDITOR)
    page = client.get(f"/classes/{fw.payer.org_id}")
    assert page.status_code == 200 and 'data-test="classify-form"' not in page.text
    client.cookies.set("lang", "zh")
    page = client.get(f"/classes/{fw.payer.org_id}", headers={"Accept-Language": "zh-CN"})
    assert "历史" in page.text

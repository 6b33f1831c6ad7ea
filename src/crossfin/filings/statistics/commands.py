"""`crossfin filings submit FILE --form CODE --period P` (a filer's bulk upload over HTTP
with its API key, like `crossfin payments apply`) and `crossfin filings remind` (the
deadline reminders, on the operator's machine, for cron)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from crossfin.ledger.cli import DEFAULT_SERVER, KeyOpt, ServerOpt, emit, fail, unit_of_work

EDITABLE = ("drafted", "returned")


def remind(
    today: Annotated[
        str | None, typer.Option("--today", help="The business date (YYYY-MM-DD); default today.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Notify the filers that have not submitted a statistics period due in 3 or 1 working
    days (portal and e-mail); never twice for one filer, form, period and threshold."""
    from crossfin.core.clock import business_date
    from crossfin.filings.statistics.reminders import send_reminders

    try:
        day = date.fromisoformat(today) if today else business_date()
    except ValueError:
        fail("--today: a date YYYY-MM-DD")
        return
    with unit_of_work() as uow:
        sent = send_reminders(uow.session, day)
        uow.commit()
    rows = [
        {"org_id": r.org_id, "form": r.form, "period": r.period, "due": str(r.due), "days": r.days}
        for r in sent
    ]
    human = "\n".join(f"org {r['org_id']}: {r['form']} {r['period']} due {r['due']}" for r in rows)
    emit({"today": str(day), "sent": rows}, as_json, human or "no reminder due")


def submit(
    file: Annotated[Path, typer.Argument(help="The filled template: a .csv or .xlsx file.")],
    form: Annotated[str, typer.Option("--form", help="The form's code, e.g. EFAL-M.")],
    period: Annotated[str, typer.Option("--period", help="2026-10 or 2026-Q3.")],
    server: ServerOpt = DEFAULT_SERVER,
    api_key: KeyOpt = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the per-cell report (CSV) here.")
    ] = None,
    explanations: Annotated[
        Path | None, typer.Option("--explanations", help="JSON {cell: text} for warnings.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check FILE locally (with a progress bar), upload it as the period's draft (or as a
    correction of the open one), and submit it. Exit 1 while an error remains."""
    if not api_key:
        fail("give --api-key or set CROSSFIN_API_KEY")
    if not file.exists():
        fail(f"no such file: {file}")
    fmt = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
    data = file.read_bytes()
    notes = json.loads(explanations.read_text(encoding="utf-8")) if explanations else {}
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=300) as client:
        _precheck(client, form, data, fmt)
        answer = _upload(client, form, period, file.name, data, fmt)
        filing = answer["filing"]
        outcome = _submit(client, filing, answer, notes)
        if report is not None:
            got = client.get(f"/v1/filings/{filing['id']}/report.csv")
            report.write_bytes(got.content)
    issues = answer["issues"]
    lines = [f"{i['severity']:7} {i['rule']:14} {i['location']}: {i['message_en']}" for i in issues]
    counts = f"{answer['errors']} error(s), {answer['warnings']} warning(s)"
    lines.append(f"{filing['reference']}: {outcome}, {counts}")
    summary = {
        "filing": filing["id"],
        "reference": filing["reference"],
        "outcome": outcome,
        "issues": issues,
        "continuity": answer["continuity"],
    }
    emit(summary, as_json, "\n".join(lines))
    if outcome != "submitted":
        raise typer.Exit(1)


def _precheck(client: httpx.Client, code: str, data: bytes, fmt: str) -> None:
    """Read the file with the server's template before sending it: the progress bar for a
    big file, and its parse issues without a round trip."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from crossfin.filings.forms import FormDefinition
    from crossfin.filings.forms.sheets import read_upload

    got = client.get(f"/v1/filing-forms/{code}")
    if got.status_code != 200:
        fail(f"no form {code} on the server ({got.status_code})")
    template = FormDefinition.model_validate(got.json()[-1]["definition"])
    columns = (TextColumn("rows read"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("read", total=None)
        _, issues = read_upload(
            template, data, fmt,  # type: ignore[arg-type]
            lambda done, total: progress.update(task, completed=done, total=total),
        )  # fmt: skip
    if issues:
        for i in issues:
            typer.echo(f"error   {i.rule:14} {i.where()}: {i.message_en}", err=True)
        fail(f"{len(issues)} cell(s) of the file cannot be read; nothing was sent")


def _open_filing(client: httpx.Client, form: str, period: str) -> dict[str, Any] | None:
    page = _ok(client.get("/v1/filings", params={"form": form, "limit": 500}))
    found = [f for f in page["items"] if f["period"] == period and f["state"] in EDITABLE]
    return found[-1] if found else None


def _upload(
    client: httpx.Client, form: str, period: str, name: str, data: bytes, fmt: str
) -> dict[str, Any]:
    files = {"file": (name, data)}
    current = _open_filing(client, form, period)
    if current is None:
        params = {"form": form, "period": period, "format": fmt}
        return _ok(client.post("/v1/statistics/uploads", params=params, files=files))
    url = f"/v1/filings/{current['id']}/upload"
    return _ok(client.post(url, params={"format": fmt}, files=files))


def _submit(
    client: httpx.Client, filing: dict[str, Any], answer: dict[str, Any], notes: dict[str, str]
) -> str:
    if answer["errors"]:
        return "not submitted"
    action = "resubmit" if filing["state"] == "returned" else "submit"
    got = client.post(f"/v1/filings/{filing['id']}/{action}", json={"explanations": notes})
    if got.status_code == 422:
        return "not submitted (unexplained warnings)"
    _ok(got)
    return "submitted"


def _ok(got: httpx.Response) -> dict[str, Any]:
    if got.status_code >= 400:
        try:
            problem = got.json()
        except ValueError:
            fail(f"HTTP {got.status_code}")
        for i in problem.get("issues", []):
            typer.echo(f"error   {i['rule']:14} {i['location']}: {i['message_en']}", err=True)
        fail(f"{problem.get('type', '')}: {problem.get('detail', got.status_code)}")
    return dict(got.json())

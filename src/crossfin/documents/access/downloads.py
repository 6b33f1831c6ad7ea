"""The verification results file as an HTTP download, for the API route and the portal page."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from crossfin.documents.access.claims_io import results_csv
from crossfin.documents.access.reading import request_results
from crossfin.parties.access import Caller


def results_download(session: Session, caller: Caller, request_id: int) -> Response:
    """A bank's earlier verification request as a CSV attachment (API and portal alike)."""
    _, rows = request_results(session, caller, request_id)
    return Response(
        results_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="verification-{request_id}.csv"'},
    )

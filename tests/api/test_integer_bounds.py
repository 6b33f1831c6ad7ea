"""Every integer a request can carry is bounded to its column, so none reaches the database
unchecked (PostgreSQL's integer ids overflow above 2^31 - 1, SQLite's above 2^63 - 1)."""

from __future__ import annotations

from typing import Any, get_args

import annotated_types
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind
from support.parties import make_party

INT64_MAX = 2**63 - 1


def _bounded(info: FieldInfo) -> bool:
    uppers = [m.le for m in info.metadata if isinstance(m, annotated_types.Le)]
    uppers += [m.lt - 1 for m in info.metadata if isinstance(m, annotated_types.Lt)]
    return bool(uppers) and max(uppers) <= INT64_MAX


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


def _model_problems(model: type[BaseModel], where: str, seen: set[type]) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    found = []
    for name, info in model.model_fields.items():
        if _is_int(info.annotation) and not _bounded(info):
            found.append(f"{where}.{name}")
        for arg in (info.annotation, *get_args(info.annotation)):
            for inner in (arg, *get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found += _model_problems(inner, f"{where}.{name}", seen)
    return found


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps those as a wrapper)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        if inner:
            found += _api_routes(list(inner))
    return found


def _unbounded(app: FastAPI) -> list[str]:
    found: list[str] = []
    routes = _api_routes(list(app.routes))
    assert len(routes) > 50, "the walk found too few routes"
    for route in routes:
        where = f"{sorted(route.methods)[0]} {route.path}"
        fields = [*route.dependant.query_params, *route.dependant.path_params]
        for dep in route.dependant.dependencies:
            fields += [*dep.query_params, *dep.path_params]
        fields += route.dependant.body_params
        for field in fields:
            annotation = field.field_info.annotation
            if _is_int(annotation) and not _bounded(field.field_info):
                found.append(f"{where} {field.name}")
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                found += _model_problems(annotation, f"{where} body", set())
    return found


def test_every_integer_parameter_and_body_field_is_bounded(app: FastAPI) -> None:
    assert _unbounded(app) == []


@pytest.mark.parametrize(
    "path",
    [
        "/v1/orgs/3000000000",
        "/v1/orgs?after=99999999999999999999999",
        "/v1/consents?after=99999999999999999999999",
        "/v1/financings/3000000000",
    ],
)
def test_an_oversized_id_is_a_422_naming_it(client: TestClient, db: Database, path: str) -> None:
    bank = make_party(db, OrgKind.BANK)
    answer = client.get(path, headers=bank.headers)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["errors"][0]["field"].split(".")[-1] in {"org_id", "after", "financing_id"}

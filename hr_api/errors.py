"""One translation from hr_core errors (and request-parsing failures) to RFC 9457 problem answers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hr_api.schemas import PROBLEM_MEDIA_TYPE
from hr_core.errors import (
    AuthenticationError,
    ConflictError,
    DatabaseUnavailableError,
    HRCoreError,
    IntegrityError,
    InvalidInputError,
    ModelError,
    NotFoundError,
    PermissionDenied,
    RowsRejected,
    StorageError,
    TooLargeError,
)

log = logging.getLogger("hr_api")

# Most specific first: the first class the error is an instance of decides status and title.
_MAPPING: tuple[tuple[type[HRCoreError], int, str], ...] = (
    (AuthenticationError, 401, "Not authenticated"),
    (PermissionDenied, 403, "Not allowed"),
    (RowsRejected, 422, "Some rows were rejected; nothing was written"),
    (TooLargeError, 413, "Too large"),
    (NotFoundError, 404, "Not found"),
    (InvalidInputError, 400, "The request is not valid"),
    (ConflictError, 409, "Busy: another operation is using this"),
    (IntegrityError, 409, "The data failed a consistency check"),
    (DatabaseUnavailableError, 503, "The database is unavailable"),
    (StorageError, 503, "Storage is unavailable"),
    (ModelError, 503, "The model is not available"),
)
_HTTP_TITLES = {
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Too large",
    415: "Unsupported media type",
}


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def classify(error: HRCoreError) -> tuple[int, str]:
    """The HTTP status and title of an hr_core error."""
    for kind, status, title in _MAPPING:
        if isinstance(error, kind):
            return status, title
    return 500, "Internal error"


async def _hr_core_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HRCoreError)
    status, title = classify(exc)
    errors = None
    if isinstance(exc, RowsRejected):
        errors = [
            {"table": p.table, "line": p.line, "raw": p.raw, "reasons": list(p.reasons)} for p in exc.problems
        ]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return problem_response(request, status, title, str(exc), errors=errors, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(first["loc"])
    detail = f"{len(errors)} problem(s) in the request; first: {where}: {first['msg']}"
    return problem_response(request, 422, "The request is not valid", detail, errors=jsonable_encoder(errors))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = _HTTP_TITLES.get(exc.status_code, "Request refused")
    return problem_response(request, exc.status_code, title, str(exc.detail), headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        request, 500, "Internal error", "an unexpected error happened; it was logged for the operators"
    )


def install_error_handlers(app: FastAPI) -> None:
    """Every error becomes problem+json; never a traceback."""
    app.add_exception_handler(HRCoreError, _hr_core_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

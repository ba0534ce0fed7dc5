"""One error handler: ``{"ok": false, "error": msg, "status": code}`` for the API, an
HTML page with the same message for the reader's pages."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from precis.errors import PrecisError
from precis.web.context import Reader

log = logging.getLogger(__name__)


def error_response(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or request.url.path == "/api":
        return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)
    reader: Reader = request.app.state.reader
    return reader.render(request, "error.html", status=status, status_code=status, message=message)


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        where = location[0] if location else "request"
        name = ".".join(location[1:]) or "body"
        parts.append(f"{where} parameter {name!r}: {error.get('msg', 'is not valid')}")
    return "; ".join(parts) or "the request is not valid"


async def on_precis_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PrecisError)
    if exc.status >= 500:
        log.error("%s: %s", request.url.path, exc.message)
    return error_response(request, exc.status, exc.message)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code != 404 else f"no page at {request.url.path}"
    response = error_response(request, exc.status_code, str(message))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 400, validation_message(exc))


INTERNAL = "internal error; the server log has the details"


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path)
    try:
        return error_response(request, 500, INTERNAL)
    except Exception:  # the error page itself failed: answer without the templates
        log.exception("the error page failed too")
        return JSONResponse({"ok": False, "error": INTERNAL, "status": 500}, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(PrecisError, on_precis_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)

"""Request body limit (HR_UPLOAD_LIMIT_MB), enforced before a route reads the body."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hr_api.schemas import PROBLEM_MEDIA_TYPE
from hr_core.errors import TooLargeError
from hr_core.settings import get_settings


class BodyLimitMiddleware:
    """Answer 413 to a declared Content-Length above the limit; stop reading a longer streamed body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        limit = settings.upload_limit_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, settings.upload_limit_mb)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLargeError(_message(settings.upload_limit_mb))
            return message

        await self.app(scope, limited, send)


def _message(limit_mb: int) -> str:
    return f"the request body is larger than the limit of {limit_mb} MB (HR_UPLOAD_LIMIT_MB); split it"


async def _refuse(scope: Scope, send: Send, limit_mb: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Too large",
            "status": 413,
            "detail": _message(limit_mb),
            "instance": scope.get("path", ""),
        }
    ).encode()
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})

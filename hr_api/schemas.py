"""Answer shapes shared by several routers: problems (RFC 9457) and their documentation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong in words a person understands."""

    type: str = Field("about:blank", description="a URI naming the kind of problem")
    title: str = Field(description="a short, human summary of the kind of problem")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what exactly was wrong and what to do")
    instance: str | None = Field(None, description="the path of the request")
    errors: list[dict[str, Any]] | None = Field(
        None, description="per-row or per-field reasons of a validation failure"
    )


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_MEDIA_TYPE: {}}}


# Every route that needs credentials can answer these.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("bad input"),
    401: _problem("no, expired or revoked credentials"),
    403: _problem("the user's role may not do this"),
    404: _problem("not found"),
    409: _problem("busy or inconsistent"),
    413: _problem("the body is larger than HR_UPLOAD_LIMIT_MB"),
    422: _problem("validation failed; `errors` lists every reason"),
    503: _problem("database or storage unavailable"),
}

"""Log in for a short-lived bearer token; log out (ends every token and session of the user); who am I."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from pydantic import BaseModel

from hr_api.deps import ActorDep, EngineDep, RuntimeDep, get_actor
from hr_api.schemas import PROBLEM_RESPONSES
from hr_core.auth.sessions import end_sessions
from hr_core.auth.tokens import issue_token

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: dt.datetime
    username: str
    role: str


class Me(BaseModel):
    username: str
    role: str


class LoggedOut(BaseModel):
    username: str
    ended: bool


@router.post(
    "/token",
    response_model=TokenOut,
    responses={k: PROBLEM_RESPONSES[k] for k in (401, 403, 413, 422, 503)},
)
def create_token(
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
) -> TokenOut:
    """User name and password (form fields, as OAuth2) → a bearer token; failures count toward the lock-out."""
    issued = issue_token(engine=runtime.engine, username=username, password=password, key=runtime.token_key)
    return TokenOut(
        access_token=issued.access_token,
        expires_at=issued.expires_at,
        username=issued.actor.username,
        role=issued.actor.role,
    )


@router.get("/me", response_model=Me, responses=PROBLEM_RESPONSES, dependencies=[Depends(get_actor)])
def get_me(actor: ActorDep) -> Me:
    """The user the credentials act as, with the role in force now."""
    return Me(username=actor.username, role=actor.role)


@router.post("/logout", response_model=LoggedOut, responses=PROBLEM_RESPONSES)
def logout(engine: EngineDep, actor: ActorDep) -> LoggedOut:
    """End every token and browser session of the user (API keys stay valid until revoked)."""
    end_sessions(engine=engine, actor=actor)
    return LoggedOut(username=actor.username, ended=True)

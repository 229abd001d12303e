"""CLI: users add | list | set-role | disable | enable | reset-password | api-key | api-keys."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from hr_core.access import CLI_ACTOR, ROLES
from hr_core.cli._common import emit, open_engine
from hr_core.errors import InvalidInputError


def _engine() -> Any:
    from hr_core.db import init_db

    engine = open_engine()
    init_db(engine)
    return engine


def read_password(*, generate: bool, username: str) -> tuple[str, bool]:
    """The new password: generated, typed twice at a terminal, or the first line of piped stdin."""
    from hr_core.auth import generate_password

    if generate:
        return generate_password(username=username), True
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != first:
            raise InvalidInputError("the two passwords differ; nothing was changed")
        return first, False
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        raise InvalidInputError("no password on stdin; pipe one line, or use --generate")
    return password, False


def _user_json(info: Any) -> dict[str, Any]:
    return {
        "username": info.username,
        "role": info.role,
        "disabled": info.disabled,
        "locked": info.is_locked(),
        "failed_logins": info.failed_logins,
        "created_at": info.created_at.isoformat(),
        "last_login_at": info.last_login_at.isoformat() if info.last_login_at else None,
    }


def _with_password(result: dict[str, Any], password: str, generated: bool) -> dict[str, Any]:
    if generated:
        result["password"] = password
        result["note"] = "generated password: shown once, store it now"
    return result


def _add(args: argparse.Namespace) -> None:
    from hr_core.auth import create_user

    engine = _engine()
    password, generated = read_password(generate=args.generate, username=args.name)
    info = create_user(engine=engine, actor=CLI_ACTOR, username=args.name, role=args.role, password=password)
    emit(_with_password(_user_json(info), password, generated))


def _list(args: argparse.Namespace) -> None:
    from hr_core.auth import list_users

    emit([_user_json(u) for u in list_users(engine=_engine(), actor=CLI_ACTOR)])


def _set_role(args: argparse.Namespace) -> None:
    from hr_core.auth import set_role

    emit(_user_json(set_role(engine=_engine(), actor=CLI_ACTOR, username=args.name, role=args.role)))


def _disable(args: argparse.Namespace) -> None:
    from hr_core.auth import disable_user

    emit(_user_json(disable_user(engine=_engine(), actor=CLI_ACTOR, username=args.name)))


def _enable(args: argparse.Namespace) -> None:
    from hr_core.auth import enable_user

    emit(_user_json(enable_user(engine=_engine(), actor=CLI_ACTOR, username=args.name)))


def _reset_password(args: argparse.Namespace) -> None:
    from hr_core.auth import get_user, reset_password

    engine = _engine()
    get_user(
        engine=engine, actor=CLI_ACTOR, username=args.name
    )  # a missing user fails before a password is asked for
    password, generated = read_password(generate=args.generate, username=args.name)
    info = reset_password(engine=engine, actor=CLI_ACTOR, username=args.name, password=password)
    emit(_with_password(_user_json(info), password, generated))


def _key_json(info: Any) -> dict[str, Any]:
    return {
        "id": info.id,
        "username": info.username,
        "prefix": info.prefix,
        "created_at": info.created_at.isoformat(),
        "created_by": info.created_by,
        "last_used_at": info.last_used_at.isoformat() if info.last_used_at else None,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


def _api_key(args: argparse.Namespace) -> None:
    from hr_core.auth.tokens import create_api_key, revoke_api_key

    engine = _engine()
    if args.revoke is not None:
        emit(_key_json(revoke_api_key(engine=engine, actor=CLI_ACTOR, key_id=args.revoke)))
        return
    new = create_api_key(engine=engine, actor=CLI_ACTOR, username=args.name)
    emit({**_key_json(new.info), "key": new.key, "note": "API key: shown once, store it now"})


def _api_keys(args: argparse.Namespace) -> None:
    from hr_core.auth.tokens import list_api_keys

    emit([_key_json(k) for k in list_api_keys(engine=_engine(), actor=CLI_ACTOR, username=args.name)])


def register(sub: Any) -> None:
    users = sub.add_parser("users", help="manage log-in users (add, list, set-role, disable, reset-password)")
    usub = users.add_subparsers(dest="users_command", metavar="ACTION", parser_class=type(users))
    usub.required = True
    p = usub.add_parser("add", help="add a user; the password comes from stdin, a prompt, or --generate")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--generate", action="store_true", help="make a strong password and print it once")
    p.set_defaults(handler=_add)
    p = usub.add_parser("list", help="list users (never their hashes)")
    p.set_defaults(handler=_list)
    p = usub.add_parser("set-role", help="change a user's role (ends their sessions)")
    p.add_argument("name")
    p.add_argument("role", choices=ROLES)
    p.set_defaults(handler=_set_role)
    p = usub.add_parser("disable", help="disable a user (ends their sessions)")
    p.add_argument("name")
    p.set_defaults(handler=_disable)
    p = usub.add_parser("enable", help="enable a disabled user and lift a lockout")
    p.add_argument("name")
    p.set_defaults(handler=_enable)
    p = usub.add_parser(
        "reset-password", help="set a new password (stdin, prompt or --generate); lifts a lockout"
    )
    p.add_argument("name")
    p.add_argument("--generate", action="store_true")
    p.set_defaults(handler=_reset_password)
    p = usub.add_parser("api-key", help="make an API key acting as user NAME (shown once), or --revoke ID")
    p.add_argument("name")
    p.add_argument("--revoke", type=int, metavar="ID", help="revoke the key with this id instead")
    p.set_defaults(handler=_api_key)
    p = usub.add_parser("api-keys", help="list API keys (never the keys themselves)")
    p.add_argument("name", nargs="?")
    p.set_defaults(handler=_api_keys)

"""Users (admins): who may log in, with which role; add, change role, disable, reset a password; API keys."""

import datetime as dt

import pandas as pd
import streamlit as st

from hr_core.access import ADMIN_ROLE, ROLES
from hr_core.auth import (
    create_user,
    disable_user,
    enable_user,
    generate_password,
    list_users,
    reset_password,
    set_role,
)
from hr_core.auth.tokens import create_api_key, list_api_keys, revoke_api_key
from hr_core.errors import HRCoreError
from hr_core.i18n import ROLE_LABELS, format_date, format_number
from pages._shared import (
    _,
    api_help,
    current_locale,
    download_buttons,
    get_engine,
    page_setup,
    show_error,
)

actor = page_setup("pages/users.py")
locale = current_locale()


def _role(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def _when(moment: dt.datetime | None) -> str:
    return format_date(moment, locale, with_time=True)


st.title(_("Users"))
st.caption(
    _("Accounts that may log in. Passwords are stored as bcrypt hashes; generated ones are shown once.")
)

try:
    engine = get_engine()
    users = list_users(engine=engine, actor=actor)
except HRCoreError as e:
    show_error(e)
    st.stop()

# A generated password survives exactly one rerun so the admin can copy it, then it is gone.
if shown := st.session_state.pop("users_generated_password", None):
    st.success(
        _("Password for **{user}** (shown once — copy it now):").format(user=shown[0]), icon=":material/key:"
    )
    st.code(shown[1], language=None)

c1, c2, c3, c4 = st.columns(4)
admins = sum(u.role == ADMIN_ROLE and not u.disabled for u in users)
c1.metric(_("Users"), format_number(len(users), locale), border=True)
c2.metric(_("Admins"), format_number(admins, locale), border=True)
c3.metric(_("Disabled"), format_number(sum(u.disabled for u in users), locale), border=True)
c4.metric(_("Locked now"), format_number(sum(u.is_locked() for u in users), locale), border=True)

columns = [
    _("User"),
    _("Role"),
    _("Status"),
    _("Failed log-ins"),
    _("Last log-in"),
    _("Password changed"),
    _("Created"),
]
table = pd.DataFrame(
    [
        (
            u.username,
            _role(u.role),
            _("disabled") if u.disabled else (_("locked") if u.is_locked() else _("active")),
            u.failed_logins,
            _when(u.last_login_at),
            _when(u.password_changed_at),
            _when(u.created_at),
        )
        for u in users
    ],
    columns=columns,
)
if table.empty:
    st.info(_("No users yet. Add the first one below."), icon=":material/person_add:")
else:
    st.dataframe(table, hide_index=True, use_container_width=True, key="users_table")
    download_buttons(table, "users", key="users_download")


def _done(message: str, password: tuple[str, str] | None = None) -> None:
    if password:
        st.session_state["users_generated_password"] = password
    st.toast(message, icon=":material/check_circle:")
    st.rerun()


add_tab, role_tab, status_tab, reset_tab = st.tabs(
    [_("Add user"), _("Change role"), _("Disable / enable"), _("Reset password")]
)

with add_tab, st.form("users_add_form", clear_on_submit=True):
    name = st.text_input(
        _("User name"), key="users_add_name", help=_("2-32 characters: letters, digits, . _ -")
    )
    role = st.selectbox(_("Role"), ROLES, format_func=_role, key="users_add_role")
    typed = st.text_input(
        _("Password (leave empty to generate one)"),
        type="password",
        key="users_add_password",
        autocomplete="new-password",
    )
    if st.form_submit_button(_("Add user"), key="users_add_submit", type="primary"):
        password = typed or generate_password(username=name)
        try:
            create_user(engine=engine, actor=actor, username=name, role=role, password=password)
        except HRCoreError as e:
            show_error(e)
        else:
            added = name.strip().lower()
            _done(_("Added {user}").format(user=added), None if typed else (added, password))

names = [u.username for u in users]
if not names:
    for tab in (role_tab, status_tab, reset_tab):
        tab.info(_("Add a user first."))
    st.stop()

with role_tab, st.form("users_role_form"):
    who = st.selectbox(_("User"), names, key="users_role_user")
    new_role = st.selectbox(_("New role"), ROLES, format_func=_role, key="users_role_role")
    st.caption(_("The user's open sessions end, so the new role applies at their next log-in."))
    if st.form_submit_button(_("Change role"), key="users_role_submit"):
        try:
            set_role(engine=engine, actor=actor, username=who, role=new_role)
        except HRCoreError as e:
            show_error(e)
        else:
            _done(_("{user} is now {role}").format(user=who, role=_role(new_role)))

with status_tab, st.form("users_status_form"):
    who = st.selectbox(_("User"), names, key="users_status_user")
    action = st.radio(
        _("Action"),
        ["disable", "enable"],
        format_func=lambda a: _("Disable") if a == "disable" else _("Enable"),
        horizontal=True,
        key="users_status_action",
    )
    st.caption(_("Disabling ends the user's sessions at once; enabling also lifts a lockout."))
    if st.form_submit_button(_("Apply"), key="users_status_submit"):
        try:
            if action == "disable":
                disable_user(engine=engine, actor=actor, username=who)
            else:
                enable_user(engine=engine, actor=actor, username=who)
        except HRCoreError as e:
            show_error(e)
        else:
            _done((_("{user}: disabled") if action == "disable" else _("{user}: enabled")).format(user=who))

with reset_tab, st.form("users_reset_form", clear_on_submit=True):
    who = st.selectbox(_("User"), names, key="users_reset_user")
    typed = st.text_input(
        _("New password (leave empty to generate one)"),
        type="password",
        key="users_reset_password",
        autocomplete="new-password",
    )
    st.caption(_("Ends the user's sessions and lifts a lockout."))
    if st.form_submit_button(_("Reset password"), key="users_reset_submit"):
        password = typed or generate_password(username=who)
        try:
            reset_password(engine=engine, actor=actor, username=who, password=password)
        except HRCoreError as e:
            show_error(e)
        else:
            _done(_("Password of {user} reset").format(user=who), None if typed else (who, password))

st.subheader(_("API keys"))
st.caption(
    _(
        "Keys let programs call the HTTP API (header `X-API-Key`) with the role of the user they act as. "
        "A new key is shown once; only its hash is kept. People log in at `POST /api/v1/auth/token` instead."
    )
)
st.caption(api_help())
try:
    keys = list_api_keys(engine=engine, actor=actor)
except HRCoreError as e:
    show_error(e)
    keys = []
if new_key := st.session_state.pop("users_new_api_key", None):
    st.success(
        _("API key for **{user}** (shown once — copy it now):").format(user=new_key[0]),
        icon=":material/key:",
    )
    st.code(new_key[1], language=None)
if keys:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    _("ID"): k.id,
                    _("User"): k.username,
                    _("Starts with"): k.prefix,
                    _("Created"): _when(k.created_at),
                    _("By"): k.created_by,
                    _("Last used"): _when(k.last_used_at),
                    _("Revoked"): _when(k.revoked_at),
                }
                for k in keys
            ]
        ),
        hide_index=True,
        key="users_api_keys_table",
    )
key_col, revoke_col = st.columns(2)
with key_col, st.form("users_api_key_form"):
    who = st.selectbox(_("Acts as user"), names, key="users_api_key_user")
    if st.form_submit_button(_("Make a key"), key="users_api_key_submit"):
        try:
            made = create_api_key(engine=engine, actor=actor, username=who)
        except HRCoreError as e:
            show_error(e)
        else:
            st.session_state["users_new_api_key"] = (who, made.key)
            st.rerun()
active = [k.id for k in keys if k.active]
with revoke_col, st.form("users_api_key_revoke_form"):
    key_id = st.selectbox(_("Key ID"), active, key="users_api_key_revoke_id")
    if st.form_submit_button(_("Revoke"), key="users_api_key_revoke_submit", disabled=not active):
        if key_id is None:
            st.warning(_("Choose the key to revoke."))
            st.stop()
        try:
            revoke_api_key(engine=engine, actor=actor, key_id=int(key_id))
        except HRCoreError as e:
            show_error(e)
        else:
            _done(_("API key {id} revoked").format(id=key_id))

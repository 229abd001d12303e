"""Users (admins): who may log in, with which role; add, change role, disable, reset a password; API keys."""

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
from pages._shared import download_buttons, get_engine, page_setup, show_error

actor = page_setup("pages/users.py")
st.title("Users")
st.caption("Accounts that may log in. Passwords are stored as bcrypt hashes; generated ones are shown once.")

try:
    engine = get_engine()
    users = list_users(engine=engine, actor=actor)
except HRCoreError as e:
    show_error(e)
    st.stop()

# A generated password survives exactly one rerun so the admin can copy it, then it is gone.
if shown := st.session_state.pop("users_generated_password", None):
    st.success(f"Password for **{shown[0]}** (shown once — copy it now):", icon=":material/key:")
    st.code(shown[1], language=None)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Users", len(users), border=True)
c2.metric("Admins", sum(u.role == ADMIN_ROLE and not u.disabled for u in users), border=True)
c3.metric("Disabled", sum(u.disabled for u in users), border=True)
c4.metric("Locked now", sum(u.is_locked() for u in users), border=True)

table = pd.DataFrame(
    [
        {
            "user": u.username,
            "role": u.role,
            "status": "disabled" if u.disabled else ("locked" if u.is_locked() else "active"),
            "failed log-ins": u.failed_logins,
            "last log-in": u.last_login_at,
            "password changed": u.password_changed_at,
            "created": u.created_at,
        }
        for u in users
    ],
    columns=["user", "role", "status", "failed log-ins", "last log-in", "password changed", "created"],
)
if table.empty:
    st.info("No users yet. Add the first one below.", icon=":material/person_add:")
else:
    st.dataframe(table, hide_index=True, use_container_width=True, key="users_table")
    download_buttons(table, "users", key="users_download")


def _done(message: str, password: tuple[str, str] | None = None) -> None:
    if password:
        st.session_state["users_generated_password"] = password
    st.toast(message, icon=":material/check_circle:")
    st.rerun()


add_tab, role_tab, status_tab, reset_tab = st.tabs(
    ["Add user", "Change role", "Disable / enable", "Reset password"]
)

with add_tab, st.form("users_add_form", clear_on_submit=True):
    name = st.text_input("User name", key="users_add_name", help="2-32 characters: letters, digits, . _ -")
    role = st.selectbox("Role", ROLES, key="users_add_role")
    typed = st.text_input(
        "Password (leave empty to generate one)",
        type="password",
        key="users_add_password",
        autocomplete="new-password",
    )
    if st.form_submit_button("Add user", key="users_add_submit", type="primary"):
        password = typed or generate_password()
        try:
            create_user(engine=engine, actor=actor, username=name, role=role, password=password)
        except HRCoreError as e:
            show_error(e)
        else:
            _done(f"Added {name.strip().lower()}", None if typed else (name.strip().lower(), password))

names = [u.username for u in users]
if not names:
    for tab in (role_tab, status_tab, reset_tab):
        tab.info("Add a user first.")
    st.stop()

with role_tab, st.form("users_role_form"):
    who = st.selectbox("User", names, key="users_role_user")
    new_role = st.selectbox("New role", ROLES, key="users_role_role")
    st.caption("The user's open sessions end, so the new role applies at their next log-in.")
    if st.form_submit_button("Change role", key="users_role_submit"):
        try:
            set_role(engine=engine, actor=actor, username=who, role=new_role)
        except HRCoreError as e:
            show_error(e)
        else:
            _done(f"{who} is now {new_role}")

with status_tab, st.form("users_status_form"):
    who = st.selectbox("User", names, key="users_status_user")
    action = st.radio("Action", ["Disable", "Enable"], horizontal=True, key="users_status_action")
    st.caption("Disabling ends the user's sessions at once; enabling also lifts a lockout.")
    if st.form_submit_button("Apply", key="users_status_submit"):
        try:
            if action == "Disable":
                disable_user(engine=engine, actor=actor, username=who)
            else:
                enable_user(engine=engine, actor=actor, username=who)
        except HRCoreError as e:
            show_error(e)
        else:
            _done(f"{who}: {action.lower()}d")

with reset_tab, st.form("users_reset_form", clear_on_submit=True):
    who = st.selectbox("User", names, key="users_reset_user")
    typed = st.text_input(
        "New password (leave empty to generate one)",
        type="password",
        key="users_reset_password",
        autocomplete="new-password",
    )
    st.caption("Ends the user's sessions and lifts a lockout.")
    if st.form_submit_button("Reset password", key="users_reset_submit"):
        password = typed or generate_password()
        try:
            reset_password(engine=engine, actor=actor, username=who, password=password)
        except HRCoreError as e:
            show_error(e)
        else:
            _done(f"Password of {who} reset", None if typed else (who, password))

st.subheader("API keys")
st.caption(
    "Keys let programs call the HTTP API (header `X-API-Key`) with the role of the user they act as. "
    "A new key is shown once; only its hash is kept. People log in at `POST /api/v1/auth/token` instead."
)
try:
    keys = list_api_keys(engine=engine, actor=actor)
except HRCoreError as e:
    show_error(e)
    keys = []
if new_key := st.session_state.pop("users_new_api_key", None):
    st.success(f"API key for **{new_key[0]}** (shown once — copy it now):", icon=":material/key:")
    st.code(new_key[1], language=None)
if keys:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": k.id,
                    "user": k.username,
                    "starts with": k.prefix,
                    "created": k.created_at,
                    "by": k.created_by,
                    "last used": k.last_used_at,
                    "revoked": k.revoked_at,
                }
                for k in keys
            ]
        ),
        hide_index=True,
        key="users_api_keys_table",
    )
key_col, revoke_col = st.columns(2)
with key_col, st.form("users_api_key_form"):
    who = st.selectbox("Acts as user", names, key="users_api_key_user")
    if st.form_submit_button("Make a key", key="users_api_key_submit"):
        try:
            made = create_api_key(engine=engine, actor=actor, username=who)
        except HRCoreError as e:
            show_error(e)
        else:
            st.session_state["users_new_api_key"] = (who, made.key)
            st.rerun()
active = [k.id for k in keys if k.active]
with revoke_col, st.form("users_api_key_revoke_form"):
    key_id = st.selectbox("Key id", active, key="users_api_key_revoke_id")
    if st.form_submit_button("Revoke", key="users_api_key_revoke_submit", disabled=not active):
        if key_id is None:
            st.warning("Choose the key to revoke.")
            st.stop()
        try:
            revoke_api_key(engine=engine, actor=actor, key_id=int(key_id))
        except HRCoreError as e:
            show_error(e)
        else:
            _done(f"API key {key_id} revoked")

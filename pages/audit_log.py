"""Audit log (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/audit_log.py")
st.title("Audit log")
st.info("This page is being built.")

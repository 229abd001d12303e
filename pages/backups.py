"""Backups (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/backups.py")
st.title("Backups")
st.info("This page is being built.")

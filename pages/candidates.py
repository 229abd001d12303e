"""Candidates (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/candidates.py")
st.title("Candidates")
st.info("This page is being built.")

"""Match scoring (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/match_scoring.py")
st.title("Match scoring")
st.info("This page is being built.")

"""Hiring analytics (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/hiring_analytics.py")
st.title("Hiring analytics")
st.info("This page is being built.")

"""Job openings (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/job_openings.py")
st.title("Job openings")
st.info("This page is being built.")

"""Model monitoring (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/model_monitoring.py")
st.title("Model monitoring")
st.info("This page is being built.")

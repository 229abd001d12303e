"""Users (placeholder until its issue lands)."""

import streamlit as st

from pages._shared import page_setup

actor = page_setup("pages/users.py")
st.title("Users")
st.info("This page is being built.")

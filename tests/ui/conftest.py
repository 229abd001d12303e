"""Fixtures every UI test shares: each test starts with Streamlit's caches empty."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> None:
    """Cached data and resources from an earlier test (another database, another user) never leak in."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()

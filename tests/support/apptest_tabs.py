"""Switch an AppTest page's tabs (st.tabs with a key and on_change="rerun") the way a click does."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def show_tab(at: AppTest, key: str, label: str) -> None:
    """Open the tab named label of the tabs keyed key and rerun: only the open tab's content runs."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]

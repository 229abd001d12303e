"""TalentLens router: page config, sidebar identity, the pages this role may use."""

import streamlit as st

from hr_core.access import PAGES, list_pages_for
from pages._shared import current_actor

st.set_page_config(page_title="TalentLens", page_icon=":material/diversity_3:", layout="wide")

actor = current_actor()
if actor is None:
    st.title("TalentLens")
    st.info("Log-in arrives with the access issue; set session_state['actor'] in tests.")
    st.stop()

with st.sidebar:
    st.markdown(f"**{actor.username}** · {actor.role}")

sections: dict[str, list[st.Page]] = {}
for spec in list_pages_for(actor.role):
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec is PAGES[0])
    )
st.navigation(sections).run()

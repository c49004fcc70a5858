"""The hip-spine evidence graph app: routing only. Run with `streamlit run app.py`.

Each page is a module in app_pages/; the cached graph and query wrappers live in app_pages/resources.py.
"""
from __future__ import annotations

import streamlit as st

# An emoji icon becomes an inline data-URL favicon; a :material: one would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="Hip-spine evidence graph", page_icon="🦴", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),  # served at /
    st.Page("app_pages/network.py", title="Network", icon=":material/hub:", url_path="network"),
    st.Page("app_pages/claims.py", title="Claims", icon=":material/fact_check:", url_path="claims"),
    st.Page("app_pages/studies.py", title="Studies", icon=":material/article:", url_path="studies"),
    st.Page("app_pages/diagnostic.py", title="Diagnostic accuracy", icon=":material/monitoring:",
            url_path="diagnostic-accuracy"),
    st.Page("app_pages/timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
    st.Page("app_pages/sparql.py", title="SPARQL", icon=":material/terminal:", url_path="sparql"),
    st.Page("app_pages/quality.py", title="Data quality", icon=":material/rule:", url_path="data-quality"),
    st.Page("app_pages/download.py", title="Download", icon=":material/download:", url_path="download"),
]

st.navigation(PAGES).run()

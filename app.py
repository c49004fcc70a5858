"""The hip-spine evidence graph app: routing only. Run with `streamlit run app.py`.

Each page is a module in app_pages/; the cached graph and query wrappers live in app_pages/resources.py.
`PAGES` is the one list of pages: the router below, the tests and the benchmarks all read it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import streamlit as st


@dataclass(frozen=True)
class AppPage:
    """One page: its module, its entry in the navigation, its address and the heading it opens with."""

    path: str  # the page's module, relative to the repository root
    title: str  # the navigation label
    icon: str
    url_path: str  # /<url_path>; the default page is served at / instead
    heading: str  # the page's st.title when it opens without a deep link
    default: bool = False

    @property
    def name(self) -> str:
        """The module name, e.g. "claims"."""
        return PurePosixPath(self.path).stem

    @property
    def served_at(self) -> str:
        """The URL path the page answers on: "" (the root) for the default page."""
        return "" if self.default else self.url_path


# An emoji page icon becomes an inline data-URL favicon; a :material: one would be fetched from fonts.gstatic.com,
# so :material: icons are for the navigation only.
PAGES: tuple[AppPage, ...] = (
    AppPage("app_pages/overview.py", "Overview", ":material/dashboard:", "overview", "Hip-spine evidence graph",
            default=True),
    AppPage("app_pages/network.py", "Network", ":material/hub:", "network", "Evidence network"),
    AppPage("app_pages/claims.py", "Claims", ":material/fact_check:", "claims", "Claims"),
    AppPage("app_pages/studies.py", "Studies", ":material/article:", "studies", "Studies"),
    AppPage("app_pages/screening.py", "Screening", ":material/checklist:", "screening", "Screening"),
    AppPage("app_pages/diagnostic.py", "Diagnostic accuracy", ":material/monitoring:", "diagnostic-accuracy",
            "Diagnostic accuracy"),
    AppPage("app_pages/timeline.py", "Timeline", ":material/timeline:", "timeline", "Timeline"),
    AppPage("app_pages/sparql.py", "SPARQL", ":material/terminal:", "sparql", "SPARQL"),
    AppPage("app_pages/quality.py", "Data quality", ":material/rule:", "data-quality", "Data quality"),
    AppPage("app_pages/history.py", "Change history", ":material/history:", "history", "Change history"),
    AppPage("app_pages/download.py", "Download", ":material/download:", "download", "Download"),
)


def main() -> None:
    st.set_page_config(page_title="Hip-spine evidence graph", page_icon="🦴", layout="wide")
    pages = [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default) for p in PAGES]
    from app_pages import cite  # "Cite this view" in the sidebar of every page

    cite.run(st.navigation(pages))


if __name__ == "__main__":  # `streamlit run` and AppTest run the script as __main__; an import only reads PAGES
    main()

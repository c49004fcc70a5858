"""The import flow in a real browser (Playwright + Debian Chromium) on a loopback Streamlit server: a copy of data/
with a RIS, a MEDLINE and a CSL-JSON export imported by `kg import` shows an imported record on the Screening page
and the PRISMA 2020 diagram with the imports' counts on the Overview."""
from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app import PAGES
from tests.support.servers import StreamlitServer
from tests.test_import_flow import CURATED, imported_library

pytestmark = pytest.mark.browser

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGE = {p.name: p for p in PAGES}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, streamlit_server: Callable[..., StreamlitServer]) -> str:
    library = imported_library(tmp_path_factory.mktemp("import-browser"))
    return streamlit_server(APP, env={"KG_DATA_DIR": str(library), "KG_READ_ONLY": ""}).url


def open_page(page: Page, url: str, name: str, ready: str) -> None:
    page.goto(f"{url}/{PAGE[name].served_at}")
    expect(page.get_by_role("heading", name=PAGE[name].heading, exact=True)).to_be_visible(timeout=30_000)
    page.locator(ready).first.wait_for(state="visible", timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_screening_page_shows_an_imported_record(page: Page, app_url: str, artifacts_dir: Path) -> None:
    open_page(page, app_url, "screening", "[data-testid='stMetric']")
    expect(page.get_by_test_id("stMetric").filter(has_text="To screen")).to_contain_text("2")
    expect(page.get_by_text("A Book Chapter Record for the Tests").first).to_be_visible(timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "screening-imported.png"))


def test_overview_draws_the_prisma_diagram_of_the_imports(page: Page, app_url: str) -> None:
    open_page(page, app_url, "overview", "[data-testid='stMetric']")
    image = page.locator("img[src^='data:image/svg+xml'], [data-testid='stImage'] img").last
    image.scroll_into_view_if_needed(timeout=30_000)
    expect(image).to_be_visible(timeout=30_000)
    assert image.evaluate("img => img.naturalWidth") > 0  # the browser drew it
    src = str(image.get_attribute("src"))
    if src.startswith("data:"):
        head, _, body = src.partition(",")
        svg = (base64.b64decode(body) if head.endswith(";base64") else urllib.parse.unquote(body).encode()).decode()
    else:  # served as a media file
        svg = page.request.get(urllib.parse.urljoin(app_url + "/", src)).text()
    for expected in ("zotero.ris (ris): n = 3", "pubmed.nbib (medline): n = 3", "found on import: n = 7",
                     "Records awaiting screening (n = 2)", f"Studies included in review (n = {CURATED})"):
        assert expected in svg, expected

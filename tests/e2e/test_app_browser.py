"""The app in a real browser (Playwright + Debian Chromium) on a loopback Streamlit server: every page renders,
the network canvas draws its nodes, a SPARQL query returns rows, a deep link reopens a claim, and the study with
the hostile title shows it as text everywhere (no alert dialog, no injected script). Screenshots of every page go
to tests/artifacts/; those of the Overview and Network pages, a claim's certainty, a study's risk of bias and a
forest plot (on the fictional pooling fixture) are copied to docs/screenshots/ for the README on request.
"""
from __future__ import annotations

import os
import re
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect

from app import PAGES, AppPage
from tests.support.servers import StreamlitServer

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
MINI = REPO / "tests" / "resources" / "mini"
POOLING = REPO / "tests" / "resources" / "pooling"
SCREENSHOTS = REPO / "docs" / "screenshots"
HOSTILE = '<script>alert(1)</script> & "quotes"'
HOSTILE_KEY = "script2021test"
HOSTILE_IRI = "https://w3id.org/hipspine/id/work/script2021test"
CLAIM = "mri-detects-chondral-lesions"  # a claim with studies for and against it
CLAIM_LABEL = "MRI detects chondral lesions of the hip reliably"
CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
NETWORK = "[data-testid='stIFrame']"
# What shows each page has finished drawing, by page module.
READY = {
    "overview": CHART,
    "network": NETWORK,
    "claims": "[data-testid='stDataFrame']",
    "studies": "[data-testid='stDataFrame']",
    "screening": "[data-testid='stMetric']",
    "diagnostic": CHART,
    "timeline": CHART,
    "sparql": "[data-testid='stTextArea']",
    "quality": "[data-testid='stMetric']",
    "download": "[data-testid='stDownloadButton']",
    "history": "[data-testid='stSelectbox']",
}
# The Overview opens with one cell of the evidence map chosen, so its picture shows the studies behind a cell.
QUERY = {"overview": "?intervention=magnetic+resonance+imaging&outcome=diagnostic+accuracy"}
EACH_PAGE = pytest.mark.parametrize("shown", PAGES, ids=lambda p: p.url_path)
# Streamlit's own markers: the script has finished its run and no element is left over from an earlier one.
SETTLED = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-stale="true"]')"""


def address(base: str, shown: AppPage) -> str:
    """The page's URL on the server at `base`, with its opening query, if any."""
    return f"{base}/{shown.served_at}{QUERY.get(shown.name, '')}"


@pytest.fixture
def no_dialogs(page: Page) -> Iterator[list[str]]:
    """Fail the test if any alert/confirm/prompt dialog opens (that would be injected script running)."""
    opened: list[str] = []

    def on_dialog(dialog: Any) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield opened
    assert opened == [], f"a dialog opened: {opened}"


@pytest.fixture(scope="session")
def mini_url(streamlit_server: Callable[..., StreamlitServer]) -> str:
    """The app served on the mini fixture (which holds the hostile title)."""
    return streamlit_server(APP, env={"KG_DATA_DIR": str(MINI)}).url


def open_page(page: Page, url: str, heading: str, ready: str) -> None:
    """Go to `url` and wait until the page's heading and its main element are drawn, without errors."""
    page.goto(url)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
    page.locator(ready).first.wait_for(state="visible", timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def network_frame(page: Page) -> Frame:
    """The frame holding the vis-network, once its script has made it (the frame is re-created on each rerun,
    so it is looked up again each time)."""
    frame = page.locator(NETWORK).first.element_handle(timeout=30_000).content_frame()
    assert frame is not None, "the network element is not a frame"
    frame.wait_for_function("() => !!window.kgNetwork", timeout=30_000)
    return frame


def in_network(page: Page, script: str, arg: Any = None, attempts: int = 5) -> Any:
    """Evaluate `script` in the network frame, looking the frame up again if it was replaced meanwhile."""
    for attempt in range(attempts):
        try:
            return network_frame(page).evaluate(script, arg)
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def drawn_pixels(page: Page) -> int:
    """Non-white pixels on the network canvas, once the layout is frozen (physics off after stabilising) and the
    next two frames have been painted."""
    network_frame(page).wait_for_function("() => kgNetwork.physics.physicsEnabled === false", timeout=30_000)
    return int(in_network(page, """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => {
        const canvas = document.querySelector('#kg-network canvas');
        const ctx = canvas.getContext('2d');
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) n++;
        }
        resolve(n);
    })))"""))


def screenshot(page: Page, artifacts_dir: Path, name: str, *, readme: bool = False) -> Path:
    """Save a picture of the page; Streamlit scrolls an inner container, so the viewport is grown to fit it."""
    path = artifacts_dir / f"{name}.png"
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
    viewport = page.viewport_size
    assert viewport is not None
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": min(height + 40, 4000)})
    page.wait_for_function(SETTLED, timeout=30_000)  # the run is over and nothing on the page is stale
    page.evaluate("() => Promise.all([document.fonts.ready, new Promise(r => requestAnimationFrame(() => r(null)))])")
    page.screenshot(path=str(path))
    # The README's pictures are refreshed on request only, so a test run never leaves the checkout modified.
    if readme and os.environ.get("KG_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
    return path


# ------------------------------------------------------------------------------------------- real data


def test_a_fresh_server_serves_the_overview_to_each_new_session(page: Page) -> None:
    """The first visit to a fresh server (which imports and builds the graph) and a second session (the graph
    cached) both get the whole Overview: heading, chart and counts. How fast is measured by benchmarks/."""
    overview = next(p for p in PAGES if p.default)
    with StreamlitServer(APP) as server:
        for _ in ("first visit", "second visit"):
            open_page(page, f"{server.url}/", overview.heading, CHART)
            expect(page.get_by_test_id("stMetric").first).to_be_visible()
            expect(page.get_by_test_id("stMetric").filter(has_text="Studies")).to_have_count(1)
            page.goto("about:blank")


@EACH_PAGE
def test_each_page_renders(page: Page, app_url: str, artifacts_dir: Path, no_dialogs: list[str],
                           shown: AppPage) -> None:
    open_page(page, address(app_url, shown), shown.heading, READY[shown.name])
    if shown.name == "network":
        assert in_network(page, "() => kgNetwork.body.data.nodes.length") > 0
        assert drawn_pixels(page) > 0  # the layout has settled before the picture
    if shown.name == "overview":  # the chosen cell lists its study
        expect(page.get_by_role("link", name="Lee 2019")).to_be_visible()
    screenshot(page, artifacts_dir, shown.url_path, readme=shown.name in ("overview", "network"))


def test_network_canvas_draws_nodes(page: Page, app_url: str, blocked_requests: list[str]) -> None:
    open_page(page, f"{app_url}/network", "Evidence network", NETWORK)
    nodes = in_network(page, "() => kgNetwork.body.data.nodes.length")
    edges = in_network(page, "() => kgNetwork.body.data.edges.length")
    kinds = in_network(page, "() => [...new Set(kgNetwork.body.data.nodes.get().map(n => n.shape))].sort()")
    assert nodes > 50 and edges > nodes  # the real graph: 13 studies, 30 claims, concepts, 2 sources
    assert kinds == ["diamond", "dot", "square", "triangle"]
    assert drawn_pixels(page) > 5_000, "the canvas stayed blank"
    assert not [u for u in blocked_requests if "vis" in u], "vis-network was fetched from the network"


def test_network_filter_redraws_and_lands_in_the_url(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/network?types=study,claim&stance=contradicts", "Evidence network", NETWORK)
    shapes = in_network(page, "() => [...new Set(kgNetwork.body.data.nodes.get().map(n => n.shape))].sort()")
    assert shapes == ["diamond", "dot"]
    colours = in_network(page, "() => [...new Set(kgNetwork.body.data.edges.get().map(e => e.color))]")
    assert colours == ["#d62728"]  # contradicting evidence only
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query["types"] == ["claim,study"] and query["stance"] == ["contradicts"]


def test_sparql_query_returns_rows(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/sparql", "SPARQL", "[data-testid='stTextArea']")
    editor = page.get_by_test_id("stTextArea").locator("textarea")
    editor.fill("SELECT ?claim ?label WHERE { ?claim a mp:Claim ; rdfs:label ?label } ORDER BY ?label LIMIT 7")
    editor.blur()
    page.get_by_role("button", name="Run query").click()
    expect(page.get_by_text(re.compile(r"^7 rows in [\d.]+ s$"))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    assert "q=" in page.url  # the query can be shared as a link


def test_sparql_update_is_refused(page: Page, app_url: str) -> None:
    query = urllib.parse.quote("DELETE WHERE { ?s ?p ?o }")
    open_page(page, f"{app_url}/sparql?q={query}", "SPARQL", "[data-testid='stTextArea']")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("not allowed")


@pytest.mark.parametrize(("label", "file_name", "starts"), [
    ("Turtle", "hipspine.ttl", b"@prefix"), ("GraphML", "hipspine-network.graphml", b"<graphml"),
    ("BibTeX", "hipspine.bib", b"% Exported"),
])
def test_download(page: Page, app_url: str, tmp_path: Path, label: str, file_name: str, starts: bytes) -> None:
    open_page(page, f"{app_url}/download", "Download", "[data-testid='stDownloadButton']")
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name=f"Download {label}").click()
    download = info.value
    assert download.suggested_filename == file_name
    target = tmp_path / file_name
    download.save_as(target)
    assert target.read_bytes().startswith(starts)


def test_deep_link_reopens_a_claim(page: Page, app_url: str) -> None:
    url = f"{app_url}/claims?claim={CLAIM}"
    for _ in range(2):  # open it, then reload the same address
        open_page(page, url, CLAIM_LABEL, "[data-testid='stMetric']")
        expect(page.get_by_role("heading", name="Supporting (1)")).to_be_visible()
        expect(page.get_by_role("heading", name="Contradicting (1)")).to_be_visible()
        page.reload()
    page.get_by_role("link", name="All claims").click()
    expect(page.get_by_role("heading", name="Claims", exact=True)).to_be_visible()
    # The address changes with the page's rerun, not with the click: wait for it rather than read it at once.
    expect(page).not_to_have_url(re.compile(r"[?&]claim="))


# ------------------------------------------------------------------------------------------- appraisal


def test_claim_and_study_pages_show_the_appraisal(page: Page, app_url: str, artifacts_dir: Path) -> None:
    open_page(page, f"{app_url}/claims?claim=mri-detects-labral-tears",
              "MRI detects acetabular labral tears with high sensitivity", "[data-testid='stMetric']")
    for heading in ("Certainty of the evidence", "Direction of effect", "Pooled results"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("Nothing pools on this claim", exact=False)).to_be_visible()
    screenshot(page, artifacts_dir, "claim", readme=True)
    open_page(page, f"{app_url}/studies?study=prather2017hip", "Hip and Lumbar Spine Physical Examination Findings in "
              "People Presenting With Low Back Pain, With or Without Lower Extremity Pain", ".rob-table")
    expect(page.locator(".rob-table tr")).to_have_count(9)  # a header, seven ROBINS-E domains, the overall row
    page.locator(".rob-table").scroll_into_view_if_needed()
    screenshot(page, artifacts_dir, "study-risk-of-bias", readme=True)


def test_a_forest_plot_where_results_pool(page: Page, streamlit_server: Callable[..., StreamlitServer],
                                          artifacts_dir: Path) -> None:
    url = streamlit_server(APP, env={"KG_DATA_DIR": str(POOLING)}).url
    open_page(page, f"{url}/claims?claim=fusion-raises-dislocation", "Prior fusion raises THA dislocation", CHART)
    expect(page.get_by_text("heterogeneity I² 0%", exact=False)).to_be_visible()
    screenshot(page, artifacts_dir, "forest-plot", readme=True)


# ------------------------------------------------------------------------------------------- hostile data


def _no_injected_script(page: Page) -> None:
    """No frame holds a <script> element made from the data, and the raw markup is nowhere in the DOM."""
    for frame in page.frames:
        try:
            injected = frame.evaluate("""() => [...document.querySelectorAll('script')]
                .filter(s => s.textContent.includes('alert(1)') && !s.textContent.includes('kgNetwork')).length""")
            raw = frame.evaluate("() => document.documentElement.innerHTML.includes('<script>alert(1)')")
        except PlaywrightError:
            continue
        assert injected == 0, f"a script element from the data in {frame.url}"
        assert not raw, f"unescaped markup in {frame.url}"


@EACH_PAGE
def test_hostile_title_is_never_markup(page: Page, mini_url: str, no_dialogs: list[str], shown: AppPage) -> None:
    open_page(page, address(mini_url, shown), shown.heading, READY[shown.name])
    _no_injected_script(page)
    if shown.name == "overview":  # the chosen cell lists the hostile study, its title as a caption
        expect(page.get_by_text(HOSTILE, exact=True)).to_be_visible()
    if shown.name == "network":
        title = in_network(page, "id => { const t = kgNetwork.body.data.nodes.get(id).title;"
                                 " return [t.textContent, t.querySelectorAll('script').length]; }", HOSTILE_IRI)
        assert HOSTILE in title[0] and title[1] == 0


def test_hostile_title_shows_as_text(page: Page, mini_url: str, artifacts_dir: Path, no_dialogs: list[str]) -> None:
    open_page(page, f"{mini_url}/studies?study={HOSTILE_KEY}", HOSTILE, "[data-testid='stMain'] [data-testid='stCode']")
    expect(page.get_by_role("heading", name=HOSTILE)).to_be_visible()
    expect(page.get_by_text(f"Cited as: Delta D, Alpha AB. {HOSTILE}. Diagn Imaging Rep. 2020.")).to_be_visible()
    _no_injected_script(page)
    screenshot(page, artifacts_dir, "mini-hostile-study")

    # A claim it supports lists it: a link by its label, its title as text beneath.
    open_page(page, f"{mini_url}/claims?claim=mri-detects-labral-tears", "MRI detects labral tears",
              "[data-testid='stMetric']")
    expect(page.get_by_role("link", name="Délta 2021")).to_be_visible()
    expect(page.get_by_text(HOSTILE, exact=True)).to_be_visible()
    _no_injected_script(page)

    # The network tooltip of that study: hover its node and read the tooltip as text.
    open_page(page, f"{mini_url}/network?focus={urllib.parse.quote(HOSTILE_IRI)}&depth=1", "Evidence network", NETWORK)
    drawn_pixels(page)
    x, y = in_network(page, """id => { const p = kgNetwork.canvasToDOM(kgNetwork.getPositions([id])[id]);
                                       const r = document.querySelector('#kg-network').getBoundingClientRect();
                                       return [p.x + r.left, p.y + r.top]; }""", HOSTILE_IRI)
    box = page.locator(NETWORK).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = network_frame(page).locator("div.vis-tooltip")
    expect(tooltip).to_be_visible(timeout=10_000)
    expect(tooltip).to_contain_text(HOSTILE)
    assert tooltip.locator("script").count() == 0
    _no_injected_script(page)
    screenshot(page, artifacts_dir, "mini-hostile-network-tooltip")

"""Curating in a real browser (Playwright + Debian Chromium) on a loopback Streamlit server over a temporary copy of
data/: a curator adds a study's PICO frame, an evidence line with a new claim and a measured result through the
forms, sees them on the claim page, and finds them in claims.ttl and in a fresh `kg build`; refused changes (an
interval without its estimate, a sensitivity of 140%, a stance from a study that does not exist) leave the file
byte-identical and show the reason beside the field. Pictures of each form go to tests/artifacts/ and, with
KG_UPDATE_SCREENSHOTS=1, to docs/screenshots/ for the README.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Locator, Page, expect

from kg.cli.main import main
from tests.support.servers import StreamlitServer

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
SCREENSHOTS = REPO / "docs" / "screenshots"
STUDY = "lee2019accuracy"
OTHER_STUDY = "rajeev2017validity"
CLAIM_NAME = "browser-test-claim"
CLAIM_LABEL = "Browser test: MRI finds labral tears in this frame"
SETTLED = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-stale="true"]')"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("curate") / "data"
    shutil.copytree(REPO / "data", copy)
    return copy


@pytest.fixture(scope="module")
def app_url(data: Path, streamlit_server: Callable[..., StreamlitServer]) -> str:
    return streamlit_server(APP, env={"KG_DATA_DIR": str(data), "KG_READ_ONLY": ""}).url


def settled(page: Page) -> None:
    page.wait_for_function(SETTLED, timeout=30_000)


def start_curating(page: Page, url: str) -> None:
    """Open `url`, switch Curate on and name the curator."""
    page.goto(url)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Curate", exact=True).click()
    field(sidebar, "Your name").fill("Browser Curator")
    sidebar.get_by_role("button", name="Start curating").click()
    expect(sidebar.get_by_text("Curating as")).to_be_visible(timeout=30_000)
    settled(page)


def field(scope: Locator, label: str) -> Locator:
    """The text, number or text-area input labelled `label` (not its help button)."""
    quoted = label.replace("'", "\\'")
    return scope.locator(f"input[aria-label='{quoted}'], textarea[aria-label='{quoted}']")


def form(page: Page, button: str) -> Locator:
    """The form whose submit button reads `button`."""
    return page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=button))


def pick(page: Page, scope: Locator, label: str, text: str, *, many: bool = False) -> None:
    """Choose the option containing `text` in the select or multiselect labelled `label`, by typing to search."""
    box = scope.locator("[data-testid='stSelectbox'], [data-testid='stMultiSelect']").filter(
        has=page.get_by_text(label, exact=True))
    box.locator("input").first.click()
    page.keyboard.type(text)
    option = page.get_by_role("option", name=re.compile(re.escape(text), re.I)).first
    expect(option).to_be_visible()
    if many:
        option.click()
    else:
        page.keyboard.press("Enter")  # the first option left by the search
    chosen = re.compile(re.escape(text), re.I)
    if many:
        page.keyboard.press("Escape")  # a multiselect stays open for more
        expect(scope).to_contain_text(chosen)
    else:  # a select shows its choice in its search field
        expect(scope.locator("[data-testid='stSelectbox']").filter(
            has=page.get_by_text(label, exact=True)).locator("input").first).to_have_value(chosen)


def submit(page: Page, scope: Locator, button: str) -> None:
    scope.get_by_role("button", name=button).click()
    settled(page)


def accepted(page: Page) -> None:
    """The change was written: the success notice is shown and nothing raised."""
    failures = page.get_by_test_id("stException")
    errors = page.get_by_test_id("stForm").get_by_test_id("stAlertContentError")
    expect(page.get_by_test_id("stAlertContentSuccess").or_(failures).or_(errors).first).to_be_visible(timeout=30_000)
    assert failures.count() == 0, failures.first.inner_text()
    assert page.get_by_test_id("stAlertContentSuccess").count() == 1, errors.all_inner_texts()


def beside(scope: Locator, field_label: str, message: str, next_label: str) -> None:
    """The refusal `message` is drawn below the field `field_label` and above the next field."""
    error = scope.get_by_text(message)
    expect(error).to_be_visible(timeout=30_000)
    field = scope.get_by_text(field_label, exact=True).first.bounding_box()
    after = scope.get_by_text(next_label, exact=True).first.bounding_box()
    shown = error.bounding_box()
    assert field and after and shown
    assert field["y"] < shown["y"] < after["y"], (field, shown, after)


def picture(page: Page, artifacts_dir: Path, scope: Locator, name: str) -> None:
    """A picture of one form; copied to docs/screenshots/ when KG_UPDATE_SCREENSHOTS is set."""
    settled(page)
    path = artifacts_dir / f"{name}.png"
    # A form taller than the window comes out with its top hidden behind the fixed header: make the window fit it.
    size, box = page.viewport_size, scope.bounding_box()
    if size and box and box["height"] + 200 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": int(box["height"]) + 400})
        settled(page)
    scope.screenshot(path=str(path))
    if size:
        page.set_viewport_size(size)
    if os.environ.get("KG_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / f"{name}.png")


def fill_result(scope: Locator, page: Page, name: str, value: str, lower: str, upper: str) -> None:
    author = name.split("-")[0].rstrip("0123456789").capitalize()
    field(scope, "Result label").fill(f"{author} {name.split('-')[0][-4:]}: MRI sensitivity for labral tears")
    field(scope, "Result name (slug)").fill(name)
    pick(page, scope, "Measure", "sensitivity")
    field(scope, "Value").fill(value)
    pick(page, scope, "Unit", "percent")
    field(scope, "Interval: lower").fill(lower)
    field(scope, "Interval: upper").fill(upper)
    field(scope, "Section of the study").fill("Results, table 2")


def test_curate_pico_evidence_and_result_then_see_them(page: Page, app_url: str, data: Path,
                                                       artifacts_dir: Path) -> None:
    claims = data / "claims.ttl"
    start_curating(page, f"{app_url}/studies?study={STUDY}")
    expect(page.get_by_role("heading", name="Curate this study")).to_be_visible()

    facts = form(page, "Save design and sample")
    expect(field(facts, "Basis of the level")).to_have_value(re.compile("diagnostic"), timeout=30_000)
    picture(page, artifacts_dir, facts, "curate-study")

    page.get_by_role("tab", name="PICO frame").click()
    pico = form(page, "Save the PICO frame")
    field(pico, "Frame label").fill("Lee 2019: MRI and CT arthrography against arthroscopy")
    pick(page, pico, "Population / condition or target condition", many=True, text="labral tear")
    field(pico, "Population / condition or target condition: as the study words it").fill("Hips with suspected labral tears")
    pick(page, pico, "Intervention or index test", many=True, text="magnetic resonance imaging")
    pick(page, pico, "Comparator or reference standard", many=True, text="arthroscopic findings")
    pick(page, pico, "Outcomes", many=True, text="diagnostic accuracy")
    field(pico, "Frame name").fill("lee2019-browser")
    picture(page, artifacts_dir, pico, "curate-pico")
    submit(page, pico, "Save the PICO frame")
    accepted(page)

    page.get_by_role("tab", name="Evidence line").click()
    page.get_by_test_id("stRadio").filter(has_text="an existing claim").get_by_text("a new claim").click()
    settled(page)
    expect(page.get_by_role("tab", name="Evidence line")).to_have_count(1)  # the run's old elements are gone
    evidence = form(page, "Save the evidence line")
    expect(field(evidence, "Claim label")).to_be_visible()
    field(evidence, "Claim label").fill(CLAIM_LABEL)
    field(evidence, "Statement").fill("In this frame MRI finds most labral tears that arthroscopy confirms.")
    field(evidence, "Claim name (slug)").fill(CLAIM_NAME)
    pick(page, evidence, "Source of the claim", many=True, text="hauser2021hipspine")
    field(evidence, "Section of the source").fill("Diagnosis")
    evidence.get_by_test_id("stRadio").filter(has_text="inconclusive").get_by_text("supports", exact=True).click()
    field(evidence, "Section of the study it rests on").fill("Abstract (results)")
    field(evidence, "Rationale").fill("Both observers found most tears on MRI.")
    pick(page, evidence, "PICO frame", "pf:lee2019-browser")
    picture(page, artifacts_dir, evidence, "curate-evidence")
    submit(page, evidence, "Save the evidence line")
    accepted(page)

    page.get_by_role("tab", name="Measured result").click()
    result = form(page, "Save the result")
    fill_result(result, page, "lee2019-browser-sensitivity", "80", "70", "90")
    pick(page, result, "Index test", "magnetic resonance imaging")
    pick(page, result, "Reference standard", "arthroscopic findings")
    field(result, "Observer").fill("observer 1")
    picture(page, artifacts_dir, result, "curate-result")
    submit(page, result, "Save the result")
    accepted(page)

    page.get_by_role("tab", name="New concept").click()
    picture(page, artifacts_dir, form(page, "Save the concept"), "curate-concept")

    text = claims.read_text()
    assert "pf:lee2019-browser a pico:PICO" in text
    assert f"claim:{CLAIM_NAME} a mp:Claim" in text
    assert "res:lee2019-browser-sensitivity a hs:MeasuredResult" in text
    assert text.count('prov:wasAttributedTo [ a hs:Curator ; rdfs:label "Browser Curator" ]') == 4  # frame, claim, line, result

    page.goto(f"{app_url}/claims?claim={CLAIM_NAME}")
    expect(page.get_by_role("heading", name=CLAIM_LABEL, exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Supporting (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Lee 2019")).to_be_visible()

    page.goto(f"{app_url}/history")
    expect(page.get_by_role("heading", name="Change history")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name=re.compile("^result: Lee 2019: MRI sensitivity"))).to_be_visible()

    built = data.parent / "built.nt"
    run = CliRunner().invoke(main, ["build", "--data", str(data), "--output", str(built), "--no-progress"])
    assert run.exit_code == 0, run.output
    graph = built.read_text()
    for iri in ("https://w3id.org/hipspine/id/pico/lee2019-browser", f"https://w3id.org/hipspine/id/claim/{CLAIM_NAME}",
                "https://w3id.org/hipspine/id/result/lee2019-browser-sensitivity",
                f"https://w3id.org/hipspine/id/evidence/lee2019accuracy--{CLAIM_NAME}"):
        assert f"<{iri}>" in graph, iri


def test_refused_changes_write_nothing_and_say_why_beside_the_field(page: Page, app_url: str, data: Path,
                                                                   artifacts_dir: Path) -> None:
    claims = data / "claims.ttl"
    before = claims.read_bytes()
    start_curating(page, f"{app_url}/studies?study={OTHER_STUDY}")

    page.get_by_role("tab", name="Measured result").click()
    result = form(page, "Save the result")
    fill_result(result, page, "rajeev2017-browser-bad", "84", "86", "95")
    submit(page, result, "Save the result")
    beside(form(page, "Save the result"), "Interval: lower", "the interval 86 to 95 does not contain the value 84",
           "p relation")
    assert claims.read_bytes() == before

    result = form(page, "Save the result")
    field(result, "Value").fill("140")
    field(result, "Interval: lower").fill("")
    field(result, "Interval: upper").fill("")
    submit(page, result, "Save the result")
    beside(form(page, "Save the result"), "Value", "a sensitivity of 140% is impossible", "Interval: lower")
    picture(page, artifacts_dir, form(page, "Save the result"), "curate-refused")
    assert claims.read_bytes() == before

    start_curating(page, f"{app_url}/claims?claim=mri-detects-labral-tears")
    evidence = form(page, "Save the evidence line")
    field(evidence, "or its BibTeX key").fill("nosuch2019study")
    evidence.get_by_test_id("stRadio").filter(has_text="inconclusive").get_by_text("contradicts", exact=True).click()
    field(evidence, "Section of the study it rests on").fill("Abstract")
    field(evidence, "Rationale").fill("A stance from a study that is not in references.bib.")
    submit(page, evidence, "Save the evidence line")
    beside(form(page, "Save the evidence line"), "or its BibTeX key", "nosuch2019study", "Stance")
    assert claims.read_bytes() == before

    page.get_by_role("tab", name="Delete").click()
    panel = page.get_by_role("tabpanel").filter(has=page.get_by_text("Record", exact=True))
    pick(page, panel, "Record", "the claim itself")
    expect(panel.get_by_text(re.compile("Deleting it would orphan"))).to_be_visible(timeout=30_000)
    expect(panel.get_by_text(re.compile("ev:lee2019--mri-detects-labral-tears"))).to_be_visible()
    picture(page, artifacts_dir, panel, "curate-delete")


def test_a_risk_of_bias_assessment_is_saved_through_its_form_and_shown(page: Page, app_url: str, data: Path,
                                                                       artifacts_dir: Path) -> None:
    """The form offers the tool the design calls for (QUADAS-2 for an accuracy study), starts from the current
    assessment, and a saved judgement replaces the study's block and shows in the traffic-light table."""
    claims = data / "claims.ttl"
    start_curating(page, f"{app_url}/studies?study={OTHER_STUDY}")
    page.get_by_role("tab", name="Risk of bias").click()
    rob = form(page, "Save the risk of bias")
    expect(rob.get_by_text("4. Flow and timing")).to_be_visible(timeout=30_000)
    expect(field(rob, "Reason").first).to_have_value(re.compile("113 patients"))  # the current assessment
    pick(page, rob, "Risk of bias", "high")  # the first domain: patient selection
    reason = "Browser test: only patients who went on to arthroscopy could enter."
    field(rob, "Reason").first.fill(reason)
    pick(page, rob, "Overall risk of bias", "high")
    field(rob, "Reason for the overall judgement").fill("Browser test: one domain at high risk makes the whole high.")
    picture(page, artifacts_dir, rob, "curate-rob")
    submit(page, rob, "Save the risk of bias")
    accepted(page)

    text = claims.read_text()
    block = text[text.index("rob:rajeev2017 a hs:Quadas2Assessment"):]
    block = block[:block.index("\n\n")]
    assert "hs:robDomain hs:QuadasPatientSelection ; hs:judgement hs:HighRisk" in block and reason in block
    assert "hs:overallJudgement hs:HighRisk" in block and 'rdfs:label "Browser Curator"' in block
    assert text.count("rob:rajeev2017 a ") == 1  # replaced, not added

    page.goto(f"{app_url}/studies?study={OTHER_STUDY}")
    table = page.locator("table.rob-table")
    expect(table).to_be_visible(timeout=30_000)
    expect(table.locator("tr").filter(has_text="patient selection")).to_contain_text(reason)

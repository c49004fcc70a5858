"""Curate mode and the change history under AppTest, on a temporary copy of data/: the toggle is off by default
and unavailable when read-only; the curator is named once per session; each form writes through kg.curate and the
page shows the change at once; a refused change leaves claims.ttl byte-identical and shows its reason beside the
field; a delete shows what it would orphan; the history page lists each change with a link to its record."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kg import load
from tests.support.apptest import app_data, ok, open_page, plain

REPO = Path(__file__).resolve().parent.parent
STUDY = "lee2019accuracy"
CLAIM = "lumbar-disease-worsens-hip-surgery"
CURATOR = "Ada Tester"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A writable copy of data/ as the app's data, with empty caches."""
    copy = tmp_path / "data"
    shutil.copytree(REPO / "data", copy)
    with app_data(copy, monkeypatch) as directory:
        yield directory


def curating(page: str = "studies", *, study: str | None = None, claim: str | None = None) -> AppTest:
    """A page (a study's or a claim's) with curate mode on and the curator named."""
    at = open_page(page, study=study) if study else open_page(page, claim=claim or "")
    ok(at.sidebar.toggle(key="curate_mode").set_value(True).run())
    at.sidebar.text_input(key="curator_input").input(CURATOR)
    return ok(at.sidebar.button(key="FormSubmitter:curator_form-Start curating").click().run())


def save(at: AppTest, form: str, label: str) -> AppTest:
    return ok(at.button(key=f"FormSubmitter:curate_{form}-{label}").click().run())


def errors(at: AppTest) -> list[str]:
    return [plain(e.value) for e in at.error]


def successes(at: AppTest) -> list[str]:
    return [plain(s.value) for s in at.success]


def test_curate_mode_is_off_by_default_and_asks_a_name_once(data: Path) -> None:
    at = open_page("studies", study=STUDY)
    toggle = at.sidebar.toggle(key="curate_mode")
    assert toggle.value is False and not toggle.disabled
    assert "Curate this study" not in [h.value for h in at.header]
    at = curating(study=STUDY)
    assert "Curate this study" in [h.value for h in at.header]
    assert any(CURATOR in plain(c.value) for c in at.sidebar.caption)
    at.switch_page("app_pages/claims.py")
    at.query_params["claim"] = CLAIM
    ok(at.run())  # another page, same session: still on, same curator, no second question
    assert "Curate this claim" in [h.value for h in at.header]
    assert not [t for t in at.sidebar.text_input if t.key == "curator_input"]


def test_curate_mode_is_unavailable_when_read_only(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_READ_ONLY", "1")
    at = open_page("studies", study=STUDY)
    assert at.sidebar.toggle(key="curate_mode").disabled
    assert any("read-only" in plain(c.value) for c in at.sidebar.caption)
    assert "Curate this study" not in [h.value for h in at.header]


def test_study_facts_form_saves_and_the_page_shows_it(data: Path) -> None:
    at = curating(study=STUDY)
    at.number_input(key="facts:sample_size").set_value(41)
    at.text_input(key="facts:sample_unit").input("hips")
    at = save(at, "facts", "Save design and sample")
    assert any("by Ada Tester" in s for s in successes(at)), errors(at)
    assert "hs:sampleSize 41" in (data / "claims.ttl").read_text()
    assert any("41 hips" in m.value for m in at.markdown)  # the page, rebuilt from the changed file


def test_pico_form_saves_concepts_from_the_schemes(data: Path) -> None:
    at = curating(study=STUDY)
    concepts = at.multiselect(key="pico:population:concepts")
    condition = next(o for o in concepts.options if "(c:labral-tear)" in o)
    at.text_input(key="pico:label").input("Lee 2019: a second frame")
    at.multiselect(key="pico:population:concepts").select(condition)
    at.text_input(key="pico:population:label").input("Adults with hip pain")
    test = next(o for o in at.multiselect(key="pico:intervention:concepts").options if "(c:mri)" in o)
    at.multiselect(key="pico:intervention:concepts").select(test)
    outcome = next(o for o in at.multiselect(key="pico:outcomes:concepts").options if "(c:diagnostic-accuracy)" in o)
    at.multiselect(key="pico:outcomes:concepts").select(outcome)
    at.text_input(key="pico:frame").input("lee2019-second")
    at = save(at, "pico", "Save the PICO frame")
    assert successes(at), errors(at)
    text = (data / "claims.ttl").read_text()
    assert "pf:lee2019-second a pico:PICO" in text and "c:labral-tear" in text.split("pf:lee2019-second")[1]


def test_evidence_form_with_a_new_claim_and_the_claim_page_shows_it(data: Path) -> None:
    at = curating(study=STUDY)
    ok(at.radio(key="evidence:claim_kind").set_value("a new claim").run())
    at.text_input(key="evidence:new_label").input("Test claim about MRI")
    at.text_area(key="evidence:new_statement").input("A test statement in the curator's words.")
    at.text_input(key="evidence:new_name").input("test-claim-about-mri")
    source = at.multiselect(key="evidence:new_sources").options[0]
    at.multiselect(key="evidence:new_sources").select(source)
    at.text_input(key="evidence:new_section").input("Diagnosis")
    at.radio(key="evidence:stance").set_value("supports")
    at.text_input(key="evidence:section").input("Abstract (results)")
    at.text_area(key="evidence:rationale").input("A test rationale.")
    frame = next(f for f in at.selectbox(key="evidence:pico").options if "(pf:lee2019" in f)
    at.selectbox(key="evidence:pico").select(frame)
    at = save(at, "evidence", "Save the evidence line")
    assert successes(at), errors(at)
    claim = open_page("claims", claim="test-claim-about-mri")
    assert plain(claim.title[0].value) == "Test claim about MRI"
    assert "Supporting (1)" in [s.value for s in claim.subheader]


def test_evidence_form_on_the_claim_page_refuses_an_unknown_study(data: Path) -> None:
    before = (data / "claims.ttl").read_bytes()
    at = curating("claims", claim=CLAIM)
    at.text_input(key="evidence:study_key").input("nosuch2019study")
    at.radio(key="evidence:stance").set_value("contradicts")
    at.text_input(key="evidence:section").input("Abstract")
    at.text_area(key="evidence:rationale").input("A rationale.")
    at = save(at, "evidence", "Save the evidence line")
    assert (data / "claims.ttl").read_bytes() == before
    assert any("nosuch2019study" in e for e in errors(at)), errors(at)


def fill_result(at: AppTest, value: str, lower: str = "", upper: str = "") -> None:
    at.text_input(key="result:name").input("lee2019-test-sensitivity")
    at.selectbox(key="result:measure").select("sensitivity")
    at.text_input(key="result:value").input(value)
    at.selectbox(key="result:unit").select("percent")
    at.text_input(key="result:lower").input(lower)
    at.text_input(key="result:upper").input(upper)
    at.text_input(key="result:section").input("Abstract (results)")


@pytest.mark.parametrize(("value", "lower", "upper", "reason"), [
    ("140", "", "", "a sensitivity of 140% is impossible"),
    ("84", "86", "95", "does not contain the value 84"),
])
def test_result_form_refuses_and_writes_nothing(data: Path, value: str, lower: str, upper: str, reason: str) -> None:
    before = (data / "claims.ttl").read_bytes()
    at = curating(study=STUDY)
    fill_result(at, value, lower, upper)
    at = save(at, "result", "Save the result")
    assert (data / "claims.ttl").read_bytes() == before
    assert any(reason in e for e in errors(at)), errors(at)


def test_result_form_accepts_a_result_with_its_two_by_two_table(data: Path) -> None:
    at = curating(study=STUDY)
    fill_result(at, "80", "70", "90")
    for cell, count in (("tp", 8), ("fp", 1), ("fn", 2), ("tn", 9)):
        at.number_input(key=f"result:{cell}").set_value(count)
    at = save(at, "result", "Save the result")
    assert successes(at), errors(at)
    assert "res:lee2019-test-sensitivity" in (data / "claims.ttl").read_text()
    assert any("Measured results" in s.value for s in at.subheader)
    results = load(data).query("study_results", study=STUDY)
    assert any(str(r).endswith("lee2019-test-sensitivity") for r in results["result"])  # type: ignore[index]


def test_new_concept_form_adds_a_pickable_concept(data: Path) -> None:
    at = curating(study=STUDY)
    at.text_input(key="concept:label").input("test imaging sign")
    at.text_input(key="concept:name").input("test-imaging-sign")
    scheme = next(o for o in at.selectbox(key="concept:scheme").options if "diagnostic-tests" in o)
    at.selectbox(key="concept:scheme").select(scheme)
    at = save(at, "concept", "Save the concept")
    assert successes(at), errors(at)
    assert any("(c:test-imaging-sign)" in o for o in at.multiselect(key="pico:intervention:concepts").options)


def test_delete_shows_what_it_would_orphan_then_deletes(data: Path) -> None:
    at = curating("claims", claim=CLAIM)
    at.selectbox(key="delete:iri").select_index(len(at.selectbox(key="delete:iri").options) - 1)  # the claim
    ok(at.run())
    assert any("would orphan" in plain(w.value) for w in at.warning)
    options = at.selectbox(key="delete:iri").options
    index = next(i for i, o in enumerate(options) if o.startswith("evidence line"))
    line = options[index].rsplit("(", 1)[1].rstrip(")")  # the line's CURIE, ev:...
    ok(at.selectbox(key="delete:iri").select_index(index).run())
    assert any("Nothing else in the graph depends on it" in c.value for c in at.caption) or at.warning
    at = ok(at.button(key="delete:go").click().run())
    assert successes(at), errors(at)
    assert f"{line} a hs:Evidence" not in (data / "claims.ttl").read_text()


def test_history_lists_changes_with_who_when_and_a_link(data: Path) -> None:
    empty = open_page("history")
    assert any("No curated change" in i.value for i in empty.info)
    at = curating(study=STUDY)
    fill_result(at, "80")
    save(at, "result", "Save the result")
    history = open_page("history")
    assert [t.value for t in history.title] == ["Change history"]
    assert any("result" in plain(str(getattr(link, "label", ""))) for link in history.get("page_link"))
    assert any(CURATOR in plain(c.value) for c in history.caption)
    mine = open_page("history", curator=CURATOR)
    assert mine.selectbox(key="history_curator").value == CURATOR
    nobody = open_page("history", curator="Someone Else")
    assert nobody.selectbox(key="history_curator").value == "everyone"


def test_edit_starts_from_the_record_and_rewrites_it(data: Path) -> None:
    at = curating(study=STUDY)
    loader = at.selectbox(key="result:load")
    index = next(i for i, o in enumerate(loader.options) if "(res:lee2019-mri-obs1-sensitivity)" in o)
    at = ok(loader.select_index(index).run())
    assert at.text_input(key="result:name").value == "lee2019-mri-obs1-sensitivity"
    assert at.selectbox(key="result:measure").value == "sensitivity"
    assert at.checkbox(key="result:edit").value is True
    old = at.text_input(key="result:value").value
    at.text_input(key="result:value").input("61")
    at = save(at, "result", "Save the result")
    assert any(s.startswith("Edit:") for s in successes(at)), errors(at)
    text = (data / "claims.ttl").read_text()
    block = text.split("res:lee2019-mri-obs1-sensitivity a ")[1].split("\n\n")[0]
    assert "qudt:value 61" in block and f"qudt:value {old} " not in block and CURATOR in block

    line = at.selectbox(key="evidence:load")
    at = ok(line.select_index(0).run())
    assert at.radio(key="evidence:stance").value in ("supports", "contradicts", "qualifies", "inconclusive")
    assert at.text_area(key="evidence:rationale").value


def test_on_a_persistent_store_a_change_is_applied_in_place(data: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from kg.store.persistent import MANIFEST

    store = tmp_path / "store"
    monkeypatch.setenv("KG_STORE", str(store))
    at = curating(study=STUDY)
    before = len(load(data).query("study_results", study=STUDY))  # type: ignore[arg-type]
    fill_result(at, "80", "70", "90")
    at = save(at, "result", "Save the result")
    assert successes(at), errors(at)
    manifest = json.loads((store / MANIFEST).read_text())
    assert manifest.get("curation_updates") == 1  # updated in place, not rebuilt
    assert "res:lee2019-test-sensitivity" in (data / "claims.ttl").read_text()
    counted = [h.value for h in open_page("studies", study=STUDY).subheader if h.value.startswith("Measured results")]
    assert counted == [f"Measured results ({before + 1})"]


def test_two_sessions_writing_one_after_the_other_lose_nothing(data: Path) -> None:
    first, second = curating(study=STUDY), curating(study=STUDY)  # both opened before either writes
    fill_result(first, "80")
    fill_result(second, "81")
    second.text_input(key="result:name").input("lee2019-test-sensitivity-second")
    assert successes(save(first, "result", "Save the result"))
    assert successes(save(second, "result", "Save the result"))
    text = (data / "claims.ttl").read_text()
    assert "res:lee2019-test-sensitivity a " in text and "res:lee2019-test-sensitivity-second a " in text


def test_risk_of_bias_form_offers_the_design_s_tool_prefilled_and_the_table_follows(data: Path) -> None:
    at = curating(study=STUDY)
    assert any("its design calls for QUADAS-2" in plain(c.value) for c in at.caption)
    # Prefilled from the current assessment: four QUADAS-2 domains, applicability on the first three.
    assert at.selectbox(key="rob:0:judgement").value == "no information"
    assert at.selectbox(key="rob:0:applicability").value == "high concern"
    assert not [s for s in at.selectbox if s.key == "rob:3:applicability"]
    assert "36 hips" in at.text_area(key="rob:0:reason").value
    before = (data / "claims.ttl").read_bytes()
    at.selectbox(key="rob:0:judgement").set_value("high")  # the overall stays "no information": better than high
    at = save(at, "rob", "Save the risk of bias")
    assert (data / "claims.ttl").read_bytes() == before
    assert any("cannot be better than the worst domain" in e for e in errors(at))
    at.selectbox(key="rob:overall").set_value("high")
    at.text_area(key="rob:reason").input("Patient selection is at high risk, so the study is.")
    at = save(at, "rob", "Save the risk of bias")
    assert any("by Ada Tester" in s for s in successes(at)), errors(at)
    text = (data / "claims.ttl").read_text()
    block = text.split("rob:lee2019 a hs:Quadas2Assessment")[1].split("\n\n")[0]
    assert "hs:overallJudgement hs:HighRisk" in block
    assert 'prov:wasAttributedTo [ a hs:Curator ; rdfs:label "Ada Tester" ]' in block
    table = next(m.value for m in at.markdown if "rob-table" in m.value)
    assert "Patient selection is at high risk, so the study is." in table  # the new traffic-light table

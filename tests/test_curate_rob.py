"""kg.curate's risk-of-bias operation: accepted (one block in section 8, a fresh build shows it and rates the
claims again), refused (wrong tool for the design, a missing domain, an overall better than the worst domain,
a judgement off the tool's scale: the file byte-identical, the reason keyed to its field), delete, plain data."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.curate import Curation, DomainJudgement, Refusal, RiskOfBias
from kg.curate.layout import Layout
from kg.curate.operations import from_dict
from kg.ingest.build import DataSources

CURATOR = "Test Curator"
ROB = "https://w3id.org/hipspine/id/rob/"
CLAIM = "https://w3id.org/hipspine/id/claim/"
CERTAINTY = "SELECT ?claim ?level WHERE { ?claim hs:certainty/hs:certaintyLevel/rdfs:label ?level }"
JUDGEMENTS = """SELECT ?domain ?judgement WHERE { ?rob hs:assessesStudy/hs:bibKey "lee2019accuracy" ;
    hs:domainJudgement [ hs:robDomain/rdfs:label ?domain ; hs:judgement/rdfs:label ?judgement ] }"""


@pytest.fixture
def cur(data: DataSources) -> Curation:
    return Curation(CURATOR, data)


def domain(name: str, judgement: str, applicability: str | None = None) -> DomainJudgement:
    return DomainJudgement(name, judgement, f"The {name} is reported in enough detail to judge.", "Abstract (methods)",
                           applicability)


def quadas(patient_selection: str = "low", overall: str = "low", study: str = "lee2019accuracy",
           tool: str = "QUADAS-2") -> RiskOfBias:
    return RiskOfBias(study, tool, (domain("patient selection", patient_selection, "high concern"),
                                    domain("index test", "low", "low concern"),
                                    domain("reference standard", "low", "low concern"),
                                    domain("flow and timing", "low")),
                      overall, "The overall judgement follows the worst domain.", "Abstract")


def test_an_edit_replaces_the_block_in_section_8_and_the_build_rates_the_claims_again(
        cur: Curation, data: DataSources) -> None:
    before = {str(r["claim"]): r["level"] for r in cur.graph().select(CERTAINTY)}
    applied = cur.edit(quadas())
    assert applied.action == "edit" and applied.records == [ROB + "lee2019"]  # the file's own name for it
    assert len(re.findall(r"^@@ .* @@", applied.diff, flags=re.M)) == 1
    text = data.claims.read_text(encoding="utf-8")
    layout = Layout(text)
    block = layout.block_of(ROB + "lee2019")
    assert block is not None
    section = layout.section_at(block.start)
    assert section is not None and section.number == 8
    written = layout.block_text(block)
    assert written.count("rob:lee2019 a hs:Quadas2Assessment") == 1 and text.count("rob:lee2019 ") == 1
    assert "hs:robDomain hs:QuadasPatientSelection ; hs:judgement hs:LowRisk ; hs:applicability hs:HighConcern ;" \
        in written
    assert 'prov:wasAttributedTo [ a hs:Curator ; rdfs:label "Test Curator" ]' in written
    graph = cur.graph()
    assert {r["domain"]: r["judgement"] for r in graph.select(JUDGEMENTS)} == {
        "patient selection": "low", "index test": "low", "reference standard": "low", "flow and timing": "low"}
    after = {str(r["claim"]): r["level"] for r in graph.select(CERTAINTY)}
    # Low risk of bias in lee2019 no longer rates its diagnostic claims down for it.
    assert before[CLAIM + "negative-mri-rules-out"] == "Low"
    assert after[CLAIM + "negative-mri-rules-out"] == "Moderate"
    assert cur.check(quadas()) == {}


def test_a_judgement_change_changes_the_certainty(cur: Curation) -> None:
    cur.edit(quadas())
    low = {str(r["claim"]): r["level"] for r in cur.graph().select(CERTAINTY)}
    cur.edit(quadas(patient_selection="high", overall="high"))
    high = {str(r["claim"]): r["level"] for r in cur.graph().select(CERTAINTY)}
    assert low[CLAIM + "cta-better-than-mri-labral"] != high[CLAIM + "cta-better-than-mri-labral"]


@pytest.mark.parametrize(("op", "field", "message"), [
    (quadas(tool="ROBIS"), "domains[0].domain", "is not a ROBIS domain"),
    (quadas(tool="ROBIS"), "tool", "its design calls for QUADAS-2, not ROBIS"),
    (RiskOfBias("lee2019accuracy", "ROBIS", tuple(domain(d, "low") for d in (
        "study eligibility criteria", "identification and selection of studies", "data collection and study appraisal",
        "synthesis and findings")), "low", "A review's four domains, all low.", "Abstract"),
     "tool", "its design calls for QUADAS-2, not ROBIS"),
    (RiskOfBias("devin2012hipspine", "QUADAS-2", quadas().domains, "low", "Four domains, all at low risk.", "Abstract"),
     "tool", "no risk-of-bias tool applies"),
    (RiskOfBias("lee2019accuracy", "QUADAS-2", quadas().domains[:3], "low", "Three domains only, all low.", "Abstract"),
     "domains", "missing flow and timing"),
    (quadas(patient_selection="high", overall="low"), "overall",
     "cannot be better than the worst domain: low is better than high"),
    (quadas(patient_selection="some concerns", overall="some concerns"), "domains[0].judgement",
     "is not on QUADAS-2's scale"),
    (RiskOfBias("lee2019accuracy", "QUADAS-2", (*quadas().domains[:3], domain("flow and timing", "low", "low")), "low",
                "All four domains are low.", "Abstract"), "domains[3].applicability", "belong to QUADAS-2's"),
    (RiskOfBias("devin2012hipspine", "not applicable", (), None, "", "Abstract"), "reason", "say why"),
])
def test_a_refused_assessment_leaves_the_file_byte_identical(cur: Curation, data: DataSources, op: RiskOfBias,
                                                             field: str, message: str) -> None:
    before = data.claims.read_bytes()
    with pytest.raises(Refusal) as refused:
        cur.save(op)
    assert data.claims.read_bytes() == before
    assert any(message in text for text in refused.value.messages.get(field, [])), refused.value.messages


def test_not_applicable_with_its_reason_and_a_new_assessment_for_a_study_without_one(
        cur: Curation, data: DataSources) -> None:
    applied = cur.edit(RiskOfBias("devin2012hipspine", "not applicable",
                                  reason="A narrative review without a stated search: no tool of the appraisal covers "
                                         "it.", section="Abstract"))
    assert applied.records == [ROB + "devin2012"]
    text = data.claims.read_text(encoding="utf-8")
    assert "rob:devin2012 a hs:RiskOfBiasNotApplicable ;" in text and "stated search: no tool" in text
    # Delete it and add it again under the study's key: a new block at the end of section 8.
    assert cur.orphans_of("rob:devin2012") == []
    cur.delete("rob:devin2012")
    assert "rob:devin2012 " not in data.claims.read_text(encoding="utf-8")
    added = cur.add(RiskOfBias("devin2012hipspine", "not applicable", reason="A narrative review: no tool applies.",
                               section="Abstract"))
    assert added.action == "add" and added.records == [ROB + "devin2012hipspine"]
    layout = Layout(data.claims.read_text(encoding="utf-8"))
    block = layout.block_of(ROB + "devin2012hipspine")
    assert block is not None
    section = layout.section_at(block.start)
    assert section is not None and section.number == 8
    rows = cur.graph().select("""SELECT ?cls WHERE { ?rob hs:assessesStudy/hs:bibKey "devin2012hipspine" ; a ?cls }""")
    assert {str(r["cls"]).rsplit("#", 1)[-1] for r in rows} >= {"RiskOfBiasNotApplicable"}


def test_an_assessment_from_plain_data() -> None:
    op = from_dict("rob", {"study": "lee2019accuracy", "tool": "QUADAS-2", "overall": "high", "reason": "r" * 12,
                           "section": "Abstract", "domains": [{"domain": "index test", "judgement": "high",
                                                               "reason": "r" * 12, "section": "Methods",
                                                               "applicability": "low concern"}]})
    assert isinstance(op, RiskOfBias)
    assert op.domains == (DomainJudgement("index test", "high", "r" * 12, "Methods", "low concern"),)


def test_a_persistent_store_takes_the_change_in_place_and_rates_again(data: DataSources, tmp_path: Path) -> None:
    from kg import load
    from kg.curate.store import update_persistent
    from kg.ingest.build import assemble

    store_path = tmp_path / "store"
    first = load(bib=data.bib, claims=data.claims, store_path=store_path)
    assert first.build is not None
    del first
    applied = Curation(CURATOR, data).edit(quadas())
    update = update_persistent(store_path, data, applied.before_bytes, applied.after_bytes, applied.records)
    assert update.updated and update.removed and update.added
    again = load(bib=data.bib, claims=data.claims, store_path=store_path)
    assert again.build is None  # reopened, not rebuilt
    assert {q.triple for q in again.snapshot()} == {q.triple for q in assemble(data).store}
    level = again.select(f"SELECT ?level WHERE {{ <{CLAIM}negative-mri-rules-out> "
                         "hs:certainty/hs:certaintyLevel/rdfs:label ?level }")
    assert [r["level"] for r in level] == ["Moderate"]

"""kg.curate: every operation accepted (one hunk in the right section, a fresh build shows it) and refused
(the file byte-identical, the reason keyed to its field); deletes and what they orphan; concurrent writers."""
from __future__ import annotations

import multiprocessing as mp
import re
from pathlib import Path

import pytest

from kg import load
from kg.curate import (
    Arm,
    Claim,
    Curation,
    EventCounts,
    EvidenceLine,
    NewConcept,
    Pico,
    Refusal,
    Result,
    StudyFacts,
    TwoByTwo,
    history,
)
from kg.curate.diff import unified
from kg.curate.layout import Layout
from kg.curate.operations import from_dict
from kg.ingest.build import DataSources
from kg.quality.validate import validate

HS = "https://w3id.org/hipspine/vocab#"
CURATOR = "Test Curator"


@pytest.fixture
def cur(data: DataSources) -> Curation:
    return Curation(CURATOR, data)


def hunks(diff: str) -> list[str]:
    return re.findall(r"^@@ .* @@", diff, flags=re.M)


def section_of(text: str, iri: str) -> str:
    layout = Layout(text)
    block = layout.block_of(iri)
    assert block is not None, iri
    return next(s.title for s in layout.sections if s.start <= block.start < s.end)


def ask(data: DataSources, sparql: str) -> list[dict[str, object]]:
    return load(bib=data.bib, claims=data.claims).select(sparql)


def result(**overrides: object) -> Result:
    fields: dict[str, object] = dict(study="lee2019accuracy", name="lee2019-test-sensitivity", measure="sensitivity",
                                     value="72.0", unit="percent", section="Abstract (results)",
                                     label="Lee 2019: a test figure", index_test="c:mri",
                                     reference_standard="c:arthroscopic-findings", target_conditions=("c:labral-tear",))
    fields.update(overrides)
    return Result(**fields)  # type: ignore[arg-type]


def test_the_layout_reads_and_edits_bytes_past_characters_of_several_bytes() -> None:
    """Offsets are byte offsets into the UTF-8 file: a title, a block and an edit after "ó", "≥" and "𝛼" land on
    the right characters, and the diff made of the edit shows exactly the lines it changed."""
    text = ("@prefix ex: <http://example.org/> .\n\n" + "#" * 20 + "\n# 1. Études ≥ 2\n" + "#" * 20 + "\n\n"
            'ex:gómez ex:note "Gómez-Hoyos ≥ 𝛼" ;\n    ex:k ex:b .\n\n' + "#" * 20 + "\n# 2. Après\n" + "#" * 20
            + "\n\nex:z ex:note \"–\" .\n")
    layout = Layout(text.encode("utf-8"))
    assert [s.title for s in layout.sections] == ["Études ≥ 2", "Après"]
    block = layout.block_of("http://example.org/gómez")
    assert block is not None and layout.block_text(block) == 'ex:gómez ex:note "Gómez-Hoyos ≥ 𝛼" ;\n    ex:k ex:b .\n'
    assert [b.subject for b in layout.blocks_mentioning("ex:b")] == ["ex:gómez"]
    first = layout.sections[0]
    after = layout.insert_in_section(first, 'ex:ñ ex:note "ü" .')
    assert after.decode("utf-8") == text.replace('ex:k ex:b .\n', 'ex:k ex:b .\n\nex:ñ ex:note "ü" .\n')
    assert layout.edit is not None
    diff = unified(layout.data, [layout.edit])
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == ["+", '+ex:ñ ex:note "ü" .'] and "@@ -6,6 +6,8 @@" in diff  # the blank line and the block
    assert ' ex:gómez ex:note "Gómez-Hoyos ≥ 𝛼" ;\n' in diff


# ---- accepted ----------------------------------------------------------------------------------------------

def test_a_result_goes_as_one_block_at_the_end_of_its_section_with_provenance(cur: Curation, data: DataSources) -> None:
    applied = cur.add(result(interval=("60.0", "80.0"), confidence_level=95, observer="observer 1",
                             two_by_two=TwoByTwo(18, 3, 7, 8)))
    assert applied.action == "add" and len(hunks(applied.diff)) == 1
    text = data.claims.read_text(encoding="utf-8")
    iri = "https://w3id.org/hipspine/id/result/lee2019-test-sensitivity"
    assert section_of(text, iri).startswith("Measured results")
    layout = Layout(text)
    results_section = layout.section_for("measured results")
    assert results_section is not None
    last = [b for b in layout.blocks if results_section.start <= b.start < results_section.end][-1]
    assert layout.expand(last.subject) == iri  # at the end of the section
    rows = ask(data, f"""SELECT ?v ?lo ?who ?at ?tp WHERE {{ <{iri}> qudt:value ?v ; hs:lowerBound ?lo ;
        prov:wasAttributedTo [ a hs:Curator ; rdfs:label ?who ] ; prov:generatedAtTime ?at ; hs:truePositives ?tp ;
        a obo:STATO_0000233 ; hs:resultOf/hs:bibKey "lee2019accuracy" }}""")
    assert rows == [{"v": 72.0, "lo": 60.0, "who": CURATOR, "at": applied.at, "tp": 18}]
    assert validate(data).ok


def test_an_evidence_line_on_an_existing_claim_with_a_new_stance(cur: Curation, data: DataSources) -> None:
    applied = cur.add(EvidenceLine(study="lee2019accuracy", claim="claim:mri-detects-chondral-lesions",
                                   stance="contradicts", section="Abstract (results)", pico="pf:lee2019-mri",
                                   rationale="MRI missed chondral lesions that arthroscopy found.",
                                   results=("res:lee2019-mri-obs1-sensitivity",)))
    assert len(hunks(applied.diff)) == 1
    assert section_of(applied.after, applied.records[0]).startswith("Evidence lines")
    rows = ask(data, """SELECT ?p WHERE { ?p mp:challenges claim:mri-detects-chondral-lesions ; hs:bibKey "lee2019accuracy" }""")
    assert len(rows) == 1


def test_an_evidence_line_with_a_new_claim_writes_the_claim_in_the_claims_section(cur: Curation, data: DataSources) -> None:
    applied = cur.add(EvidenceLine(
        study="lee2019accuracy", claim="", stance="supports", section="Abstract (results)", pico="pf:lee2019-cta",
        rationale="CT arthrography found most labral tears.",
        new_claim=Claim(name="cta-finds-labral-tears", label="CT arthrography finds labral tears",
                        statement="CT arthrography detects most acetabular labral tears that arthroscopy confirms.",
                        sources=("lee2019accuracy",), section="Lee 2019, abstract (results)")))
    claim_iri = "https://w3id.org/hipspine/id/claim/cta-finds-labral-tears"
    assert applied.records[0] == claim_iri
    assert section_of(applied.after, claim_iri).startswith("Claims")
    assert len(hunks(applied.diff)) == 2  # one in the claims section, one in the evidence lines
    rows = ask(data, "SELECT ?s WHERE { ?p mp:supports claim:cta-finds-labral-tears ; hs:bibKey ?s }")
    assert rows == [{"s": "lee2019accuracy"}]


def test_study_facts_edit_keeps_what_the_form_does_not_manage(cur: Curation, data: DataSources) -> None:
    applied = cur.save(StudyFacts(study="lee2019accuracy", design="c:retrospective-diagnostic-accuracy",
                                  level="c:loe-2", level_basis="Re-appraised for the test.", sample_size=36,
                                  sample_unit="hips"))
    assert applied.action == "edit" and len(hunks(applied.diff)) == 1
    assert "hs:curationNote \"36 hips in 33 patients.\"" in applied.after  # unmanaged, kept
    assert "schema:publicationType mesh:D064888" in applied.after and "mesh:D012189 ." in applied.after
    rows = ask(data, """SELECT ?l ?who WHERE { ?p hs:bibKey "lee2019accuracy" ; hs:levelOfEvidence ?l ;
                        prov:wasAttributedTo [ a hs:Curator ; rdfs:label ?who ] }""")
    assert rows == [{"l": "https://w3id.org/hipspine/concept/loe-2", "who": CURATOR}]


def test_a_pico_frame_and_a_new_concept(cur: Curation, data: DataSources) -> None:
    concept = cur.add(NewConcept(name="c:hip-ultrasound", label="Hip ultrasound", scheme="c:diagnostic-tests",
                                 synonyms=("sonography of the hip",), broader="c:diagnostic-imaging"))
    assert section_of(concept.after, concept.records[0]).startswith("Concepts added in curation")
    frame = cur.save(Pico(study="lee2019accuracy", frame="lee2019-us", label="Lee 2019: a test frame",
                          population=Arm("Hips before arthroscopy", ("c:labral-tear",)), participants=36,
                          intervention=Arm("Index test: ultrasound", ("c:hip-ultrasound",)),
                          comparator=Arm("Reference standard: arthroscopy", ("c:arthroscopic-findings",)),
                          outcomes=Arm("Accuracy", ("c:diagnostic-accuracy",))))
    assert frame.action == "add" and len(hunks(frame.diff)) == 1
    assert section_of(frame.after, frame.records[0]).startswith("PICO frames")
    rows = ask(data, """SELECT ?n ?label WHERE { pf:lee2019-us pico:population ?pop ;
                            pico:interventionGroup/pico:intervention ?c .
                        ?pop pico:numberOfParticipants ?n . ?c skos:prefLabel ?label }""")
    assert rows == [{"n": 36, "label": "Hip ultrasound"}]


def test_an_unbacked_assertion_goes_to_its_own_section(cur: Curation) -> None:
    applied = cur.add(Claim(name="test-assertion", label="A test assertion", statement="The article says so on its own.",
                            sources=("hauser2021hipspine",), section="Caring Medical article, a test",
                            asserted_by=("hauser2021hipspine",), unbacked=True))
    assert "own authority" in section_of(applied.after, applied.records[0])


def test_an_edit_changes_the_block_in_place(cur: Curation, data: DataSources) -> None:
    cur.add(result())
    applied = cur.edit(result(value="74.0"))
    assert applied.action == "edit" and len(hunks(applied.diff)) == 1
    assert "-    qudt:value 72.0" in applied.diff and "+    qudt:value 74.0" in applied.diff
    rows = ask(data, "SELECT ?v WHERE { res:lee2019-test-sensitivity qudt:value ?v }")
    assert rows == [{"v": 74.0}]


def test_an_evidence_line_is_edited_by_study_and_claim_whatever_its_name(cur: Curation) -> None:
    applied = cur.edit(EvidenceLine(study="lee2019accuracy", claim="claim:negative-mri-rules-out", stance="qualifies",
                                    section="Abstract (results)", pico="pf:lee2019-mri",
                                    rationale="A test rationale for the edit."))
    assert applied.records == ["https://w3id.org/hipspine/id/evidence/lee2019--negative-mri-rules-out"]
    assert len(hunks(applied.diff)) == 1


def test_a_delete_removes_the_block_and_the_build_forgets_it(cur: Curation, data: DataSources) -> None:
    cur.add(result())
    applied = cur.delete("res:lee2019-test-sensitivity")
    assert applied.action == "delete" and len(hunks(applied.diff)) == 1
    assert "lee2019-test-sensitivity" not in applied.after
    assert ask(data, "SELECT ?v WHERE { res:lee2019-test-sensitivity ?p ?v }") == []


def test_add_then_delete_gives_back_the_same_bytes(cur: Curation, data: DataSources) -> None:
    original = data.claims.read_bytes()
    cur.add(result())
    cur.delete("res:lee2019-test-sensitivity")
    assert data.claims.read_bytes() == original


def test_history_lists_the_changes_newest_first(cur: Curation, data: DataSources) -> None:
    cur.add(result())
    cur.save(StudyFacts(study="barry2017early", design="c:retrospective-matched-cohort", level="c:loe-3",
                        level_basis="Checked again.", sample_size=105, sample_unit="patients"))
    rows = history(load(bib=data.bib, claims=data.claims))
    assert [r["kind"] for r in rows][:2] in (["study", "result"], ["result", "study"])
    assert {r["curator"] for r in rows} == {CURATOR}
    assert all(r["at"] for r in rows)


def patched(before: str, diff: str) -> str:
    """`diff` (unified, with context) applied to `before`, checking every context and removed line."""
    lines = before.splitlines(True)
    out: list[str] = []
    at = 0
    for hunk in re.split(r"^@@ ", diff, flags=re.M)[1:]:
        head, _, body = hunk.partition("\n")
        old_start = int(re.match(r"-(\d+)", head).group(1))  # type: ignore[union-attr]
        out += lines[at:old_start - 1]
        at = old_start - 1
        for line in body.splitlines(True):
            tag, text = line[0], line[1:]
            if tag in " -":
                assert lines[at] == text, (at, lines[at], text)
                at += 1
            if tag in " +":
                out.append(text)
    return "".join(out + lines[at:])


def test_the_diff_is_a_git_style_patch_from_before_to_after(cur: Curation) -> None:
    import difflib

    changes = [
        cur.add(NewConcept(name="c:diff-concept", label="Diff concept", scheme="c:outcomes")),  # declares skos:
        cur.add(EvidenceLine(study="lee2019accuracy", claim="", stance="supports", section="Abstract",
                             pico="pf:lee2019-cta", rationale="A rationale for the diff test.",
                             new_claim=Claim(name="diff-claim", label="Diff claim", statement="A claim for the diff test.",
                                             sources=("lee2019accuracy",), section="Abstract"))),
        cur.save(StudyFacts(study="lee2019accuracy", design="c:retrospective-diagnostic-accuracy", level="c:loe-2",
                            level_basis="For the diff test.", sample_size=36, sample_unit="hips")),
        cur.add(result()),
        cur.delete("res:lee2019-test-sensitivity"),
    ]
    for applied in changes:
        expected = "".join(difflib.unified_diff(applied.before.splitlines(True), applied.after.splitlines(True),
                                                "a/claims.ttl", "b/claims.ttl", n=3))
        assert patched(applied.before, applied.diff) == applied.after
        assert len(hunks(applied.diff)) == len(hunks(expected))  # the same hunks as a line diff finds


# ---- refused -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("op", "field", "words"), [
    (result(name="x1", interval=("80.0", "90.0")), "interval", "does not contain the value 72.0"),
    (result(name="x2", value=140), "value", "sensitivity of 140% is impossible"),
    (result(name="x3", measure="odds ratio", unit="ratio", value="0", target_conditions=()), "value", "above 0"),
    (result(name="x4", p_value="1.5"), "p_value", "between 0 and 1"),
    (result(name="x5", two_by_two=TwoByTwo(10, 1, 10, 5)), "two_by_two", "gives a sensitivity of 50.0%"),
    (result(name="x6", events=EventCounts(40, 35)), "events", "cannot happen in a group of 35"),
    (result(name="x7", study="nosuch2019"), "study", "unknown BibTeX key 'nosuch2019'"),
    (result(name="x8", index_test="c:no-such-test"), "index_test", "not defined"),
    (EvidenceLine(study="nosuch2019", claim="claim:mri-detects-labral-tears", stance="supports", section="Abstract",
                  rationale="A rationale for a study that does not exist."), "study", "unknown BibTeX key"),
    (EvidenceLine(study="lee2019accuracy", claim="claim:mri-detects-labral-tear", stance="supports",
                  section="Abstract", pico="pf:lee2019-mri", rationale="A rationale on a mistyped claim."),
     "claim", "did you mean claim:mri-detects-labral-tears"),
    (EvidenceLine(study="lee2019accuracy", claim="claim:mri-detects-chondral-lesions", stance="endorses",
                  section="Abstract", pico="pf:lee2019-mri", rationale="A rationale with a bad stance."),
     "stance", "is not a stance"),
    (StudyFacts(study="lee2019accuracy", design="c:loe-3", level="c:loe-3"), "design", "not in the c:study-designs scheme"),
    (StudyFacts(study="lee2019accuracy", design="c:retrospective-diagnostic-accuracy", level="c:loe-3",
                sample_size=0, sample_unit="hips"), "sample_size", "positive whole number"),
    (Pico(study="lee2019accuracy", frame="lee2019-bad", label="A frame without a population wording",
          population=Arm(None, ("c:labral-tear",)), intervention=Arm("MRI", ("c:mri",)), outcomes=Arm("Accuracy")),
     "population", "a population needs a description"),
])
def test_a_refused_change_leaves_the_file_byte_identical(cur: Curation, data: DataSources, op: object, field: str,
                                                          words: str) -> None:
    before = data.claims.read_bytes()
    with pytest.raises(Refusal) as refused:
        cur.save(op)  # type: ignore[arg-type]
    assert data.claims.read_bytes() == before
    assert any(words in m for m in refused.value.messages.get(field, [])), refused.value.messages


def test_the_dry_run_check_gives_the_same_messages_and_writes_nothing(cur: Curation, data: DataSources) -> None:
    before = data.claims.read_bytes()
    assert cur.check(result()) == {}
    assert "value" in cur.check(result(value=140))
    assert data.claims.read_bytes() == before


def test_adding_what_exists_or_editing_what_is_gone_is_refused(cur: Curation, data: DataSources) -> None:
    before = data.claims.read_bytes()
    with pytest.raises(Refusal) as exists:
        cur.add(EvidenceLine(study="lee2019accuracy", claim="claim:negative-mri-rules-out", stance="supports",
                             section="Abstract", pico="pf:lee2019-mri", rationale="Already there as ev:lee2019--…"))
    assert "already exists" in exists.value.messages["claim"][0]
    with pytest.raises(Refusal) as gone:
        cur.edit(result(name="never-written"))
    assert "no longer in the claims file" in gone.value.messages["record"][0]
    with pytest.raises(Refusal):
        cur.delete("res:never-written")
    with pytest.raises(Refusal) as nobody:
        Curation(" ", data).add(result())
    assert "curator" in nobody.value.messages
    assert data.claims.read_bytes() == before


def test_a_delete_that_would_orphan_evidence_is_refused_and_orphans_of_lists_it(cur: Curation, data: DataSources) -> None:
    orphans = cur.orphans_of("claim:negative-mri-rules-out")
    assert {o.record for o in orphans} == {"ev:annabell2018--negative-mri-rules-out", "ev:lee2019--negative-mri-rules-out",
                                           "ev:rajeev2017--negative-mri-rules-out"}
    assert {o.property for o in orphans} == {"hs:evidenceFor"}
    assert [o.record for o in cur.orphans_of("res:rajeev2017-cam-specificity")] == ["ev:rajeev2017--mra-helps-cam-impingement"]
    last = cur.orphans_of("ev:kameda2020--gluteus-medius-syndrome-related")
    assert [(o.record, o.property) for o in last] == [("claim:gluteus-medius-syndrome-related", None)]
    before = data.claims.read_bytes()
    with pytest.raises(Refusal) as refused:
        cur.delete("claim:negative-mri-rules-out")
    assert "evidence points at a claim that is not defined" in " ".join(refused.value.messages["iri"])
    assert data.claims.read_bytes() == before


def test_operations_from_plain_data() -> None:
    op = from_dict("result", {"study": "lee2019accuracy", "name": "n", "measure": "sensitivity", "value": 60,
                              "unit": "percent", "section": "s", "interval": [50, 70],
                              "two_by_two": {"true_positives": 6, "false_positives": 1, "false_negatives": 4,
                                             "true_negatives": 9}})
    assert isinstance(op, Result) and op.interval == (50, 70) and op.two_by_two == TwoByTwo(6, 1, 4, 9)


def test_the_writer_follows_the_files_sections_not_todays_content(cur: Curation, data: DataSources) -> None:
    # Another curator appended a section and reordered nothing else: the writer still finds its sections.
    text = data.claims.read_text(encoding="utf-8")
    data.claims.write_text(text + "\n" + "#" * 99 + "\n# 8. Risk of bias: a section someone else added\n" + "#" * 99
                           + "\n\n", encoding="utf-8")
    applied = cur.add(result())
    assert section_of(applied.after, applied.records[0]).startswith("Measured results")
    concept = cur.add(NewConcept(name="c:test-concept", label="Test concept", scheme="c:outcomes"))
    assert "# 9. Concepts added in curation" in concept.after


# ---- two writers at once -----------------------------------------------------------------------------------

def _writer(claims: str, bib: str, prefix: str, count: int) -> None:
    cur = Curation(f"writer {prefix}", DataSources(Path(bib), Path(claims)))
    for i in range(count):
        cur.add(result(name=f"{prefix}-{i}", label=f"{prefix} {i}"))


def test_two_concurrent_writers_lose_nothing(data: DataSources) -> None:
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(data.claims), str(data.bib), p, 4)) for p in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    text = data.claims.read_text(encoding="utf-8")
    for p in ("a", "b"):
        for i in range(4):
            assert f"res:{p}-{i} a hs:MeasuredResult" in text
    assert validate(data).ok


def test_a_change_is_reapplied_on_the_file_as_it_is_when_written(cur: Curation, data: DataSources) -> None:
    # Another session's write lands between this session's read and its write: both survive.
    seen = data.claims.read_text(encoding="utf-8")
    Curation("other", data).add(result(name="other-first"))
    applied = cur.add(result(name="mine-second"))
    assert applied.before != seen and "res:other-first" in applied.after and "res:mine-second" in applied.after


def test_an_edit_of_a_record_another_session_deleted_is_refused(cur: Curation, data: DataSources) -> None:
    cur.add(result())
    Curation("other", data).delete("res:lee2019-test-sensitivity")
    before = data.claims.read_bytes()
    with pytest.raises(Refusal):
        cur.edit(result(value="75.0"))
    assert data.claims.read_bytes() == before

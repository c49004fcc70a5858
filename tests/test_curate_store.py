"""A change applied to a built store (delete/insert of its records' triples) equals a rebuild of the new file,
for embedded stores and for a persistent one, which is then reopened without rebuilding."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import load
from kg.curate import Applied, Arm, Claim, Curation, EvidenceLine, NewConcept, Pico, Result, StudyFacts
from kg.curate.store import apply_delta, delta, update_persistent
from kg.ingest.build import DataSources, assemble
from kg.model.namespace import PREFIXES
from kg.store.persistent import read_manifest


def triples(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store}


def built(data: DataSources, text: str, tmp: Path) -> ox.Store:
    path = tmp / "built" / "claims.ttl"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return assemble(DataSources(data.bib, path)).store


def _second_line_then_delete(cur: Curation) -> Applied:
    """Two lines of one study on one claim with one stance derive one `mp:supports`: deleting either keeps it."""
    cur.add(EvidenceLine(study="rajeev2017validity", claim="claim:mri-detects-labral-tears", stance="supports",
                         section="Abstract (conclusion)", pico="pf:rajeev2017", name="rajeev2017-second--labral",
                         rationale="A second line with the same stance."))
    return cur.delete("ev:rajeev2017--mri-detects-labral-tears")


CHANGE_OPS = {
    "study facts": StudyFacts(study="lee2019accuracy", design="c:retrospective-diagnostic-accuracy", level="c:loe-2",
                              level_basis="Test.", sample_size=36, sample_unit="hips"),
    "pico": Pico(study="lee2019accuracy", frame="lee2019-t", label="Test frame", population=Arm("Hips", ("c:labral-tear",)),
                 intervention=Arm("MRI", ("c:mri",)), outcomes=Arm("Accuracy", ("c:diagnostic-accuracy",)), participants=36),
    "result": Result(study="onggo2021comparable", name="onggo-test", measure="risk ratio", value=0.9, unit="ratio",
                     section="Abstract", interval=(0.5, 1.6), confidence_level=95),
}

CHANGES = {
    "new evidence and claim": lambda c: c.add(EvidenceLine(
        study="lee2019accuracy", claim="", stance="qualifies", section="Abstract", pico="pf:lee2019-mri",
        rationale="A qualifying test rationale.",
        new_claim=Claim(name="test-claim", label="A test claim", statement="A statement of the test claim.",
                        sources=("lee2019accuracy",), section="Abstract"))),
    "edit stance": lambda c: c.edit(EvidenceLine(
        study="lee2019accuracy", claim="claim:negative-mri-rules-out", stance="supports", section="Abstract",
        pico="pf:lee2019-mri", rationale="The stance turned round for the test.")),
    "delete evidence": lambda c: c.delete("ev:annabell2018--mri-detects-labral-tears"),
    "delete one of two lines with the same derived stance": lambda c: _second_line_then_delete(c),
    "study facts": lambda c: c.save(CHANGE_OPS["study facts"]),
    "pico": lambda c: c.save(CHANGE_OPS["pico"]),
    "concept": lambda c: c.add(NewConcept(name="c:test-c", label="Test concept", scheme="c:outcomes")),
    "result": lambda c: c.add(CHANGE_OPS["result"]),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_the_store_update_equals_a_rebuild(data: DataSources, tmp_path: Path, name: str) -> None:
    applied: Applied = CHANGES[name](Curation("Store Test", data))
    store = built(data, applied.before, tmp_path)
    change = delta(applied.before_bytes, applied.after_bytes, applied.records, store)
    assert change.removed or change.added
    apply_delta(store, change, applied.records)
    assert triples(store) == triples(assemble(data).store)
    assert applied.store is not None and triples(applied.store) == triples(store)  # the validated candidate, too


def test_a_persistent_store_is_updated_in_place_and_reopened_without_a_rebuild(data: DataSources, tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    first = load(bib=data.bib, claims=data.claims, store_path=store_path)
    assert first.build is not None  # built once
    del first
    applied = CHANGES["new evidence and claim"](Curation("Store Test", data))
    update = update_persistent(store_path, data, applied.before_bytes, applied.after_bytes, applied.records)
    assert update.updated and update.added > 0 and update.removed == 0
    assert read_manifest(store_path)["curation_updates"] == 1  # type: ignore[index]
    again = load(bib=data.bib, claims=data.claims, store_path=store_path)
    assert again.build is None  # reopened: the manifest matches the changed files
    assert triples(again.snapshot()) == triples(assemble(data).store)


def test_a_stale_persistent_store_is_left_for_a_rebuild(data: DataSources, tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    load(bib=data.bib, claims=data.claims, store_path=store_path)
    CHANGES["concept"](Curation("Store Test", data))  # a change the store never saw
    applied = CHANGES["result"](Curation("Store Test", data))
    update = update_persistent(store_path, data, applied.before_bytes, applied.after_bytes, applied.records)
    assert not update.updated and "rebuilt" in update.reason
    again = load(bib=data.bib, claims=data.claims, store_path=store_path)
    assert again.build is not None  # rebuilt, as for any other change of the inputs


# ---- checked against a store instead of a candidate build (kg.curate.local) ---------------------------------

REFUSALS = [
    (Result(study="lee2019accuracy", name="x1", measure="sensitivity", value="72.0", unit="percent", section="s",
            interval=("80.0", "90.0")), "interval"),
    (Result(study="nosuch2019", name="x2", measure="sensitivity", value="72.0", unit="percent", section="s"), "study"),
    (Result(study="lee2019accuracy", name="x3", measure="sensitivity", value="72.0", unit="percent", section="s",
            index_test="c:no-such-test"), "index_test"),
    (EvidenceLine(study="nosuch2019", claim="claim:mri-detects-labral-tears", stance="supports", section="A",
                  rationale="A study that does not exist."), "study"),
    (EvidenceLine(study="lee2019accuracy", claim="claim:mri-detects-labral-tear", stance="supports", section="A",
                  pico="pf:lee2019-mri", rationale="A mistyped claim."), "claim"),
    (StudyFacts(study="lee2019accuracy", design="c:loe-3", level="c:loe-3"), "design"),
    (Pico(study="lee2019accuracy", frame="lee2019-bad", label="A frame", population=Arm(None, ("c:labral-tear",)),
          intervention=Arm("MRI", ("c:mri",)), outcomes=Arm("Accuracy")), "population"),
]


@pytest.mark.parametrize(("op", "field"), REFUSALS)
def test_checked_against_a_store_the_same_changes_are_refused_on_the_same_field(data: DataSources, op: object,
                                                                                field: str) -> None:
    from kg.curate import Refusal

    before = data.claims.read_bytes()
    for cur in (Curation("Local", data, context=assemble(data).store), Curation("Full", data)):
        with pytest.raises(Refusal) as refused:
            cur.save(op)  # type: ignore[arg-type]
        assert field in refused.value.messages, refused.value.messages
        assert field in cur.check(op), cur.curator  # type: ignore[arg-type]  # the dry run says the same
    assert data.claims.read_bytes() == before


@pytest.mark.parametrize("name", ["new evidence and claim", "edit stance", "study facts", "pico", "concept", "result"])
def test_checked_against_a_store_a_good_change_is_accepted(data: DataSources, name: str) -> None:
    cur = Curation("Local", data, context=assemble(data).store)
    if name in ("study facts", "pico", "result"):
        assert cur.check(CHANGE_OPS[name]) == {}  # the dry run against the store accepts it too
    applied = CHANGES[name](cur)
    assert applied.store is None and applied.after != applied.before


def test_checked_against_a_store_a_delete_that_orphans_is_refused(data: DataSources) -> None:
    from kg.curate import Refusal

    with pytest.raises(Refusal) as refused:
        Curation("Local", data, context=assemble(data).store).delete("claim:negative-mri-rules-out")
    assert any("ev:lee2019--negative-mri-rules-out still points at it" in m for m in refused.value.messages["iri"])


def test_the_claims_a_change_can_move(real_kg) -> None:
    """A study moves the claims of its lines, a line its claim, a concept every claim; bound in each branch of
    the union, the query finds what it finds bound once around it (only faster on a large store)."""
    from kg.ingest.appraise import affected_claims
    from kg.model.namespace import expand
    from kg.query.binding import bind_rows
    from kg.query.named import internal_query

    store = real_kg.snapshot()
    claim_of = {r["claim"] for r in real_kg.select(
        "SELECT ?claim WHERE { ?e hs:evidenceFrom ?s ; hs:evidenceFor ?claim . ?s hs:bibKey 'lee2019accuracy' }")}
    lee = real_kg.select("SELECT ?s WHERE { ?s hs:bibKey 'lee2019accuracy' }")[0]["s"]
    assert claim_of and affected_claims(store, {str(lee)}) == {str(c) for c in claim_of}
    line = expand("ev:annabell2018--mri-detects-labral-tears")
    assert affected_claims(store, {line}) == {expand("claim:mri-detects-labral-tears")}
    assert affected_claims(store, {expand("c:mri")}) is None  # a concept reaches every claim that uses it
    assert affected_claims(store, set()) == set()
    sample = [str(r["x"]) for r in real_kg.select(
        "SELECT DISTINCT ?x WHERE { { ?x hs:evidenceFor ?c } UNION { ?x hs:assessesStudy ?s } UNION "
        "{ ?e hs:hasResult ?x } UNION { ?e hs:pico ?x } }")]
    around = bind_rows(internal_query("appraisal_affected").text, "x", [ox.NamedNode(x) for x in sorted(sample)])
    assert len(sample) > 50
    assert affected_claims(store, sample) == {s["claim"].value for s in store.query(around, prefixes=PREFIXES)}

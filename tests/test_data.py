"""The curated data tested as data: coverage, contradictions, figures, discrepancies, identifiers."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from kg.ingest.bibtex import parse_bib

REPO = Path(__file__).resolve().parent.parent
STUDIES = {
    "devin2012hipspine", "weinberg2017hipspine", "haskel2020concomitant", "eneqvist2017lumbar", "barry2017early",
    "prather2017hip", "onggo2021comparable", "gomezhoyos2017hipspine", "kameda2020gluteus", "rajeev2017validity",
    "annabell2018hip", "lee2019accuracy", "maldonado2020hipspine",
}
# The identifiers checked against PubMed/PMC and publisher records; nothing else may appear.
VERIFIED_DOIS = {
    "devin2012hipspine": "10.5435/JAAOS-20-07-434", "weinberg2017hipspine": "10.1016/j.otsr.2017.05.010",
    "prather2017hip": "10.2519/jospt.2017.6567", "onggo2021comparable": "10.1007/s00586-020-06635-w",
    "kameda2020gluteus": "10.1589/jpts.32.173", "annabell2018hip": "10.1186/s13018-018-0832-z",
    "lee2019accuracy": "10.4055/cios.2019.11.1.21", "maldonado2020hipspine": "10.3928/01477447-20191223-05",
}
VERIFIED_PMIDS = {"prather2017hip": "28158964", "kameda2020gluteus": "32158082", "rajeev2017validity": "28762158",
                  "lee2019accuracy": "30838104"}


def stance_of(kg, key: str, claim: str) -> str | None:
    rows = kg.select("""SELECT ?label WHERE { ?e hs:evidenceFrom ?p ; hs:evidenceFor ?c ; hs:stance ?s .
                        ?p hs:bibKey ?key . ?s rdfs:label ?label }""",
                     {"key": key, "c": kg_iri("claim", claim)})
    return rows[0]["label"] if rows else None


def kg_iri(prefix: str, local: str):
    from pyoxigraph import NamedNode

    from kg.model.namespace import PREFIXES

    return NamedNode(PREFIXES[prefix] + local)


def test_all_thirteen_studies_and_two_sources(real_kg) -> None:
    papers = {r["k"] for r in real_kg.select("SELECT ?k WHERE { ?p a fabio:JournalArticle ; hs:bibKey ?k }")}
    sources = {r["k"] for r in real_kg.select("SELECT ?k WHERE { ?p a hs:SourceArticle ; hs:bibKey ?k }")}
    assert papers == STUDIES
    assert sources == {"hauser2021hipspine", "kangmgbhipspine"}


def test_every_study_has_evidence_and_both_stances_occur(real_kg) -> None:
    with_evidence = {r["k"] for r in real_kg.select("SELECT DISTINCT ?k WHERE { ?e hs:evidenceFrom ?p . ?p hs:bibKey ?k }")}
    assert with_evidence == STUDIES
    direct = real_kg.select("SELECT (COUNT(*) AS ?s) WHERE { ?p mp:supports ?c }")[0]["s"], \
        real_kg.select("SELECT (COUNT(*) AS ?s) WHERE { ?p mp:challenges ?c }")[0]["s"]
    assert all(n > 0 for n in direct)


@pytest.mark.parametrize("key, claim, stance", [
    ("eneqvist2017lumbar", "lumbar-disease-worsens-hip-surgery", "supports"),
    ("barry2017early", "lumbar-disease-worsens-hip-surgery", "supports"),
    ("haskel2020concomitant", "lumbar-disease-worsens-hip-surgery", None),  # arthroscopy: not a replacement study
    ("haskel2020concomitant", "arthroscopy-outcomes-comparable-with-lumbar-disease", "supports"),
    ("onggo2021comparable", "fusion-order-changes-tha-risk", "inconclusive"),  # non-significant, wide interval
    ("onggo2021comparable", "fusion-order-comparable-tha-risk", "supports"),  # the paper's own headline
    ("onggo2021comparable", "lumbar-fusion-risk-factor-tha", None),  # its conclusion is the claim's origin
    ("barry2017early", "lumbar-fusion-risk-factor-tha", "supports"),  # the one fusion vs no fusion comparison
    ("annabell2018hip", "mri-reliable-intra-articular", "qualifies"),  # its authors warn of poor specificity, NPV
    ("annabell2018hip", "mri-detects-labral-tears", "inconclusive"),  # composite accuracy, no labral sensitivity
    ("annabell2018hip", "mri-detects-chondral-lesions", "supports"),
    ("prather2017hip", "hip-spine-symptoms-overlap", "qualifies"),  # coexistence, not similar complaints
    ("lee2019accuracy", "mri-reliable-intra-articular", "contradicts"),
    ("rajeev2017validity", "mri-reliable-intra-articular", "qualifies"),
    ("rajeev2017validity", "mri-detects-chondral-lesions", "contradicts"),
    ("lee2019accuracy", "cta-better-than-mri-labral", "supports"),
    ("maldonado2020hipspine", "guided-injection-identifies-pain-source", "supports"),
])
def test_the_literatures_disagreements_are_modelled(real_kg, key: str, claim: str, stance: str | None) -> None:
    assert stance_of(real_kg, key, claim) == stance


def test_direct_stance_triples_match_evidence_lines(real_kg) -> None:
    rows = real_kg.select("""SELECT ?p ?c WHERE { ?e hs:evidenceFrom ?p ; hs:evidenceFor ?c ; hs:stance hs:Contradicting
                             FILTER NOT EXISTS { ?p mp:challenges ?c } }""")
    assert rows == []
    assert real_kg.select("ASK { ?p hs:qualifies ?c }") if False else bool(real_kg.execute("ASK { ?p hs:qualifies ?c }"))


FIGURES = [
    # (study key, result slug, value, unit local name)
    *[("rajeev2017validity", f"rajeev2017-{t}-{m}", v, "PERCENT") for t, vals in {
        "labral": (84, 64, 80), "chondral": (25, 83, 58), "cam": (34, 83, 66), "delamination": (7, 98, 39)}.items()
      for m, v in zip(("sensitivity", "specificity", "accuracy"), vals, strict=True)],
    *[("lee2019accuracy", f"lee2019-{t}-obs{o}-{m}", v, "PERCENT") for (t, o), vals in {
        ("mri", 1): (60, 80, 64), ("mri", 2): (65, 70, 69), ("cta", 1): (85, 90, 86), ("cta", 2): (92, 80, 89)}.items()
      for m, v in zip(("sensitivity", "specificity", "accuracy"), vals, strict=True)],
    ("annabell2018hip", "annabell2018-accuracy", 85.92, "PERCENT"),
    ("maldonado2020hipspine", "maldonado2020-sensitivity", 93.6, "PERCENT"),
    ("maldonado2020hipspine", "maldonado2020-specificity", 95.0, "PERCENT"),
    ("barry2017early", "barry2017-complications-fusion", 31.4, "PERCENT"),
    ("barry2017early", "barry2017-complications-control", 8.6, "PERCENT"),
    ("barry2017early", "barry2017-reoperation-fusion", 14.3, "PERCENT"),
    ("barry2017early", "barry2017-reoperation-control", 2.9, "PERCENT"),
    ("eneqvist2017lumbar", "eneqvist2017-pain", 4.35, "ScorePoint"),
    ("eneqvist2017lumbar", "eneqvist2017-eq5d", -0.089, "ScorePoint"),
    ("eneqvist2017lumbar", "eneqvist2017-eqvas", -6.75, "ScorePoint"),
    ("eneqvist2017lumbar", "eneqvist2017-satisfaction", 6.04, "ScorePoint"),
    ("onggo2021comparable", "onggo2021-revision-or", 0.86, "Ratio"),
    ("onggo2021comparable", "onggo2021-dislocation-or", 0.82, "Ratio"),
    ("weinberg2017hipspine", "weinberg2017-hip-beta", 0.215, "UNITLESS"),  # a standardized beta is no ratio
    ("weinberg2017hipspine", "weinberg2017-knee-beta", 0.155, "UNITLESS"),
]


@pytest.mark.parametrize("key, slug, value, unit", FIGURES, ids=[f[1] for f in FIGURES])
def test_every_required_figure_is_present_with_unit_and_study(real_kg, key: str, slug: str, value: float, unit: str) -> None:
    rows = real_kg.select("""SELECT ?v ?unit ?key ?section WHERE { ?r qudt:value ?v ; qudt:hasUnit ?unit ;
                             hs:resultOf ?p ; hs:sourceSection ?section . ?p hs:bibKey ?key }""", {"r": kg_iri("res", slug)})
    assert len(rows) == 1, slug
    row = rows[0]
    assert row["v"] == pytest.approx(value) and row["key"] == key and row["unit"].endswith(unit) and row["section"]


def test_confidence_intervals_where_known(real_kg) -> None:
    rows = {r["r"].rsplit("/", 1)[1]: (r["lo"], r["hi"]) for r in real_kg.select(
        "SELECT ?r ?lo ?hi WHERE { ?r hs:lowerBound ?lo ; hs:upperBound ?hi }")}
    assert rows == {"eneqvist2017-pain": (2.57, 6.12), "onggo2021-revision-or": (0.48, 1.54),
                    "onggo2021-dislocation-or": (0.25, 2.72)}


def test_lee_mri_and_cta_are_separate_index_tests(real_kg) -> None:
    rows = real_kg.select("""SELECT ?test (COUNT(?r) AS ?n) WHERE { ?r hs:resultOf ?p ; hs:indexTest ?t .
                             ?p hs:bibKey "lee2019accuracy" . ?t skos:prefLabel ?test } GROUP BY ?test""")
    assert {r["test"]: r["n"] for r in rows} == {"magnetic resonance imaging": 6, "CT arthrography": 6}


def test_discrepancies_can_be_listed_by_kind(real_kg) -> None:
    rows = real_kg.select("""SELECT ?d ?kind ?says ?record WHERE { ?d a hs:Discrepancy ; hs:discrepancyKind ?k ;
                             hs:articleSays ?says ; hs:recordSays ?record . ?k rdfs:label ?kind }""")
    by_kind: dict[str, set[str]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], set()).add(r["d"].rsplit("/", 1)[1])
    assert by_kind["misreport"] == {"haskel2020-intervention", "haskel2020-back-pain-relief", "lee2019-test-swap",
                                    "rajeev2017-merged-range", "prather2017-population", "eneqvist2017-journal-name"}
    assert by_kind["stale citation"] == {"onggo2021-online-first", "maldonado2020-online-first", "rajeev2017-online-first",
                                         "barry2017-online-first"}
    assert by_kind["characterisation gap"] == {"maldonado2020-review-called-study", "weinberg2017-cadaveric",
                                               "onggo2021-headline", "gomezhoyos2017-causation"}
    haskel = next(r for r in rows if r["d"].endswith("haskel2020-intervention"))
    assert "replacement" in haskel["says"] and "arthroscopy" in haskel["record"]


def test_source_cites_each_study_as_evidence_with_its_characterisation(real_kg) -> None:
    rows = real_kg.select("""SELECT ?k ?n WHERE { ?src hs:bibKey "hauser2021hipspine" ; cito:citesAsEvidence ?p .
                             ?p hs:bibKey ?k . ?c cito:hasCitedEntity ?p ; hs:referenceNumber ?n }""")
    assert {r["k"] for r in rows} == STUDIES
    assert sorted(r["n"] for r in rows) == list(range(1, 14))


def test_unbacked_assertions_are_marked_and_have_no_evidence(real_kg) -> None:
    rows = real_kg.select("""SELECT ?c ?src WHERE { ?c a hs:UnbackedAssertion ; hs:assertedBy ?s . ?s hs:bibKey ?src }""")
    assert {r["src"] for r in rows} == {"hauser2021hipspine", "kangmgbhipspine"}
    assert len({r["c"] for r in rows}) >= 8
    assert not real_kg.execute("ASK { ?c a hs:UnbackedAssertion . ?e hs:evidenceFor ?c }")


def test_every_claim_and_figure_names_source_and_section(real_kg) -> None:
    missing = real_kg.select("""SELECT ?x WHERE { { ?x a mp:Claim } UNION { ?x a hs:MeasuredResult } UNION { ?x a hs:Evidence }
                                UNION { ?x a hs:Characterisation }
                                FILTER NOT EXISTS { ?x hs:sourceSection ?s } }""")
    assert missing == []
    missing = real_kg.select("""SELECT ?x WHERE { { ?x a mp:Claim } UNION { ?x a hs:MeasuredResult }
                                FILTER NOT EXISTS { ?x prov:wasDerivedFrom|prov:wasInfluencedBy ?s } }""")
    assert missing == []  # a test proposition names the text that raised it instead (prov:wasInfluencedBy)
    unattributed = real_kg.select("SELECT ?c WHERE { ?c a mp:Claim FILTER NOT EXISTS { ?c prov:wasAttributedTo ?a } }")
    assert unattributed == []


def test_a_claims_origin_is_never_a_study_against_it(real_kg) -> None:
    """prov:wasDerivedFrom says where a claim came from; the studies that bear on it are its evidence lines."""
    assert real_kg.select("""SELECT ?c ?p WHERE { ?c a mp:Claim ; prov:wasDerivedFrom ?p .
                             ?e hs:evidenceFor ?c ; hs:evidenceFrom ?p ; hs:stance hs:Contradicting }""") == []
    propositions = {r["c"].rsplit("/", 1)[1] for r in real_kg.select(
        """SELECT ?c WHERE { ?c a hs:TestProposition ; prov:wasAttributedTo hs:curators
                             FILTER NOT EXISTS { ?c prov:wasDerivedFrom ?x } }""")}
    assert propositions == {"negative-mri-rules-out", "mri-reliable-intra-articular", "fusion-order-changes-tha-risk"}


def test_barry_event_counts_follow_from_the_reported_rates(real_kg) -> None:
    rows = real_kg.select("""SELECT ?r ?v ?k ?n WHERE { ?r qudt:value ?v ; hs:eventCount ?k ; hs:groupSize ?n ;
                             hs:eventCountDerived true }""")
    assert len(rows) == 4
    for r in rows:  # the count is the only whole number that rounds to the reported rate
        assert round(100 * r["k"] / r["n"], 1) == pytest.approx(r["v"]), r["r"]
    p_values = real_kg.select("SELECT ?x ?p WHERE { ?x hs:pValue ?p }")
    assert all(real_kg.execute(f"ASK {{ <{r['x']}> a hs:GroupComparison }}") for r in p_values) and len(p_values) == 5


def test_one_person_node_for_james_d_kang(real_kg) -> None:
    rows = real_kg.select("""SELECT ?role ?key WHERE { ?w ?role ?person ; hs:bibKey ?key .
                             ?person foaf:name "James D. Kang" FILTER(?role IN (dcterms:creator, dcterms:contributor)) }""")
    assert {(r["role"].rsplit("/", 1)[1], r["key"]) for r in rows} == {
        ("creator", "devin2012hipspine"), ("contributor", "kangmgbhipspine")}


def test_authors_in_order_with_unicode_names(real_kg) -> None:
    rows = real_kg.select("""SELECT ?name WHERE { ?p hs:bibKey "gomezhoyos2017hipspine" ; bibo:authorList ?list .
                             ?list rdf:rest* ?cell . ?cell rdf:first ?person . ?person foaf:familyName ?name .
                             { SELECT ?cell (COUNT(?mid) AS ?pos) WHERE { ?p2 hs:bibKey "gomezhoyos2017hipspine" ;
                               bibo:authorList ?l2 . ?l2 rdf:rest* ?mid . ?mid rdf:rest* ?cell } GROUP BY ?cell } }
                             ORDER BY ?pos""")
    assert [r["name"] for r in rows] == ["Gómez-Hoyos", "Khoury", "Schröder", "Johnson", "Palmer", "Martin"]


def test_identifiers_only_where_verified(real_kg) -> None:
    dois = {r["k"]: r["doi"] for r in real_kg.select("SELECT ?k ?doi WHERE { ?p hs:bibKey ?k ; prism:doi ?doi }")}
    pmids = {r["k"]: r["id"] for r in real_kg.select("SELECT ?k ?id WHERE { ?p hs:bibKey ?k ; fabio:hasPubMedId ?id }")}
    assert dois == VERIFIED_DOIS
    assert pmids == VERIFIED_PMIDS
    for key, doi in VERIFIED_DOIS.items():  # DOI IRIs are lower-cased resolver IRIs
        assert real_kg.select("SELECT ?p WHERE { ?p hs:bibKey ?k }", {"k": key})[0]["p"] == "https://doi.org/" + doi.lower()


def test_final_publication_forms_not_online_first(real_kg) -> None:
    rows = {r["k"]: (r["y"], r.get("vol"), r.get("pages"), r.get("online")) for r in real_kg.select(
        """SELECT ?k ?y ?vol ?pages ?online WHERE { ?p hs:bibKey ?k ; dcterms:issued ?y .
           OPTIONAL { ?p prism:volume ?vol } OPTIONAL { ?p prism:pageRange ?pages } OPTIONAL { ?p hs:onlineDate ?online } }""")}
    assert rows["onggo2021comparable"] == ("2021", "30", "63-70", "2020-10-26")
    assert rows["maldonado2020hipspine"] == ("2020", "43", "e65-e71", "2019-12-31")
    assert rows["eneqvist2017lumbar"][1] == "99-B"


def test_unverified_fields_reach_the_graph(real_kg) -> None:
    rows = real_kg.select("SELECT ?k ?f WHERE { ?p hs:bibKey ?k ; hs:unverifiedField ?f }")
    fields = {(r["k"], r["f"]) for r in rows}
    assert ("haskel2020concomitant", "pages") in fields and ("barry2017early", "pages") in fields
    status = {r["k"]: r["s"].rsplit("#", 1)[1] for r in real_kg.select(
        "SELECT ?k ?s WHERE { ?p a fabio:JournalArticle ; hs:bibKey ?k ; hs:verificationStatus ?s }")}
    assert status["haskel2020concomitant"] == "Unverified" and status["prather2017hip"] == "Verified"


def test_concepts_map_to_verified_mesh_only(real_kg) -> None:
    verified = {"D019644", "D013123", "D013130", "D015207", "D017116", "D007270", "D008279", "D001182", "D000075527",
                "D012446", "D057925", "D055111", "D014057", "D001175", "D017418", "D000078182", "D016454", "D064888",
                "D016449", "D002363", "D003160", "D015331", "D003430", "D016022", "D012189", "D011446", "D002102",
                "D001696", "D012680", "D012372", "D011237", "D016017", "D016016", "D006621", "D006615", "D008159",
                "D013131", "D008141", "D010388", "D011859", "D007278", "D009407", "D000779", "D016059", "D011187",
                "D059408", "D003937"}
    used = {r["m"].rsplit("/", 1)[1] for r in real_kg.select(
        "SELECT DISTINCT ?m WHERE { ?s ?p ?m FILTER(STRSTARTS(STR(?m), STR(mesh:)) "
        "&& !STRSTARTS(STR(?m), 'http://id.nlm.nih.gov/mesh/vocab#')) }")}
    assert used and used <= verified
    # The descriptors a record's MeSH heading may be linked to (kg/model/ontology/mesh.ttl) are verified ones too.
    listed = {r["d"].rsplit("/", 1)[1] for r in real_kg.select(
        "SELECT ?d WHERE { ?d a <http://id.nlm.nih.gov/mesh/vocab#Descriptor> }")}
    assert listed and listed <= verified
    tha = real_kg.select("""SELECT ?m ?alt WHERE { c:total-hip-arthroplasty skos:exactMatch ?m ; skos:altLabel ?alt }""")
    assert {r["m"] for r in tha} == {"http://id.nlm.nih.gov/mesh/D019644"} and "THA" in {r["alt"] for r in tha}
    narrower = {r["c"] for r in real_kg.select("SELECT ?c WHERE { ?c skos:broader+ c:hip-surgery }")}
    assert {PREFIX_C + "total-hip-arthroplasty", PREFIX_C + "hip-arthroscopy"} <= narrower


PREFIX_C = "https://w3id.org/hipspine/concept/"


SEED_PROSE = REPO / "tests" / "resources" / "seed-prose-10grams.txt"


def _words(text: str) -> list[str]:
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9 ]+", " ", text).split()


def _gram_digests(text: str) -> dict[str, str]:
    w = _words(text)
    grams = {" ".join(w[i:i + 10]) for i in range(len(w) - 9)}
    return {hashlib.sha256(g.encode()).hexdigest()[:16]: g for g in grams}


def test_no_sentences_copied_from_the_seed_articles() -> None:
    """Facts carry over, prose does not: no run of 10 words from the articles' body text in data/.
    The articles' runs are kept as hashes (tests/resources/seed-prose-10grams.txt), not as text."""
    seed = {line for line in SEED_PROSE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}
    assert len(seed) > 1000  # the digest file holds both articles, not an empty or truncated list
    for path in (REPO / "data").iterdir():
        ours = _gram_digests(path.read_text(encoding="utf-8"))
        copied = sorted(ours[d] for d in ours.keys() & seed)
        assert not copied, f"{path.name} repeats seed prose: {copied[:3]}"


def test_the_prose_check_catches_a_copied_run_and_only_that() -> None:
    article = "The hip and the spine share nerves, so pain from one is often felt as if it came from the other."
    seed = set(_gram_digests(article))
    copied = _gram_digests("Curators wrote: pain from one is often felt as if it came from the other, they say.")
    found = {copied[d] for d in copied.keys() & seed}
    assert "pain from one is often felt as if it came" in found and len(found) == 4
    assert all(run in " ".join(_words(article)) for run in found)
    reworded = _gram_digests("Pain that starts in one region is regularly reported in the other region instead.")
    assert not reworded.keys() & seed


def test_references_bib_parses_cleanly() -> None:
    records = parse_bib(REPO / "data" / "references.bib")
    assert len(records) == 15 and len({r.key for r in records}) == 15

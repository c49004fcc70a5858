"""Synthetic hip-spine corpus for benchmarks: `references.bib` + `claims.ttl` in exactly the project's model.

    python -m kg.synth --papers 10000 --seed 42 --out DIR      # then: kg validate --data DIR

What it writes (docs/MODEL.md; the same SHACL shapes and integrity checks pass):

* references.bib: one @article per paper (author lists from a shared, skewed-productivity author pool with
  Unicode names, some spelled with LaTeX escapes or as initials only; ~200 journals, some with `\\&`;
  years 1990-2025; volume/issue/pages; online-first dates; DOIs, PMIDs and PMCIDs only on verified records;
  `verification`, `unverified = {...}`, `verificationnote`), and a few @online source articles.
* claims.ttl, in the sections of data/claims.ttl: generated SKOS concepts that extend the shipped vocabulary
  (kg/ontology/concepts.ttl) to a realistic size, study-level facts (design, level of evidence, sample size),
  PICO frames with explicit part IRIs (pf:KEY/population ..., no blank nodes), claims, evidence lines with
  stances both ways (about a fifth of the claims end up contested), measured results (sensitivity, specificity,
  accuracy, odds ratios with CIs, event rates with p-values, regression coefficients, prevalences, mean scores),
  unbacked assertions, and characterisations of cited studies by the source articles with discrepancies
  (misreports, stale online-first citations, characterisation gaps).

DOIs use the prefix 10.5555, the example prefix of the DOI Handbook: they resolve to nothing and can never be
mistaken for a real work. PMIDs start at 90,000,000 (past any real PMID for years). Every name, title and
figure is invented.

The output is a pure function of (n_papers, seed) and the shipped concept vocabulary: the same arguments give
the same bytes. Files are streamed (each claims.ttl section goes to its own temporary file and the sections
are concatenated at the end), so 100k papers take well under a minute and little memory.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import math
import os
import random
import re
import shutil
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from kg.model import paths

DOI_PREFIX = "10.5555"  # the DOI Handbook's example prefix: synthetic DOIs never name a real work
PMID_BASE = 90_000_000
PICO_NS = "https://w3id.org/hipspine/id/pico/"
YEARS = range(1990, 2026)
FLUSH_EVERY = 2000  # papers between buffer flushes

PREFIXES = """@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <https://schema.org/> .
@prefix fabio:   <http://purl.org/spar/fabio/> .
@prefix cito:    <http://purl.org/spar/cito/> .
@prefix mp:      <http://purl.org/mp/> .
@prefix pico:    <http://data.cochrane.org/ontologies/pico/> .
@prefix obo:     <http://purl.obolibrary.org/obo/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix qudt:    <http://qudt.org/schema/qudt/> .
@prefix unit:    <http://qudt.org/vocab/unit/> .
@prefix mesh:    <http://id.nlm.nih.gov/mesh/> .
@prefix hs:      <https://w3id.org/hipspine/vocab#> .
@prefix c:       <https://w3id.org/hipspine/concept/> .
@prefix ref:     <https://w3id.org/hipspine/ref/> .
@prefix claim:   <https://w3id.org/hipspine/id/claim/> .
@prefix ev:      <https://w3id.org/hipspine/id/evidence/> .
@prefix pf:      <https://w3id.org/hipspine/id/pico/> .
@prefix res:     <https://w3id.org/hipspine/id/result/> .
@prefix char:    <https://w3id.org/hipspine/id/characterisation/> .
@prefix disc:    <https://w3id.org/hipspine/id/discrepancy/> .
"""

SECTIONS = (
    "0. Generated concepts: the shipped vocabulary (kg/ontology/concepts.ttl) extended to a realistic size",
    "1. Study-level facts: design, level of evidence, sample size",
    "2. PICO frames (parts named pf:KEY/population, /interventionGroup, /comparatorGroup, /outcomeGroup)",
    "3. Claims",
    "4. Evidence lines: one study's stance on one claim",
    "5. Measured results",
    "6. Assertions the source articles make on their own authority",
    "7. How the source articles characterise the studies they cite, and the discrepancies",
)

# ------------------------------------------------------------------------------------------- name pools
# (Unicode spelling, LaTeX spelling or None). The LaTeX spelling decodes (pylatexenc) to the Unicode one.
FAMILIES: tuple[tuple[str, str | None], ...] = (
    ("Smith", None), ("Johnson", None), ("Williams", None), ("Brown", None), ("Jones", None), ("Miller", None),
    ("Davis", None), ("Wilson", None), ("Anderson", None), ("Taylor", None), ("Thomas", None), ("Moore", None),
    ("Martin", None), ("Jackson", None), ("Thompson", None), ("White", None), ("Harris", None), ("Clark", None),
    ("Lewis", None), ("Robinson", None), ("Walker", None), ("Young", None), ("Allen", None), ("King", None),
    ("Wright", None), ("Scott", None), ("Green", None), ("Baker", None), ("Adams", None), ("Nelson", None),
    ("Hill", None), ("Campbell", None), ("Mitchell", None), ("Roberts", None), ("Carter", None), ("Phillips", None),
    ("Evans", None), ("Turner", None), ("Parker", None), ("Collins", None), ("Edwards", None), ("Stewart", None),
    ("Morris", None), ("Murphy", None), ("Cook", None), ("Rogers", None), ("Morgan", None), ("Cooper", None),
    ("Peterson", None), ("Reed", None), ("Bailey", None), ("Bell", None), ("Kelly", None), ("Howard", None),
    ("Ward", None), ("Cox", None), ("Richardson", None), ("Wood", None), ("Watson", None), ("Brooks", None),
    ("Bennett", None), ("Gray", None), ("Hughes", None), ("Price", None), ("Sanders", None), ("Myers", None),
    ("Long", None), ("Ross", None), ("Foster", None), ("Powell", None), ("Jenkins", None), ("Perry", None),
    ("Russell", None), ("Sullivan", None), ("Fisher", None), ("Henderson", None), ("Coleman", None),
    ("Patterson", None), ("Jordan", None), ("Reynolds", None), ("Hamilton", None), ("Graham", None),
    ("Wallace", None), ("Woods", None), ("Cole", None), ("West", None), ("Owens", None), ("Marshall", None),
    ("Kang", None), ("Kim", None), ("Lee", None), ("Park", None), ("Choi", None), ("Jung", None), ("Yoon", None),
    ("Wang", None), ("Li", None), ("Zhang", None), ("Liu", None), ("Chen", None), ("Yang", None), ("Huang", None),
    ("Zhao", None), ("Wu", None), ("Zhou", None), ("Xu", None), ("Sun", None), ("Ma", None), ("Zhu", None),
    ("Hu", None), ("Guo", None), ("Lin", None), ("He", None), ("Gao", None), ("Luo", None), ("Tanaka", None),
    ("Suzuki", None), ("Takahashi", None), ("Watanabe", None), ("Ito", None), ("Yamamoto", None),
    ("Nakamura", None), ("Kobayashi", None), ("Kato", None), ("Yoshida", None), ("Yamada", None), ("Sasaki", None),
    ("Matsumoto", None), ("Inoue", None), ("Kimura", None), ("Shimizu", None), ("Patel", None), ("Shah", None),
    ("Singh", None), ("Kumar", None), ("Gupta", None), ("Sharma", None), ("Reddy", None), ("Rao", None),
    ("Iyer", None), ("Nair", None), ("Khan", None), ("Ahmed", None), ("Hassan", None), ("Ali", None),
    ("Rossi", None), ("Russo", None), ("Ferrari", None), ("Esposito", None), ("Bianchi", None), ("Romano", None),
    ("Colombo", None), ("Ricci", None), ("Marino", None), ("Greco", None), ("Bruno", None), ("Gallo", None),
    ("Conti", None), ("De Luca", None), ("Costa", None), ("Silva", None), ("Santos", None), ("Oliveira", None),
    ("Pereira", None), ("Ferreira", None), ("Almeida", None), ("Rodrigues", None), ("Martins", None),
    ("Garcia", None), ("Martinez", None), ("Lopez", None), ("Gonzalez", None), ("Hernandez", None),
    ("Sanchez", None), ("Ramirez", None), ("Torres", None), ("Flores", None), ("Rivera", None),
    ("Schmidt", None), ("Schneider", None), ("Fischer", None), ("Weber", None), ("Meyer", None),
    ("Wagner", None), ("Becker", None), ("Schulz", None), ("Hoffmann", None), ("Koch", None), ("Richter", None),
    ("Klein", None), ("Wolf", None), ("Neumann", None), ("Schwarz", None), ("Zimmermann", None),
    ("Braun", None), ("Hofmann", None), ("Hartmann", None), ("Lange", None), ("Van Dillen", None),
    ("Van der Berg", None), ("De Vries", None), ("Jansen", None), ("Bakker", None), ("Visser", None),
    ("Smit", None), ("Mulder", None), ("Andersson", None), ("Johansson", None), ("Karlsson", None),
    ("Nilsson", None), ("Eriksson", None), ("Larsson", None), ("Olsson", None), ("Persson", None),
    ("Hansen", None), ("Nielsen", None), ("Jensen", None), ("Pedersen", None), ("Novak", None),
    ("Kowalski", None), ("Wozniak", None), ("Ivanov", None), ("Petrov", None), ("Nemes", None), ("Rolfson", None),
    ("O'Brien", None), ("O'Connor", None), ("McCullough", None), ("MacDonald", None), ("Steger-May", None),
    ("Walker-Santiago", None), ("Ambikaipalan", None), ("Onggo", None), ("Nguyen", None), ("Tran", None),
    ("Pham", None), ("Le", None), ("Ozturk", None), ("Yilmaz", None), ("Kaya", None), ("Demir", None),
    ("Cohen", None), ("Levy", None), ("Friedman", None), ("Katz", None), ("Papadopoulos", None),
    # Names with diacritics, each with the LaTeX spelling some reference managers export.
    ("Gómez-Hoyos", "G{\\'o}mez-Hoyos"), ("Müller", 'M{\\"u}ller'), ("Schröder", 'Schr{\\"o}der'),
    ("Sjöberg", 'Sj{\\"o}berg'), ("Åström", '{\\AA}str{\\"o}m'), ("Øvrebø", "{\\O}vreb{\\o}"),
    ("Dvořák", "Dvo{\\v{r}}{\\'a}k"), ("Ibáñez", "Ib{\\'a}{\\~n}ez"), ("Çelik", "{\\c{C}}elik"),
    ("Straßer", "Stra{\\ss}er"), ("Nguyễn", "Nguy{\\~{\\^e}}n"), ("Núñez", "N{\\'u}{\\~n}ez"),
    ("Jiménez", "Jim{\\'e}nez"), ("Fernández", "Fern{\\'a}ndez"), ("Rodríguez", "Rodr{\\'\\i}guez"),
    ("Pérez", "P{\\'e}rez"), ("Gómez", "G{\\'o}mez"), ("Díaz", "D{\\'\\i}az"), ("Hernández", "Hern{\\'a}ndez"),
    ("Jäger", 'J{\\"a}ger'), ("Könnecke", 'K{\\"o}nnecke'), ("Böhm", 'B{\\"o}hm'), ("Krüger", 'Kr{\\"u}ger'),
    ("Šimić", "{\\v{S}}imi{\\'c}"), ("Kovač", "Kova{\\v{c}}"), ("Wójcik", "W{\\'o}jcik"),
    ("Łukaszewski", "{\\L}ukaszewski"), ("Lindström", 'Lindstr{\\"o}m'), ("Håkansson", "H{\\aa}kansson"),
    ("Sørensen", "S{\\o}rensen"), ("François", "Fran{\\c{c}}ois"), ("Lefèvre", "Lef{\\`e}vre"),
    ("Gonçalves", "Gon{\\c{c}}alves"), ("Conceição", "Concei{\\c{c}}{\\~a}o"), ("Öztürk", '{\\"O}zt{\\"u}rk'),
    ("Yıldız", "Y{\\i}ld{\\i}z"), ("Papadopoulou", None), ("Satō", "Sat{\\=o}"), ("Itō", "It{\\=o}"),
)
GIVEN: tuple[tuple[str, str | None], ...] = (
    ("James", None), ("John", None), ("Robert", None), ("Michael", None), ("David", None), ("William", None),
    ("Richard", None), ("Joseph", None), ("Thomas", None), ("Charles", None), ("Daniel", None), ("Matthew", None),
    ("Anthony", None), ("Mark", None), ("Steven", None), ("Paul", None), ("Andrew", None), ("Joshua", None),
    ("Kevin", None), ("Brian", None), ("George", None), ("Edward", None), ("Ronald", None), ("Timothy", None),
    ("Jason", None), ("Jeffrey", None), ("Ryan", None), ("Jacob", None), ("Gary", None), ("Nicholas", None),
    ("Mary", None), ("Patricia", None), ("Jennifer", None), ("Linda", None), ("Elizabeth", None),
    ("Barbara", None), ("Susan", None), ("Jessica", None), ("Sarah", None), ("Karen", None), ("Nancy", None),
    ("Lisa", None), ("Margaret", None), ("Sandra", None), ("Ashley", None), ("Emily", None), ("Donna", None),
    ("Michelle", None), ("Carol", None), ("Amanda", None), ("Melissa", None), ("Deborah", None),
    ("Stephanie", None), ("Rebecca", None), ("Laura", None), ("Helen", None), ("Anna", None), ("Maria", None),
    ("Wei", None), ("Jing", None), ("Hao", None), ("Yan", None), ("Lei", None), ("Xin", None), ("Min-Jun", None),
    ("Ji-Woo", None), ("Seo-Yeon", None), ("Hiroshi", None), ("Takeshi", None), ("Yuki", None), ("Haruka", None),
    ("Kenji", None), ("Akira", None), ("Priya", None), ("Rahul", None), ("Anil", None), ("Sunita", None),
    ("Arjun", None), ("Mohammed", None), ("Fatima", None), ("Omar", None), ("Aisha", None), ("Giulia", None),
    ("Marco", None), ("Luca", None), ("Francesca", None), ("Ana", None), ("Pedro", None), ("Lucas", None),
    ("Mariana", None), ("Hans", None), ("Klaus", None), ("Anke", None), ("Stefan", None), ("Lars", None),
    ("Erik", None), ("Ingrid", None), ("Sven", None), ("Jan", None), ("Pieter", None), ("Sanne", None),
    ("Jean-Pierre", None), ("Marie-Claire", None), ("Ole", None), ("Mette", None), ("Olga", None),
    ("Dmitri", None), ("Ross", None), ("Danielle", None), ("Devin", None), ("Heidi", None),
    ("José", "Jos{\\'e}"), ("Ángel", "{\\'A}ngel"), ("Inés", "In{\\'e}s"), ("Zoë", 'Zo{\\"e}'),
    ("Søren", "S{\\o}ren"), ("Björn", 'Bj{\\"o}rn'), ("Jürgen", 'J{\\"u}rgen'), ("Łucja", "{\\L}ucja"),
    ("Jiří", "Ji{\\v{r}}{\\'\\i}"), ("François", "Fran{\\c{c}}ois"), ("Hélène", "H{\\'e}l{\\`e}ne"),
    ("Agnès", "Agn{\\`e}s"), ("João", "Jo{\\~a}o"), ("Mónica", "M{\\'o}nica"), ("Çağla", "{\\c{C}}a{\\u{g}}la"),
)
ORGANISATIONS = (
    "Caring Medical", "Mass General Brigham", "Hip and Spine Clinic Online", "Orthopaedic Patient Guide",
    "Spine Health Network", "Joint Care Institute", "Physio Knowledge Hub", "Back Pain Foundation",
    "Hip Preservation Center", "Sports Medicine Today", "Pain Relief Journal Online", "Healthy Joints Blog",
)

# ------------------------------------------------------------------------------------------- journals
JOURNAL_PREFIXES = (
    "Journal of", "European Journal of", "American Journal of", "International Journal of", "Archives of",
    "Annals of", "Current Reviews in", "Asian Journal of", "Scandinavian Journal of", "British Journal of",
    "Clinical Reports in", "Journal of Clinical", "Advances in",
)
JOURNAL_SUBJECTS = (
    "Orthopaedic Surgery", "Orthopaedics", "Spine Surgery", "Hip Surgery", "Arthroplasty", "Sports Medicine",
    "Physical Therapy", "Rehabilitation", "Musculoskeletal Research", "Radiology", "Musculoskeletal Imaging",
    "Pain Medicine", "Bone and Joint Research", "Biomechanics", "Spinal Disorders", "Orthopaedic Trauma",
    "Rheumatology", "Anatomy", "Evidence-Based Orthopaedics", "Hip Preservation",
    "Orthopaedics \\& Traumatology", "Bone \\& Joint Surgery", "Sports Medicine \\& Arthroscopy",
    "Physical Medicine \\& Rehabilitation", "Spine \\& Pelvis Research",
)

# ------------------------------------------------------------------------------------------- study designs
# design slug -> (kind, weight, levels of evidence to draw from, sample unit, MeSH publication type or None)
DESIGNS: tuple[tuple[str, str, float, tuple[int, ...], str, str | None], ...] = (
    ("narrative-review", "review", 5, (5,), "articles", "D016454"),
    ("systematic-review", "review", 5, (3, 4), "studies", "D000078182"),
    ("meta-analysis", "review", 5, (1, 2, 3), "patients", "D017418"),
    ("cohort-study", "cohort", 15, (2, 3), "patients", "D015331"),
    ("comparative-cohort", "cohort", 12, (3,), "patients", None),
    ("retrospective-matched-cohort", "cohort", 10, (3,), "patients", "D012189"),
    ("register-matched-cohort", "cohort", 5, (3,), "patients", "D015331"),
    ("prospective-cohort-cross-sectional", "cross", 8, (2, 3), "patients", "D011446"),
    ("diagnostic-accuracy-study", "diagnostic", 8, (2, 3), "patients", None),
    ("prospective-diagnostic-accuracy", "diagnostic", 7, (1, 2), "hips", "D011446"),
    ("retrospective-diagnostic-accuracy", "diagnostic", 8, (3,), "hips", "D012189"),
    ("cadaveric-biomechanical-study", "lab", 4, (5,), "specimens", None),
    ("osteological-study", "lab", 2, (5,), "specimens", None),
    ("laboratory-study", "lab", 3, (5,), "specimens", None),
)
LOE_NAMES = {1: "Level I", 2: "Level II", 3: "Level III", 4: "Level IV", 5: "Level V"}

MODIFIERS = {
    "interventions": ("revision", "bilateral", "staged", "minimally invasive", "outpatient", "image-guided",
                      "robot-assisted", "navigated", "cemented", "uncemented", "posterior-approach",
                      "anterior-approach", "early", "delayed", "single-level", "multilevel"),
    "conditions": ("bilateral", "unilateral", "advanced", "early", "symptomatic", "asymptomatic", "recurrent",
                   "chronic", "acute", "post-traumatic", "idiopathic", "degenerative"),
    "outcomes": ("30-day", "90-day", "1-year", "2-year", "5-year", "long-term", "short-term", "self-reported",
                 "radiographic", "clinician-rated"),
    "diagnostic-tests": ("3T", "1.5T", "contrast-enhanced", "weight-bearing", "dynamic", "ultrasound-guided",
                         "fluoroscopic", "repeat", "standardised"),
}
PICO_CLASS = {"interventions": "pico:Intervention", "diagnostic-tests": "pico:Intervention",
              "conditions": "pico:Condition", "outcomes": "pico:Outcome"}
FOLLOW_UPS = ("30 days", "90 days", "6 months", "1 year", "2 years", "24 months", "5 years", "10 years")
ABSTRACT_SECTIONS = ("Abstract (results)", "Abstract (conclusion)", "Abstract (results and conclusion)",
                     "Full text (results)", "Full text, table 2", "Full text, table 3", "Abstract")


@dataclass
class SynthStats:
    """What a run produced (also printed by the command line)."""

    papers: int = 0
    source_articles: int = 0
    persons: int = 0
    journals: int = 0
    generated_concepts: int = 0
    claims: int = 0
    unbacked_assertions: int = 0
    evidence_lines: int = 0
    supporting: int = 0
    contradicting: int = 0
    qualifying: int = 0
    contested_claims: int = 0
    results: int = 0
    characterisations: int = 0
    discrepancies: int = 0
    seconds: float = 0.0
    bib_bytes: int = 0
    claims_bytes: int = 0


@dataclass
class _Concept:
    slug: str
    label: str
    scheme: str


@dataclass
class _Person:
    family: str
    family_tex: str | None
    given: str
    given_tex: str | None
    middle: str  # one upper-case initial or ""

    def initials_given(self) -> str:
        parts = [p for p in re.split(r"[\s.\-]+", self.given) if p]
        ini = "-".join(p[0] + "." for p in parts) if "-" in self.given else " ".join(p[0] + "." for p in parts)
        return f"{ini} {self.middle}." if self.middle else ini

    def bib(self, full: bool, latex: bool) -> str:
        family = self.family_tex if latex and self.family_tex else self.family
        if full:
            given = self.given_tex if latex and self.given_tex else self.given
            given = f"{given} {self.middle}." if self.middle else given
        else:
            given = self.initials_given()
            if latex and self.given_tex and not self.given[0].isascii():
                given = _tex_initial(self.given_tex) + given[1:]
        return f"{family}, {given}"

    def short(self) -> str:
        """Vancouver style, as source articles print citations: 'Gómez-Hoyos J'."""
        ini = "".join(p[0] for p in re.split(r"[\s.\-]+", self.given) if p) + self.middle
        return f"{self.family} {ini}"


@dataclass
class _Claim:
    slug: str
    primary: str  # concept slug the claim is mainly about
    stance0: str  # the introducing paper's stance
    contested: bool  # drawn at creation: later evidence disagrees half the time
    has_support: bool = False
    has_contra: bool = False


@dataclass
class _Source:
    key: str
    title: str
    org: str
    year: int
    updated: str
    people: list[_Person]
    as_contributor: bool
    cites: int = 0
    asserted: list[str] = field(default_factory=list)


def _tex_initial(given_tex: str) -> str:
    """The LaTeX spelling of the first letter of a given name: '{\\L}ucja' -> '{\\L}', 'S{\\o}ren' -> 'S'."""
    if not given_tex.startswith("{"):
        return given_tex[0]
    depth = 0
    for pos, ch in enumerate(given_tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return given_tex[: pos + 1]
    raise ValueError(f"unbalanced braces in {given_tex!r}")


def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated (same rule as kg.ingest.bibtex.slug)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def esc(text: str) -> str:
    """A Turtle short-string body."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _zipf_cum(n: int, s: float = 0.9) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n (for bisect sampling)."""
    return list(itertools.accumulate(1.0 / (r ** s) for r in range(1, n + 1)))


def _pick(rng: random.Random, items: Sequence, cum: list[float]):  # type: ignore[no-untyped-def]
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


def _shipped_concepts() -> dict[str, list[_Concept]]:
    """The shipped SKOS concepts by scheme, in a stable order."""
    import pyoxigraph as ox

    store = ox.Store()
    for path in paths.ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    query = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c ?label ?scheme WHERE { ?c a skos:Concept ; skos:inScheme ?scheme ; skos:prefLabel ?label }
        ORDER BY ?scheme ?c"""
    schemes: dict[str, list[_Concept]] = {}
    seen: set[str] = set()
    for row in store.query(query):  # type: ignore[union-attr]
        concept = row["c"].value.rsplit("/", 1)[1]
        if concept in seen:
            continue
        seen.add(concept)
        scheme = row["scheme"].value.rsplit("/", 1)[1]
        schemes.setdefault(scheme, []).append(_Concept(concept, row["label"].value, scheme))
    return schemes


class _Writer:
    """Buffered text output: collects strings, writes them in large chunks."""

    def __init__(self, handle: TextIO):
        self.handle = handle
        self.parts: list[str] = []
        self.add = self.parts.append

    def flush(self) -> None:
        self.handle.write("".join(self.parts))
        self.parts.clear()


def generate(n_papers: int, seed: int, out_dir: Path) -> SynthStats:
    """Write `references.bib` and `claims.ttl` for `n_papers` synthetic studies into `out_dir`.

    Deterministic: the same (n_papers, seed) and shipped vocabulary give byte-identical files.
    """
    if n_papers < 1:
        raise ValueError("n_papers must be at least 1")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = _Generator(n_papers, seed, out_dir)
    stats = gen.run()
    stats.seconds = time.perf_counter() - started
    return stats


class _Generator:
    """One generation run; state lives here so the per-paper code stays flat."""

    def __init__(self, n: int, seed: int, out_dir: Path):
        self.n = n
        self.rng = random.Random(seed)
        self.out_dir = out_dir
        self.stats = SynthStats(papers=n)
        self.concepts = _shipped_concepts()

    # --------------------------------------------------------------------------------- vocabularies
    def _vocabulary(self, sec: _Writer) -> None:
        """Generated concepts (modifier + shipped concept, narrower than it) and Zipf popularity per scheme."""
        rng = self.rng
        candidates: list[_Concept] = []
        known = {c.slug for cs in self.concepts.values() for c in cs}
        broader: dict[str, str] = {}
        for scheme, mods in MODIFIERS.items():
            for base in self.concepts[scheme]:
                for mod in mods:
                    label = f"{mod} {base.label}"
                    s = slug(label)
                    if s in known:
                        continue
                    known.add(s)
                    candidates.append(_Concept(s, label, scheme))
                    broader[s] = base.slug
        wanted = min(len(candidates), 150 + self.n // 20)
        chosen = rng.sample(candidates, wanted)
        chosen.sort(key=lambda c: (c.scheme, c.slug))
        for c in chosen:
            alt = ""
            if rng.random() < 0.25:
                alt = f' ;\n    skos:altLabel "{esc(c.label.replace("-", " "))}"@en'
            sec.add(
                f"c:{c.slug} a skos:Concept, {PICO_CLASS[c.scheme]} ;\n    skos:inScheme c:{c.scheme} ;\n"
                f'    skos:prefLabel "{esc(c.label)}"@en ;\n    skos:broader c:{broader[c.slug]}{alt} .\n\n'
            )
        self.stats.generated_concepts = wanted
        # Popularity: shipped concepts first (the core vocabulary), then the generated ones, Zipf over rank.
        self.pool: dict[str, list[_Concept]] = {}
        self.cum: dict[str, list[float]] = {}
        for scheme in ("interventions", "diagnostic-tests", "conditions", "outcomes"):
            shipped = list(self.concepts[scheme])
            rng.shuffle(shipped)
            extra = [c for c in chosen if c.scheme == scheme]
            items = shipped + extra
            self.pool[scheme] = items
            self.cum[scheme] = _zipf_cum(len(items), 0.85)
        self.label = {c.slug: c.label for cs in self.concepts.values() for c in cs}
        self.label.update({c.slug: c.label for c in chosen})

    def _concept(self, scheme: str) -> _Concept:
        return _pick(self.rng, self.pool[scheme], self.cum[scheme])  # type: ignore[no-any-return]

    def _people(self) -> None:
        """The shared author pool: distinct family name + initials, skewed productivity."""
        rng = self.rng
        size = max(40, int(self.n * 0.42))
        seen: set[tuple[str, str]] = set()
        people: list[_Person] = []
        fam_cum = _zipf_cum(len(FAMILIES), 0.6)
        giv_cum = _zipf_cum(len(GIVEN), 0.4)
        letters = "ABCDEFGHJKLMNPRSTW"
        attempts = 0
        while len(people) < size and attempts < size * 20:
            attempts += 1
            fam = _pick(rng, FAMILIES, fam_cum)
            giv = _pick(rng, GIVEN, giv_cum)
            middle = rng.choice(letters) if rng.random() < 0.55 else ""
            p = _Person(fam[0], fam[1], giv[0], giv[1], middle)
            ident = (slug(p.family), p.initials_given())
            if ident in seen:
                continue
            seen.add(ident)
            people.append(p)
        self.people = people
        self.people_cum = _zipf_cum(len(people), 0.55)
        self.stats.persons = len(people)

    def _journals(self) -> None:
        rng = self.rng
        combos = [(p, s) for p in JOURNAL_PREFIXES for s in JOURNAL_SUBJECTS]
        chosen = rng.sample(combos, 200)
        journals: list[tuple[str, str, str, int]] = []
        seen: set[str] = set()
        for prefix, subject in chosen:
            title = f"{prefix} {subject}"
            s = slug(title.replace("\\&", "and"))
            if s in seen:
                continue
            seen.add(s)
            short = " ".join(_abbrev(w) for w in title.replace("\\&", "&").split() if w.lower() not in {"of", "in", "and", "&"})
            code = "".join(w[0] for w in title.replace("\\&", "").split() if w[0].isalpha()).lower()
            journals.append((title, short, code + str(len(journals)), rng.randint(1965, 2015)))
        self.journals = journals
        self.journal_cum = _zipf_cum(len(journals), 0.8)
        self.stats.journals = len(journals)

    def _sources(self) -> None:
        rng = self.rng
        count = max(2, round(self.n / 250))
        sources = []
        topics = ("hip-spine syndrome", "hip or back pain", "failed hip replacement", "lumbar fusion and the hip",
                  "hip arthroscopy", "hip MRI", "sciatica or hip pain", "gluteal pain")
        for j in range(count):
            org = ORGANISATIONS[j % len(ORGANISATIONS)]
            year = rng.randint(2012, 2025)
            topic = rng.choice(topics)
            as_contributor = rng.random() < 0.3
            people = [_pick(rng, self.people, self.people_cum) for _ in range(1 if as_contributor else rng.randint(1, 2))]
            if len(people) == 2 and people[0] is people[1]:
                people.pop()
            key = f"{slug(org).replace('-', '')}{year}web{j}"
            title = f"{topic[0].upper()}{topic[1:]}: what patients should know ({org}, part {j + 1})"
            updated = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            sources.append(_Source(key, title, org, year, updated, people, as_contributor))
        self.sources = sources
        self.stats.source_articles = count

    # --------------------------------------------------------------------------------- main loop
    def run(self) -> SynthStats:
        out = self.out_dir
        tmp = [out / f".synth-section-{i}.tmp" for i in range(len(SECTIONS))]
        handles = [open(p, "w", encoding="utf-8", newline="\n") for p in tmp]
        bib_handle = open(out / ".synth-references.bib.tmp", "w", encoding="utf-8", newline="\n")
        try:
            secs = [_Writer(h) for h in handles]
            bib = _Writer(bib_handle)
            bib.add("% Synthetic corpus written by kg.synth (benchmarks only: every record is invented).\n"
                    f"% {self.n} studies; DOIs use the DOI Handbook's example prefix {DOI_PREFIX}.\n\n")
            self._vocabulary(secs[0])
            self._people()
            self._journals()
            self._sources()
            self.claims: list[_Claim] = []
            self.claims_by_concept: dict[str, list[int]] = {}
            self.cite_rate = min(0.5, len(self.sources) * 12 / self.n)
            years = list(YEARS)
            self.year_cum = list(itertools.accumulate((y - 1986) ** 1.6 for y in years))
            self.years = years
            self.design_cum = list(itertools.accumulate(d[2] for d in DESIGNS))
            for i in range(self.n):
                self._paper(i, bib, secs)
                if i % FLUSH_EVERY == FLUSH_EVERY - 1:
                    bib.flush()
                    for s in secs:
                        s.flush()
            self._source_entries(bib, secs)
            bib.flush()
            for s in secs:
                s.flush()
        finally:
            for h in handles:
                h.close()
            bib_handle.close()
        self.stats.contested_claims = sum(1 for c in self.claims if c.has_support and c.has_contra)
        self.stats.claims = len(self.claims)
        claims_tmp = out / ".synth-claims.ttl.tmp"
        with open(claims_tmp, "w", encoding="utf-8", newline="\n") as target:
            target.write(f"# Synthetic claims written by kg.synth for {self.n} studies (benchmarks only: invented).\n"
                         "# Studies are ref:KEY (references.bib); the build rewrites them to the paper IRIs.\n\n")
            target.write(PREFIXES)
            for title, path in zip(SECTIONS, tmp, strict=True):
                target.write("\n" + "#" * 99 + f"\n# {title}\n" + "#" * 99 + "\n\n")
                with open(path, encoding="utf-8") as src:
                    shutil.copyfileobj(src, target, 1 << 20)
                path.unlink()
        os.replace(out / ".synth-references.bib.tmp", out / paths.BIB_NAME)
        os.replace(claims_tmp, out / paths.CLAIMS_NAME)
        self.stats.bib_bytes = (out / paths.BIB_NAME).stat().st_size
        self.stats.claims_bytes = (out / paths.CLAIMS_NAME).stat().st_size
        return self.stats

    def _paper(self, i: int, bib: _Writer, secs: list[_Writer]) -> None:
        rng = self.rng
        st = self.stats
        year = self.years[bisect.bisect(self.year_cum, rng.random() * self.year_cum[-1])]
        design, kind, _, loes, unit, mesh = DESIGNS[bisect.bisect(self.design_cum, rng.random() * self.design_cum[-1])]
        loe = rng.choice(loes)
        # Topic concepts
        if kind == "diagnostic":
            index = self._concept("diagnostic-tests")
            condition = self._concept("conditions")
            outcome_slug = "diagnostic-accuracy"
            comparator = "arthroscopic-findings" if rng.random() < 0.75 else self._concept("diagnostic-tests").slug
            if comparator == index.slug:
                comparator = "arthroscopic-findings" if index.slug != "arthroscopic-findings" else "mri"
            primary = index
        else:
            index = self._concept("interventions") if kind != "lab" or rng.random() < 0.5 else self._concept("conditions")
            condition = self._concept("conditions")
            outcome_slug = self._concept("outcomes").slug
            comparator = self._concept("interventions").slug if rng.random() < 0.35 else ""
            if comparator == index.slug:
                comparator = ""
            primary = index
        outcome_label = self.label[outcome_slug]
        # Authors
        n_auth = (1, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6, 8)[int(rng.random() * 12)]
        authors: list[_Person] = []
        for _ in range(n_auth):
            p = _pick(rng, self.people, self.people_cum)
            if p not in authors:
                authors.append(p)
        first = authors[0]
        title_words = self._title(kind, design, index.label, condition.label, outcome_label)
        key_word = re.sub(r"[^a-z]", "", slug(title_words.split()[0])) or "study"
        key = f"{re.sub(r'[^a-z]', '', slug(first.family))}{year}{key_word}{i}"
        ref = f"ref:{key}"
        # ------------------------------------------------------------------ references.bib
        jtitle, jshort, jcode, jstart = _pick(rng, self.journals, self.journal_cum)
        u = rng.random()
        status = "verified" if u < 0.55 else "partly" if u < 0.85 else "unverified"
        full_names = rng.random() < 0.7
        latex = rng.random() < 0.5
        author_field = " and ".join(p.bib(full_names, latex) for p in authors)
        fields: list[tuple[str, str]] = [("author", author_field)]
        title_bib = title_words
        if rng.random() < 0.04:  # case-protected acronyms, as reference managers export them
            title_bib = re.sub(r"\b(MRI|CT|THA|EQ-5D|MR|OR)\b", r"{\1}", title_bib)
        fields.append(("title", title_bib))
        fields.append(("journal", jtitle))
        if rng.random() < 0.6:
            fields.append(("shortjournal", jshort))
        fields.append(("year", str(year)))
        has_pages = rng.random() < (0.75 if status != "partly" else 0.5)
        if has_pages:
            start = rng.randint(1, 2400)
            volume = str(max(1, year - jstart + 1))
            fields.append(("volume", volume))
            fields.append(("number", str(rng.randint(1, 12))))
            if rng.random() < 0.05:
                fields.append(("pages", f"e{start}--e{start + rng.randint(3, 9)}"))
            else:
                fields.append(("pages", f"{start}--{start + rng.randint(3, 14)}"))
        online = ""
        if rng.random() < 0.12:
            oyear = year - (1 if rng.random() < 0.6 else 0)
            online = f"{oyear}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.8 else str(oyear)
            fields.append(("onlinedate", online))
        doi = pmid = None
        if status == "verified" or (status == "partly" and rng.random() < 0.5):
            if status == "partly" or rng.random() < 0.92:
                doi = f"{DOI_PREFIX}/{jcode}.{year}.{i:06d}"
                fields.append(("doi", doi))
            if rng.random() < (0.45 if status == "verified" else 0.2):
                pmid = str(PMID_BASE + i)
                fields.append(("pmid", pmid))
                if status == "verified" and rng.random() < 0.35:
                    fields.append(("pmcid", f"PMC{20_000_000 + i}"))
        fields.append(("verification", status))
        if status == "unverified":
            unv = ["author", "title", "journal", "year"] + (["volume", "number", "pages"] if has_pages else [])
            fields.append(("unverified", ", ".join(unv)))
            fields.append(("verificationnote",
                           "Every field is taken from the citing article only; no DOI or PMID could be confirmed."))
        elif status == "partly":
            if has_pages and rng.random() < 0.6:
                fields.append(("unverified", rng.choice(("volume, number, pages", "pages", "number"))))
                fields.append(("verificationnote",
                               "Title and authors verified; issue and pages come from the citing article only."))
            else:
                fields.append(("verificationnote",
                               "Record verified against the publisher page; identifiers not all confirmed."))
        elif rng.random() < 0.3:
            fields.append(("verificationnote", "Record and identifiers verified against the publisher record."))
        bib.add(f"@article{{{key},\n" + ",\n".join(f"  {k:<16} = {{{v}}}" for k, v in fields) + "\n}\n\n")
        # ------------------------------------------------------------------ 1. study-level facts
        sample = 0
        if kind == "cohort":
            sample = int(math.exp(rng.uniform(math.log(30), math.log(60000))))
        elif kind in ("diagnostic", "cross"):
            sample = int(math.exp(rng.uniform(math.log(20), math.log(600))))
        elif kind == "lab":
            sample = int(math.exp(rng.uniform(math.log(6), math.log(700))))
        elif design != "narrative-review" or rng.random() < 0.5:
            sample = (rng.randint(5, 180) if design != "meta-analysis"
                      else int(math.exp(rng.uniform(math.log(500), math.log(90000)))))
        known_sample = sample > 0 and (status != "unverified" or rng.random() < 0.3)
        facts = [f"{ref} "]
        if kind == "review":
            facts.append("a fabio:ReviewArticle , fabio:SystematicReview ;\n    " if design != "narrative-review"
                         else "a fabio:ReviewArticle ;\n    ")
        facts.append(f"hs:studyDesign c:{design} ;\n    hs:levelOfEvidence c:loe-{loe}")
        if mesh and rng.random() < 0.5:
            facts.append(f" ;\n    schema:publicationType mesh:{mesh}")
        if rng.random() < 0.12:
            facts.append(f' ;\n    hs:levelOfEvidenceBasis "Project appraisal from the design: '
                         f'{self.label[design]} (graded {LOE_NAMES[loe]})."')
        if known_sample:
            facts.append(f' ;\n    hs:sampleSize {sample} ; hs:sampleUnit "{unit}"')
        if rng.random() < 0.3:
            facts.append(f" ;\n    dcterms:subject c:{condition.slug}")
        facts.append(" .\n\n")
        secs[1].add("".join(facts))
        # ------------------------------------------------------------------ 2. PICO frame
        pf = f"pf:{key}"
        part = f"<{PICO_NS}{key}/"
        parts = [f"{pf} a pico:PICO ;\n    pico:population {part}population> ;\n"
                 f"    pico:interventionGroup {part}interventionGroup> ;\n"]
        if comparator:
            parts.append(f"    pico:comparatorGroup {part}comparatorGroup> ;\n")
        parts.append(f"    pico:outcomeGroup {part}outcomeGroup> .\n")
        pop_label = f"Patients with {condition.label}" if kind != "lab" else f"Specimens with {condition.label}"
        parts.append(f'{part}population> a pico:Population ; rdfs:label "{esc(pop_label)}" ; '
                     f"pico:condition c:{condition.slug}")
        if known_sample and unit in ("patients", "hips", "specimens"):
            parts.append(f" ; pico:numberOfParticipants {sample}")
        parts.append(f" .\n{part}interventionGroup> a pico:InterventionGroup ; pico:intervention c:{index.slug} .\n")
        if comparator:
            parts.append(f"{part}comparatorGroup> a pico:InterventionGroup ; pico:intervention c:{comparator} .\n")
        parts.append(f"{part}outcomeGroup> a pico:OutcomeGroup ; pico:outcome c:{outcome_slug} .\n\n")
        secs[2].add("".join(parts))
        # ------------------------------------------------------------------ 5. measured results
        results = self._results(key, ref, kind, index, condition, outcome_slug, comparator, secs[5])
        # ------------------------------------------------------------------ 3./4. claims and evidence lines
        n_lines = 1 if rng.random() < 0.72 else (2 if rng.random() < 0.8 else 3)
        cited_by = self.sources[rng.randrange(len(self.sources))] if rng.random() < self.cite_rate else None
        used: set[int] = set()
        for line in range(n_lines):
            target = None
            if line > 0 or (self.claims and rng.random() > 0.36):
                target = self._existing_claim(primary.slug, used)
            if target is None:
                target = self._new_claim(kind, primary, condition, outcome_slug, comparator, ref, cited_by, secs[3])
                claim = self.claims[target]
                stance = claim.stance0
            else:
                claim = self.claims[target]
                stance = self._stance(claim)
            used.add(target)
            if stance == "Supporting":
                claim.has_support = True
                st.supporting += 1
            elif stance == "Contradicting":
                claim.has_contra = True
                st.contradicting += 1
            else:
                st.qualifying += 1
            st.evidence_lines += 1
            ev = [f"ev:{key}--{claim.slug} a hs:Evidence ;\n    hs:evidenceFrom {ref} ; hs:evidenceFor claim:{claim.slug} ;"
                  f" hs:stance hs:{stance} ;\n    hs:pico {pf} ;"]
            if kind in ("cohort", "review") and rng.random() < 0.3:
                ev.append(f' hs:followUp "{rng.choice(FOLLOW_UPS)}" ;')
            ev.append(f'\n    hs:rationale "{esc(self._rationale(stance, kind, index.label, outcome_label, sample))}" ;\n')
            if results and line == 0:
                ev.append(f"    hs:hasResult {' , '.join(results)} ;\n")
            ev.append(f'    hs:sourceSection "{rng.choice(ABSTRACT_SECTIONS)}" .\n\n')
            secs[4].add("".join(ev))
        # ------------------------------------------------------------------ 7. characterisation
        if cited_by is not None:
            self._characterise(cited_by, key, ref, authors, title_words, jshort or jtitle, year, online, kind,
                               index, secs[7])

    def _title(self, kind: str, design: str, index: str, condition: str, outcome: str) -> str:
        rng = self.rng
        if kind == "diagnostic":
            t = rng.choice((f"Diagnostic accuracy of {index} for {condition}",
                            f"{index} in the diagnosis of {condition}: a comparison with arthroscopy",
                            f"How reliable is {index} for {condition}?"))
        elif kind == "review":
            kind_word = {"narrative-review": "a narrative review", "systematic-review": "a systematic review"}.get(
                design, "a systematic review and meta-analysis")
            t = rng.choice((f"{index} for {condition}: {kind_word}", f"{outcome} after {index}: {kind_word}"))
        elif kind == "lab":
            t = rng.choice((f"The effect of {index} on {outcome}: a cadaveric study",
                            f"{condition} and {outcome}: an analysis of skeletal specimens"))
        else:
            t = rng.choice((f"{outcome} after {index} in patients with {condition}",
                            f"Does {condition} affect {outcome} after {index}?",
                            f"{index} and {outcome} in {condition}: a cohort study"))
        return t[0].upper() + t[1:]

    def _existing_claim(self, concept: str, used: set[int]) -> int | None:
        rng = self.rng
        if not self.claims:
            return None
        same = self.claims_by_concept.get(concept)
        for _ in range(3):
            if same and rng.random() < 0.75:
                j = same[rng.randrange(len(same))]
            else:
                j = rng.randrange(len(self.claims))
            if j not in used:
                return j
        return None

    def _stance(self, claim: _Claim) -> str:
        u = self.rng.random()
        opposite = "Contradicting" if claim.stance0 == "Supporting" else "Supporting"
        if claim.contested:
            return opposite if u < 0.5 else ("Qualifying" if u < 0.58 else claim.stance0)
        if claim.stance0 == "Qualifying":
            return "Supporting" if u < 0.6 else "Qualifying"
        return claim.stance0 if u < 0.88 else ("Qualifying" if u < 0.97 else opposite)

    def _new_claim(self, kind: str, primary: _Concept, condition: _Concept, outcome: str, comparator: str,
                   ref: str, cited_by: _Source | None, sec: _Writer) -> int:
        rng = self.rng
        j = len(self.claims)
        out_label = self.label[outcome]
        if kind == "diagnostic":
            label = f"{primary.label} reliably detects {condition.label}"
            statement = (f"{primary.label[0].upper()}{primary.label[1:]} detects {condition.label} accurately enough to "
                         f"rely on, judged against {self.label.get(comparator, 'the reference standard')}.")
            verb = "detects"
            subjects: tuple[str, ...] = (primary.slug, condition.slug, "diagnostic-accuracy")
        elif kind == "lab":
            label = f"{primary.label} changes {out_label}"
            statement = f"{primary.label[0].upper()}{primary.label[1:]} changes {out_label} in the lumbar spine or hip."
            verb = "changes"
            subjects = (primary.slug, outcome)
        else:
            better = rng.random() < 0.7
            verb = "improves" if better else "worsens"
            label = f"{primary.label} {verb} {out_label} in {condition.label}"
            versus = f" compared with {self.label[comparator]}" if comparator else ""
            statement = (f"In people with {condition.label}, {primary.label} goes with "
                         f"{'better' if better else 'worse'} {out_label}{versus}.")
            subjects = (primary.slug, condition.slug, outcome)
        cslug = f"{primary.slug[:28].rstrip('-')}-{verb}-{outcome[:20].rstrip('-')}-{j}"
        u = rng.random()
        stance0 = "Supporting" if u < 0.86 else ("Contradicting" if u < 0.95 else "Qualifying")
        claim = _Claim(cslug, primary.slug, stance0, rng.random() < 0.3)
        self.claims.append(claim)
        self.claims_by_concept.setdefault(primary.slug, []).append(j)
        derived = ref
        asserted = ""
        if cited_by is not None and rng.random() < 0.3:
            derived = f"{ref} , ref:{cited_by.key}"
            asserted = f"    hs:assertedBy ref:{cited_by.key} ;\n"
        sec.add(f"claim:{cslug} a mp:Claim ;\n    rdfs:label \"{esc(label[0].upper() + label[1:])}\" ;\n"
                f"    mp:statement \"{esc(statement)}\" ;\n"
                f"    dcterms:subject {' , '.join('c:' + s for s in dict.fromkeys(subjects))} ;\n"
                f"    prov:wasDerivedFrom {derived} ;\n{asserted}"
                f"    hs:sourceSection \"{rng.choice(ABSTRACT_SECTIONS)}\" .\n\n")
        return j

    def _rationale(self, stance: str, kind: str, index: str, outcome: str, sample: int) -> str:
        rng = self.rng
        n = f" (n = {sample:,})" if sample else ""
        if stance == "Supporting":
            return rng.choice((f"{index[0].upper()}{index[1:]} went with better {outcome}{n}.",
                               f"The findings agree with the claim{n}; the effect on {outcome} was significant.",
                               f"Results for {outcome} favour the claim{n}."))
        if stance == "Contradicting":
            return rng.choice((f"No significant difference in {outcome}{n}; the interval includes no effect.",
                               f"The effect on {outcome} ran the other way{n}.",
                               f"Results for {outcome} do not bear the claim out{n}."))
        return rng.choice((f"Holds for some subgroups only{n}; {outcome} differed by severity.",
                           f"Partly consistent: the effect on {outcome} was small and not significant in all analyses{n}."))

    def _results(self, key: str, ref: str, kind: str, index: _Concept, condition: _Concept, outcome: str,
                 comparator: str, sec: _Writer) -> list[str]:
        rng = self.rng
        out: list[str] = []
        if kind == "diagnostic" and rng.random() < 0.3:
            sens = rng.uniform(25, 99)
            spec = rng.uniform(40, 99)
            acc = (sens + spec) / 2 + rng.uniform(-5, 5)
            reference = comparator or "arthroscopic-findings"
            observer = rng.random() < 0.2
            for measure, stato, value in (("sensitivity", "0000233", sens), ("specificity", "0000134", spec),
                                          ("accuracy", "0000415", min(99.9, acc))):
                iri = f"res:{key}-{measure}"
                out.append(iri)
                sec.add(f"{iri} a hs:MeasuredResult, obo:STATO_{stato} ;\n"
                        f"    rdfs:label \"{esc(index.label)} {measure} for {esc(condition.label)}\" ;\n"
                        f"    qudt:value {value:.1f} ; qudt:hasUnit unit:PERCENT ;\n"
                        f"    hs:indexTest c:{index.slug} ; hs:referenceStandard c:{reference} ;"
                        f" hs:targetCondition c:{condition.slug} ;\n"
                        + ('    hs:observer "observer 1" ;\n' if observer else "")
                        + f"    hs:outcomeMeasure c:diagnostic-accuracy ; hs:resultOf {ref} ;"
                        f' hs:sourceSection "Abstract (results)" .\n\n')
        elif kind in ("cohort", "review") and rng.random() < 0.2:
            if rng.random() < 0.6:
                value = math.exp(rng.gauss(0.1, 0.5))
                spread = math.exp(rng.uniform(0.1, 0.9))
                lo, hi = value / spread, value * spread
                iri = f"res:{key}-or"
                out.append(iri)
                sec.add(f"{iri} a hs:MeasuredResult, obo:STATO_0000182 ;\n"
                        f"    rdfs:label \"Odds ratio for {esc(self.label[outcome])}\" ;\n"
                        f"    qudt:value {value:.2f} ; qudt:hasUnit hs:Ratio ;\n"
                        f"    hs:lowerBound {lo:.2f} ; hs:upperBound {max(hi, lo):.2f} ; hs:confidenceLevel 95.0 ;\n"
                        f"    hs:outcomeMeasure c:{outcome} ; hs:group \"{esc(index.label)}\" ;"
                        f" hs:comparedWith \"{esc(self.label[comparator]) if comparator else 'usual care'}\" ;\n"
                        f"    hs:resultOf {ref} ; hs:sourceSection \"Abstract (results)\" .\n\n")
            else:
                p = rng.choice((0.001, 0.004, 0.008, 0.02, 0.04, 0.12, 0.35, 0.6))
                rel = "<" if p == 0.001 else "="
                a, b = rng.uniform(1, 40), rng.uniform(1, 40)
                for arm, value, other in (("exposed", a, "control"), ("control", b, "exposed")):
                    iri = f"res:{key}-rate-{arm}"
                    out.append(iri)
                    sec.add(f"{iri} a hs:MeasuredResult, hs:EventRate ;\n"
                            f"    rdfs:label \"{esc(self.label[outcome])} rate, {arm} group\" ;\n"
                            f"    qudt:value {value:.1f} ; qudt:hasUnit unit:PERCENT ;\n"
                            f"    hs:outcomeMeasure c:{outcome} ; hs:group \"{arm}\" ; hs:comparedWith \"{other}\" ;\n"
                            f"    hs:pValue {p:.3f} ; hs:pValueRelation \"{rel}\" ;\n"
                            f"    hs:resultOf {ref} ; hs:sourceSection \"Abstract (results)\" .\n\n")
        elif kind == "cross" and rng.random() < 0.3:
            iri = f"res:{key}-prevalence"
            out.append(iri)
            sec.add(f"{iri} a hs:MeasuredResult, hs:Prevalence ;\n"
                    f"    rdfs:label \"Share of patients with {esc(condition.label)}\" ;\n"
                    f"    qudt:value {rng.uniform(5, 90):.1f} ; qudt:hasUnit unit:PERCENT ;\n"
                    f"    hs:outcomeMeasure c:{outcome} ; hs:indexTest c:physical-examination ;\n"
                    f"    hs:resultOf {ref} ; hs:sourceSection \"Abstract (results)\" .\n\n")
            if rng.random() < 0.5:
                iri = f"res:{key}-mean-score"
                out.append(iri)
                sec.add(f"{iri} a hs:MeasuredResult, hs:MeanScore ;\n"
                        f"    rdfs:label \"Mean {esc(self.label[outcome])} score\" ;\n"
                        f"    qudt:value {rng.uniform(5, 60):.1f} ; qudt:hasUnit hs:ScorePoint ;\n"
                        f"    hs:outcomeMeasure c:{outcome} ; hs:group \"with the finding\" ;\n"
                        f"    hs:resultOf {ref} ; hs:sourceSection \"Abstract (results)\" .\n\n")
        elif kind == "lab" and rng.random() < 0.3:
            standardized = rng.random() < 0.5
            iri = f"res:{key}-beta"
            out.append(iri)
            cls = "hs:StandardizedRegressionCoefficient" if standardized else "hs:RegressionCoefficient"
            value = rng.uniform(-0.4, 0.6) if standardized else rng.uniform(-8, 8)
            sec.add(f"{iri} a hs:MeasuredResult, {cls} ;\n"
                    f"    rdfs:label \"Regression coefficient of {esc(index.label)} for {esc(self.label[outcome])}\" ;\n"
                    f"    qudt:value {value:.3f} ; qudt:hasUnit {'hs:Ratio' if standardized else 'hs:ScorePoint'} ;\n"
                    f"    hs:outcomeMeasure c:{outcome} ; hs:pValue 0.001 ; hs:pValueRelation \"<\" ;\n"
                    f"    hs:resultOf {ref} ; hs:sourceSection \"Abstract (results)\" .\n\n")
        self.stats.results += len(out)
        return out

    def _characterise(self, source: _Source, key: str, ref: str, authors: list[_Person], title: str, journal: str,
                      year: int, online: str, kind: str, index: _Concept, sec: _Writer) -> None:
        rng = self.rng
        source.cites += 1
        number = source.cites
        names = ", ".join(p.short() for p in authors[:6]) + (", et al" if len(authors) > 6 else "")
        printed_year = online[:4] if online else str(year)
        cited_as = f"{names}. {title}. {journal}. {printed_year}."
        says = rng.choice((f"Introduced as evidence about {index.label}.",
                           f"Cited as showing that {index.label} matters for hip-spine patients.",
                           f"Introduced as a {printed_year} study supporting the article's advice."))
        char = f"char:{source.key}--{key}"
        sec.add(f"{char} a hs:Characterisation ;\n    cito:hasCitingEntity ref:{source.key} ;\n"
                f"    cito:hasCitedEntity {ref} ;\n    cito:hasCitationCharacterization cito:citesAsEvidence ;\n"
                f"    hs:referenceNumber {number} ;\n    hs:citedAs \"{esc(cited_as)}\" ;\n"
                f"    hs:articleSays \"{esc(says)}\" ;\n"
                f"    hs:sourceSection \"{esc(source.org)} article, reference {number}\" .\n\n")
        self.stats.characterisations += 1
        if online and rng.random() < 0.7:
            kind_name, aspect = "StaleCitation", "publication date"
            art = f"Cites the online-first form ({online}) without volume or pages."
            rec = f"Final record: {journal} {year}."
        elif rng.random() < 0.3:
            if rng.random() < 0.6:
                kind_name, aspect = "Misreport", rng.choice(("intervention", "index test", "findings", "population"))
                art = f"Describes the study's {aspect} differently from the paper."
                rec = f"The record's {aspect} is {index.label}."
            else:
                kind_name, aspect = "CharacterisationGap", rng.choice(("design", "findings"))
                art = "Presents the study's result without its design or uncertainty."
                rec = f"A {kind} study; the interval and the design limit what it shows."
        else:
            return
        sec.add(f"disc:{key}-{slug(aspect)}-{source.key} a hs:Discrepancy ;\n    hs:discrepancyKind hs:{kind_name} ;\n"
                f"    hs:inCharacterisation {char} ;\n    hs:aboutStudy {ref} ;\n    hs:aspect \"{aspect}\" ;\n"
                f"    hs:articleSays \"{esc(art)}\" ;\n    hs:recordSays \"{esc(rec)}\" ;\n"
                f"    hs:checkedAgainst \"Study abstract and bibliographic record\" .\n\n")
        self.stats.discrepancies += 1

    def _source_entries(self, bib: _Writer, secs: list[_Writer]) -> None:
        """The @online source articles, and the assertions each makes on its own authority."""
        rng = self.rng
        for s in self.sources:
            names = " and ".join(p.bib(True, rng.random() < 0.5) for p in s.people)
            fields = [("contributor" if s.as_contributor else "author", names), ("title", s.title),
                      ("organization", s.org), ("year", str(s.year)), ("updated", s.updated),
                      ("note", f"Patient-facing web article; cites {s.cites} studies."),
                      ("verification", "partly"),
                      ("verificationnote", "Title, authors and update date from the article text; URL not recorded.")]
            bib.add(f"@online{{{s.key},\n" + ",\n".join(f"  {k:<16} = {{{v}}}" for k, v in fields) + "\n}\n\n")
            for k in range(rng.randint(1, 3)):
                concept = self._concept("interventions")
                cond = self._concept("conditions")
                cslug = f"{s.key}-asserts-{concept.slug[:30].rstrip('-')}-{k}"
                secs[6].add(f"claim:{cslug} a hs:UnbackedAssertion , mp:Claim ;\n"
                            f"    rdfs:label \"{esc(concept.label[0].upper() + concept.label[1:])} helps {esc(cond.label)}\" ;\n"
                            f"    mp:statement \"{esc(concept.label[0].upper() + concept.label[1:])} "
                            f"is offered as a route to relief for "
                            f"{esc(cond.label)}, without a cited study.\" ;\n"
                            f"    dcterms:subject c:{concept.slug} , c:{cond.slug} ;\n"
                            f"    prov:wasDerivedFrom ref:{s.key} ; hs:assertedBy ref:{s.key} ;\n"
                            f"    hs:sourceSection \"{esc(s.org)} article, treatment section\" .\n\n")
                self.stats.unbacked_assertions += 1


ABBREVIATIONS = {
    "Journal": "J", "International": "Int", "American": "Am", "European": "Eur", "Archives": "Arch",
    "Annals": "Ann", "Clinical": "Clin", "Orthopaedic": "Orthop", "Orthopaedics": "Orthop", "Surgery": "Surg",
    "Research": "Res", "Medicine": "Med", "Current": "Curr", "Reviews": "Rev", "Scandinavian": "Scand",
    "British": "Br", "Reports": "Rep", "Advances": "Adv", "Rehabilitation": "Rehabil", "Physical": "Phys",
    "Therapy": "Ther", "Musculoskeletal": "Musculoskelet", "Imaging": "Imaging", "Radiology": "Radiol",
    "Traumatology": "Traumatol", "Arthroplasty": "Arthroplasty", "Disorders": "Disord", "Spinal": "Spinal",
}


def _abbrev(word: str) -> str:
    """ISO-4-like abbreviation: 'Orthopaedic' -> 'Orthop', short words kept."""
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if len(word) <= 5 or not word[0].isalpha():
        return word
    cut = 6 if word[5] not in "aeiou" else 5
    return word[:cut]


def parse_size(text: str) -> int:
    """'1000', '10k', '1.5k', '1m' -> int."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = 1_000 if t.endswith("k") else 1_000_000 if t.endswith("m") else 1
    return int(float(t.rstrip("km")) * mult)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: python -m kg.synth --papers 10000 --seed 42 --out DIR."""
    parser = argparse.ArgumentParser(prog="python -m kg.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=parse_size, required=True, help="number of studies (1000, 10k, 100k)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="directory for references.bib and claims.ttl")
    args = parser.parse_args(argv)
    stats = generate(args.papers, args.seed, args.out)
    for name, value in asdict(stats).items():
        print(f"{name:20} {value:.2f}" if isinstance(value, float) else f"{name:20} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How a synthetic paper is drawn: `PaperSampler.paper(i)` gives paper i as kg.synth.paper dataclasses.

Every random draw happens here, in a fixed order; the writers (kg.synth.bibtex, kg.synth.turtle) only format.
The order is part of the output: moving a draw, or short-circuiting a condition differently, changes the
corpus for every seed.
"""
from __future__ import annotations

import bisect
import itertools
import math
import random
import re
from dataclasses import dataclass, field

from kg.ingest.bibtex import slug
from kg.model.vocab import LEVEL_LABELS
from kg.synth.corpus import Cast, Concept, Person, Source
from kg.synth.paper import (
    CONTRADICTING,
    QUALIFYING,
    SUPPORTING,
    Assertion,
    Characterisation,
    Claim,
    Discrepancy,
    EvidenceLine,
    Paper,
    Record,
    SourceEnding,
    Study,
    Topic,
)
from kg.synth.pools import ABSTRACT_SECTIONS, DESIGNS, DOI_PREFIX, FOLLOW_UPS, PMCID_BASE, PMID_BASE, YEARS, Design
from kg.synth.results import draw_results


def capitalise(text: str) -> str:
    return text[0].upper() + text[1:]


@dataclass
class PaperSampler:
    """Draws the papers one after another; claims and citation counts carry over from paper to paper."""

    rng: random.Random
    cast: Cast
    n_papers: int
    claims: list[Claim] = field(default_factory=list)
    claims_by_concept: dict[str, list[int]] = field(default_factory=dict)
    cites: dict[str, int] = field(default_factory=dict)  # source key -> studies cited so far

    def __post_init__(self) -> None:
        self.cite_rate = min(0.5, len(self.cast.sources) * 12 / self.n_papers)
        self.years = list(YEARS)
        self.year_cum = list(itertools.accumulate((y - 1986) ** 1.6 for y in self.years))
        self.design_cum = list(itertools.accumulate(d.weight for d in DESIGNS))

    def _concept(self, scheme: str) -> Concept:
        return self.cast.vocabulary.draw(self.rng, scheme)

    def _known(self, concept_slug: str) -> Concept:
        return self.cast.vocabulary.by_slug[concept_slug]

    def paper(self, i: int) -> Paper:
        """Paper i (papers must be drawn in order: each one can cite the claims of those before it)."""
        rng = self.rng
        year = self.years[bisect.bisect(self.year_cum, rng.random() * self.year_cum[-1])]
        design = DESIGNS[bisect.bisect(self.design_cum, rng.random() * self.design_cum[-1])]
        level = rng.choice(design.levels)
        topic = self._topic(design.kind)
        n_auth = (1, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6, 8)[int(rng.random() * 12)]
        authors: list[Person] = []
        for _ in range(n_auth):
            p = self.cast.people.draw(rng)
            if p not in authors:  # drawn twice, listed once
                authors.append(p)
        title = self._title(design, topic)
        key_word = re.sub(r"[^a-z]", "", slug(title.split()[0])) or "study"
        key = f"{re.sub(r'[^a-z]', '', slug(authors[0].family))}{year}{key_word}{i}"
        record = self._record(i, year, title)
        study = self._study(design, level, record.status)
        results = draw_results(rng, design.kind, topic.comparator.slug if topic.comparator else "")
        n_lines = 1 if rng.random() < 0.72 else (2 if rng.random() < 0.8 else 3)
        sources = self.cast.sources
        cited_by = sources[rng.randrange(len(sources))] if rng.random() < self.cite_rate else None
        lines = self._lines(n_lines, design.kind, topic, study.sample, cited_by)
        citation = None
        if cited_by is not None:
            citation = self._characterise(cited_by, tuple(authors), title, record, year, design.kind, topic.index)
        return Paper(i, key, year, tuple(authors), title, topic, record, study, results, lines, citation)

    def _topic(self, kind: str) -> Topic:
        rng = self.rng
        if kind == "diagnostic":
            index = self._concept("diagnostic-tests")
            condition = self._concept("conditions")
            outcome = "diagnostic-accuracy"
            comparator = "arthroscopic-findings" if rng.random() < 0.75 else self._concept("diagnostic-tests").slug
            if comparator == index.slug:
                comparator = "arthroscopic-findings" if index.slug != "arthroscopic-findings" else "mri"
        else:
            index = self._concept("interventions") if kind != "lab" or rng.random() < 0.5 else self._concept("conditions")
            condition = self._concept("conditions")
            outcome = self._concept("outcomes").slug
            comparator = self._concept("interventions").slug if rng.random() < 0.35 else ""
            if comparator == index.slug:
                comparator = ""
        return Topic(index, condition, self._known(outcome), self._known(comparator) if comparator else None)

    def _title(self, design: Design, topic: Topic) -> str:
        rng = self.rng
        index, condition, outcome = topic.index.label, topic.condition.label, topic.outcome.label
        if design.kind == "diagnostic":
            t = rng.choice((f"Diagnostic accuracy of {index} for {condition}",
                            f"{index} in the diagnosis of {condition}: a comparison with arthroscopy",
                            f"How reliable is {index} for {condition}?"))
        elif design.kind == "review":
            kind_word = {"narrative-review": "a narrative review", "systematic-review": "a systematic review"}.get(
                design.slug, "a systematic review and meta-analysis")
            t = rng.choice((f"{index} for {condition}: {kind_word}", f"{outcome} after {index}: {kind_word}"))
        elif design.kind == "lab":
            t = rng.choice((f"The effect of {index} on {outcome}: a cadaveric study",
                            f"{condition} and {outcome}: an analysis of skeletal specimens"))
        else:
            t = rng.choice((f"{outcome} after {index} in patients with {condition}",
                            f"Does {condition} affect {outcome} after {index}?",
                            f"{index} and {outcome} in {condition}: a cohort study"))
        return capitalise(t)

    def _record(self, i: int, year: int, title: str) -> Record:
        rng = self.rng
        journal = self.cast.journals.draw(rng)
        u = rng.random()
        status = "verified" if u < 0.55 else "partly" if u < 0.85 else "unverified"
        full_names = rng.random() < 0.7
        latex = rng.random() < 0.5
        if rng.random() < 0.04:  # case-protected acronyms, as reference managers export them
            title = re.sub(r"\b(MRI|CT|THA|EQ-5D|MR|OR)\b", r"{\1}", title)
        short_journal = rng.random() < 0.6
        volume = number = pages = None
        if rng.random() < (0.75 if status != "partly" else 0.5):
            start = rng.randint(1, 2400)
            volume = str(max(1, year - journal.first_year + 1))
            number = str(rng.randint(1, 12))
            if rng.random() < 0.05:
                pages = f"e{start}--e{start + rng.randint(3, 9)}"
            else:
                pages = f"{start}--{start + rng.randint(3, 14)}"
        online = ""
        if rng.random() < 0.12:
            oyear = year - (1 if rng.random() < 0.6 else 0)
            online = f"{oyear}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.8 else str(oyear)
        doi = pmid = pmcid = None
        if status == "verified" or (status == "partly" and rng.random() < 0.5):
            if status == "partly" or rng.random() < 0.92:
                doi = f"{DOI_PREFIX}/{journal.code}.{year}.{i:06d}"
            if rng.random() < (0.45 if status == "verified" else 0.2):
                pmid = str(PMID_BASE + i)
                if status == "verified" and rng.random() < 0.35:
                    pmcid = f"PMC{PMCID_BASE + i}"
        unverified = note = None
        if status == "unverified":
            unverified = ", ".join(["author", "title", "journal", "year"] + (["volume", "number", "pages"] if pages else []))
            note = "Every field is taken from the citing article only; no DOI or PMID could be confirmed."
        elif status == "partly":
            if pages and rng.random() < 0.6:
                unverified = rng.choice(("volume, number, pages", "pages", "number"))
                note = "Title and authors verified; issue and pages come from the citing article only."
            else:
                note = "Record verified against the publisher page; identifiers not all confirmed."
        elif rng.random() < 0.3:
            note = "Record and identifiers verified against the publisher record."
        return Record(title, journal, short_journal, full_names, latex, volume, number, pages, online, doi, pmid, pmcid,
                      status, unverified, note)

    def _study(self, design: Design, level: int, status: str) -> Study:
        rng = self.rng
        sample = 0
        if design.kind == "cohort":
            sample = int(math.exp(rng.uniform(math.log(30), math.log(60000))))
        elif design.kind in ("diagnostic", "cross"):
            sample = int(math.exp(rng.uniform(math.log(20), math.log(600))))
        elif design.kind == "lab":
            sample = int(math.exp(rng.uniform(math.log(6), math.log(700))))
        elif design.slug != "narrative-review" or rng.random() < 0.5:
            sample = (rng.randint(5, 180) if design.slug != "meta-analysis"
                      else int(math.exp(rng.uniform(math.log(500), math.log(90000)))))
        sample_known = sample > 0 and (status != "unverified" or rng.random() < 0.3)
        publication_type = bool(design.mesh) and rng.random() < 0.5
        level_basis = None
        if rng.random() < 0.12:
            design_label = self._known(design.slug).label
            level_basis = f"Project appraisal from the design: {design_label} (graded {LEVEL_LABELS[level]})."
        condition_subject = rng.random() < 0.3
        return Study(design, level, sample, sample_known, publication_type, level_basis, condition_subject)

    # ------------------------------------------------------------------------------ claims and evidence lines
    def _lines(self, n_lines: int, kind: str, topic: Topic, sample: int, cited_by: Source | None) -> tuple[EvidenceLine, ...]:
        rng = self.rng
        lines = []
        used: set[int] = set()
        for line in range(n_lines):
            target = None
            if line > 0 or (self.claims and rng.random() > 0.36):
                target = self._existing_claim(topic.index.slug, used)
            new = target is None
            if target is None:
                target = self._new_claim(kind, topic, cited_by)
                claim = self.claims[target]
                stance = claim.stance0
            else:
                claim = self.claims[target]
                stance = self._stance(claim)
            used.add(target)
            if stance == SUPPORTING:
                claim.has_support = True
            elif stance == CONTRADICTING:
                claim.has_contra = True
            follow_up = rng.choice(FOLLOW_UPS) if kind in ("cohort", "review") and rng.random() < 0.3 else None
            rationale = self._rationale(stance, topic.index.label, topic.outcome.label, sample)
            lines.append(EvidenceLine(claim, new, stance, follow_up, rationale, rng.choice(ABSTRACT_SECTIONS)))
        return tuple(lines)

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

    def _stance(self, claim: Claim) -> str:
        u = self.rng.random()
        opposite = CONTRADICTING if claim.stance0 == SUPPORTING else SUPPORTING
        if claim.contested:
            return opposite if u < 0.5 else (QUALIFYING if u < 0.58 else claim.stance0)
        if claim.stance0 == QUALIFYING:
            return SUPPORTING if u < 0.6 else QUALIFYING
        return claim.stance0 if u < 0.88 else (QUALIFYING if u < 0.97 else opposite)

    def _new_claim(self, kind: str, topic: Topic, cited_by: Source | None) -> int:
        rng = self.rng
        j = len(self.claims)
        primary, condition, outcome = topic.index, topic.condition, topic.outcome
        if kind == "diagnostic":
            label = f"{primary.label} reliably detects {condition.label}"
            reference = topic.comparator.label if topic.comparator else "the reference standard"
            statement = (f"{capitalise(primary.label)} detects {condition.label} accurately enough to "
                         f"rely on, judged against {reference}.")
            verb = "detects"
            subjects: tuple[str, ...] = (primary.slug, condition.slug, "diagnostic-accuracy")
        elif kind == "lab":
            label = f"{primary.label} changes {outcome.label}"
            statement = f"{capitalise(primary.label)} changes {outcome.label} in the lumbar spine or hip."
            verb = "changes"
            subjects = (primary.slug, outcome.slug)
        else:
            better = rng.random() < 0.7
            verb = "improves" if better else "worsens"
            label = f"{primary.label} {verb} {outcome.label} in {condition.label}"
            versus = f" compared with {topic.comparator.label}" if topic.comparator else ""
            statement = (f"In people with {condition.label}, {primary.label} goes with "
                         f"{'better' if better else 'worse'} {outcome.label}{versus}.")
            subjects = (primary.slug, condition.slug, outcome.slug)
        cslug = f"{primary.slug[:28].rstrip('-')}-{verb}-{outcome.slug[:20].rstrip('-')}-{j}"
        u = rng.random()
        stance0 = SUPPORTING if u < 0.86 else (CONTRADICTING if u < 0.95 else QUALIFYING)
        contested = rng.random() < 0.3
        asserted_by = cited_by.key if cited_by is not None and rng.random() < 0.3 else None
        claim = Claim(cslug, primary.slug, stance0, contested, capitalise(label), statement,
                      tuple(dict.fromkeys(subjects)), asserted_by, rng.choice(ABSTRACT_SECTIONS))
        self.claims.append(claim)
        self.claims_by_concept.setdefault(primary.slug, []).append(j)
        return j

    def _rationale(self, stance: str, index: str, outcome: str, sample: int) -> str:
        rng = self.rng
        n = f" (n = {sample:,})" if sample else ""
        if stance == SUPPORTING:
            return rng.choice((f"{capitalise(index)} went with better {outcome}{n}.",
                               f"The findings agree with the claim{n}; the effect on {outcome} was significant.",
                               f"Results for {outcome} favour the claim{n}."))
        if stance == CONTRADICTING:
            return rng.choice((f"No significant difference in {outcome}{n}; the interval includes no effect.",
                               f"The effect on {outcome} ran the other way{n}.",
                               f"Results for {outcome} do not bear the claim out{n}."))
        return rng.choice((f"Holds for some subgroups only{n}; {outcome} differed by severity.",
                           f"Partly consistent: the effect on {outcome} was small and not significant in all analyses{n}."))

    # ------------------------------------------------------------------------------ citations by source articles
    def _characterise(self, source: Source, authors: tuple[Person, ...], title: str, record: Record, year: int,
                      kind: str, index: Concept) -> Characterisation:
        rng = self.rng
        number = self.cites[source.key] = self.cites.get(source.key, 0) + 1
        journal = record.journal.short or record.journal.title
        names = ", ".join(p.short() for p in authors[:6]) + (", et al" if len(authors) > 6 else "")
        printed_year = record.online[:4] if record.online else str(year)
        cited_as = f"{names}. {title}. {journal}. {printed_year}."
        says = rng.choice((f"Introduced as evidence about {index.label}.",
                           f"Cited as showing that {index.label} matters for hip-spine patients.",
                           f"Introduced as a {printed_year} study supporting the article's advice."))
        return Characterisation(source, number, cited_as, says, self._discrepancy(record, year, kind, index))

    def _discrepancy(self, record: Record, year: int, kind: str, index: Concept) -> Discrepancy | None:
        rng = self.rng
        online = record.online
        if online and rng.random() < 0.7:
            journal = record.journal.short or record.journal.title
            return Discrepancy("StaleCitation", "publication date",
                               f"Cites the online-first form ({online}) without volume or pages.",
                               f"Final record: {journal} {year}.")
        if rng.random() < 0.3:
            if rng.random() < 0.6:
                aspect = rng.choice(("intervention", "index test", "findings", "population"))
                return Discrepancy("Misreport", aspect, f"Describes the study's {aspect} differently from the paper.",
                                   f"The record's {aspect} is {index.label}.")
            aspect = rng.choice(("design", "findings"))
            return Discrepancy("CharacterisationGap", aspect, "Presents the study's result without its design or uncertainty.",
                               f"A {kind} study; the interval and the design limit what it shows.")
        return None

    def source_endings(self) -> tuple[SourceEnding, ...]:
        """Drawn after the last paper: each source article's name spelling and its own assertions."""
        rng = self.rng
        endings = []
        for s in self.cast.sources:
            latex = tuple(rng.random() < 0.5 for _ in s.people)
            assertions = []
            for k in range(rng.randint(1, 3)):
                concept = self._concept("interventions")
                cond = self._concept("conditions")
                label = capitalise(concept.label)
                assertions.append(Assertion(
                    f"{s.key}-asserts-{concept.slug[:30].rstrip('-')}-{k}", concept, cond, f"{label} helps {cond.label}",
                    f"{label} is offered as a route to relief for {cond.label}, without a cited study."))
            endings.append(SourceEnding(s, self.cites.get(s.key, 0), latex, tuple(assertions)))
        return tuple(endings)

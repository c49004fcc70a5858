"""The curation operations, one typed dataclass per kind of record, and the records each one writes.

Every operation names its target record (`iri`), the section of the claims file it belongs in (`SECTION`, a
pattern matched against the numbered section titles), and builds its `Record` (kg.curate.turtle) from its
fields, keeping the properties of an existing record that the operation does not manage (an edit of a study's
design keeps its `schema:publicationType` and notes). Values are given as a curator types them: studies by
BibTeX key, concepts as `c:slug` (or a bare slug, or a full IRI), claims as `claim:slug` or a slug, stances
and measures by name. Field names are the keys of a refusal's messages (kg.curate.check.Refusal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from rdflib import XSD, Literal, URIRef

from kg.curate.layout import Block, Layout
from kg.curate.turtle import Record
from kg.model.namespace import PREFIXES
from kg.model.vocab import STANCE_NAMES

HS, C, PICO, OBO = PREFIXES["hs"], PREFIXES["c"], PREFIXES["pico"], PREFIXES["obo"]
RDFS, PROV, QUDT, MP = PREFIXES["rdfs"], PREFIXES["prov"], PREFIXES["qudt"], PREFIXES["mp"]
DCTERMS, SKOS, UNIT = PREFIXES["dcterms"], PREFIXES["skos"], PREFIXES["unit"]
REF = PREFIXES["ref"]
CLAIM, EV, PF, RES = PREFIXES["claim"], PREFIXES["ev"], PREFIXES["pf"], PREFIXES["res"]
ROB = PREFIXES["rob"]

# Stance names -> IRIs: the vocabulary's three, and "inconclusive" (SEPIO_0000405 in the ontology).
STANCES: dict[str, str] = {name: iri for iri, name in STANCE_NAMES.items()}
STANCES.setdefault("inconclusive", HS + "Inconclusive")

# Measure names -> classes (STATO where a verified class exists, else the project's own).
MEASURES: dict[str, str] = {
    "sensitivity": OBO + "STATO_0000233",
    "specificity": OBO + "STATO_0000134",
    "accuracy": OBO + "STATO_0000415",
    "positive predictive value": OBO + "STATO_0000416",
    "area under curve": OBO + "STATO_0000209",
    "likelihood ratio": OBO + "STATO_0000409",
    "odds ratio": OBO + "STATO_0000182",
    "risk ratio": OBO + "STATO_0000245",
    "mean difference": OBO + "STATO_0000457",
    "standardized mean difference": OBO + "STATO_0000100",
    "rate": HS + "EventRate",
    "prevalence": HS + "Prevalence",
    "mean score": HS + "MeanScore",
    "regression coefficient": HS + "RegressionCoefficient",
    "standardized regression coefficient": HS + "StandardizedRegressionCoefficient",
}
# Measures that are shares of a whole: 0-100 in percent, 0-1 as a fraction.
PROPORTIONS = frozenset({"sensitivity", "specificity", "accuracy", "positive predictive value", "rate",
                         "prevalence", "area under curve"})
RATIOS = frozenset({"odds ratio", "risk ratio", "likelihood ratio"})  # positive by definition
UNITS: dict[str, str] = {"percent": UNIT + "PERCENT", "%": UNIT + "PERCENT", "fraction": UNIT + "FRACTION",
                         "ratio": HS + "Ratio", "score points": HS + "ScorePoint", "score point": HS + "ScorePoint"}
P_RELATIONS = ("=", "<", "<=", ">")
SCHEMES = {"design": C + "study-designs", "level": C + "levels-of-evidence"}
PARTS = {"intervention": "interventionGroup", "comparator": "comparatorGroup", "outcomes": "outcomeGroup"}
PROVENANCE = {PROV + "wasAttributedTo", PROV + "generatedAtTime"}


class FieldError(ValueError):
    """A field that cannot be read at all (not a number, an unknown stance); carries the field's name."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


# ---- how typed values become terms ------------------------------------------------------------------------

def slug(text: str) -> str:
    """A lower-case, hyphenated local name from free text."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _iri(value: str, namespace: str, field_name: str, prefixes: tuple[str, ...]) -> URIRef:
    value = value.strip()
    if not value:
        raise FieldError(field_name, "is empty")
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if re.match(r"^[a-z][a-z0-9+.\-]*://", value):
        return URIRef(value)
    prefix, sep, local = value.partition(":")
    if sep:
        if prefix in PREFIXES and (prefix in prefixes or not prefixes):
            return URIRef(PREFIXES[prefix] + local)
        if prefix in PREFIXES:
            return URIRef(PREFIXES[prefix] + local)
        raise FieldError(field_name, f"'{value}': unknown prefix '{prefix}:'")
    if not re.fullmatch(r"[\w\-.]+", value):
        raise FieldError(field_name, f"'{value}' is not a name (use letters, digits and hyphens)")
    return URIRef(namespace + value)


def concept(value: str, field_name: str) -> URIRef:
    """`c:slug`, a bare slug, `mesh:D012345` or a full IRI as a concept IRI."""
    return _iri(value, C, field_name, ())


def study_key(value: str, field_name: str = "study") -> str:
    """A BibTeX key from `key` or `ref:key`."""
    key = value.strip().removeprefix("ref:")
    if not re.fullmatch(r"[\w\-.:+~]+", key):
        raise FieldError(field_name, f"'{value}' is not a BibTeX key")
    return key


def study_ref(value: str, field_name: str = "study") -> URIRef:
    return URIRef(REF + study_key(value, field_name))


def claim_iri(value: str, field_name: str = "claim") -> URIRef:
    return _iri(value, CLAIM, field_name, ("claim",))


def decimal(value: object, field_name: str) -> Decimal | None:
    """A number as typed (84, "84.0", 0.5) as a Decimal; None for None or ''."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise FieldError(field_name, f"'{value}' is not a number") from None
    if not number.is_finite():
        raise FieldError(field_name, f"'{value}' is not a finite number")
    return number


def decimal_literal(number: Decimal) -> Literal:
    """An xsd:decimal written as the file writes them: 80.0, not 80 or 8E+1."""
    text = format(number, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal, normalize=False)


def integer_literal(number: int) -> Literal:
    return Literal(str(int(number)), datatype=XSD.integer, normalize=False)


def text_literal(value: str | None) -> Literal | None:
    return Literal(value.strip()) if value is not None and value.strip() else None


# ---- operations --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    """Base of every operation: the target record, its section, the fields it manages, its Record."""

    SECTION: ClassVar[str] = ""  # regex on the section title
    SECTION_TITLE: ClassVar[str] = ""  # title of a section created when the file has none that matches
    MANAGED: ClassVar[frozenset[str]] = frozenset()  # predicates the operation owns (others are kept on edit)
    MANAGES_TYPES: ClassVar[bool] = True  # False: an edit keeps the record's classes (a study's fabio:ReviewArticle)
    FIELD_OF: ClassVar[dict[str, str]] = {}  # predicate IRI -> field, to place validation messages

    @property
    def iri(self) -> str:
        raise NotImplementedError

    def record(self) -> Record:
        raise NotImplementedError

    def references(self) -> dict[str, str]:
        """IRIs the record points at -> the field that names them (to place messages about those nodes)."""
        return {}

    def extra_records(self) -> list[Operation]:
        """Other records the operation adds with this one (an evidence line's new claim)."""
        return []

    def located(self, layout: Layout) -> tuple[Operation, Block | None]:
        """The operation aimed at its record in the file (by IRI; an evidence line also by study and claim)."""
        return self, layout.block_of(self.iri)

    def target_section(self) -> tuple[str, str]:
        """The pattern of the section a new record goes to, and the title of one created when none matches."""
        return self.SECTION, self.SECTION_TITLE

    def field_names(self) -> list[str]:
        return [f.name for f in fields(self)]


@dataclass(frozen=True)
class StudyFacts(Operation):
    """A study's design, level of evidence (with the basis of the grading) and sample size with its unit.

    design: a concept of c:study-designs (e.g. "c:retrospective-matched-cohort"); level: one of
    c:levels-of-evidence ("c:loe-3"). The record is `ref:KEY` in the study-level section."""

    study: str
    design: str | None = None
    level: str | None = None
    level_basis: str | None = None
    sample_size: int | None = None
    sample_unit: str | None = None

    SECTION: ClassVar[str] = r"study-level"
    SECTION_TITLE: ClassVar[str] = "Study-level facts: design, level of evidence, sample size"
    MANAGES_TYPES: ClassVar[bool] = False
    MANAGED: ClassVar[frozenset[str]] = frozenset({HS + "studyDesign", HS + "levelOfEvidence", HS + "levelOfEvidenceBasis",
                                                   HS + "sampleSize", HS + "sampleUnit"})
    FIELD_OF: ClassVar[dict[str, str]] = {HS + "studyDesign": "design", HS + "levelOfEvidence": "level",
                                          HS + "levelOfEvidenceBasis": "level_basis", HS + "sampleSize": "sample_size",
                                          HS + "sampleUnit": "sample_unit", HS + "bibKey": "study"}

    @property
    def iri(self) -> str:
        return str(study_ref(self.study))

    def record(self) -> Record:
        r = Record(URIRef(self.iri))
        r.add(HS + "studyDesign", concept(self.design, "design") if self.design else None)
        r.add(HS + "levelOfEvidence", concept(self.level, "level") if self.level else None)
        r.add(HS + "levelOfEvidenceBasis", text_literal(self.level_basis))
        if self.sample_size is not None:
            try:
                size = int(self.sample_size)
            except (TypeError, ValueError):
                raise FieldError("sample_size", f"'{self.sample_size}' is not a whole number") from None
            r.add(HS + "sampleSize", integer_literal(size))
        r.add(HS + "sampleUnit", text_literal(self.sample_unit))
        return r

    def references(self) -> dict[str, str]:
        refs = {self.iri: "study"}
        if self.design:
            refs[str(concept(self.design, "design"))] = "design"
        if self.level:
            refs[str(concept(self.level, "level"))] = "level"
        return refs


@dataclass(frozen=True)
class Arm:
    """One element of a PICO frame: the curator's wording and the concepts it names."""

    label: str | None = None
    concepts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pico(Operation):
    """A study's PICO frame `pf:<frame>` (default: the study's key): population (wording, number of participants,
    conditions: the condition or target condition), intervention or index test, comparator or reference
    standard (optional), outcomes. Concepts come from the concept schemes; a new one is a NewConcept first."""

    study: str
    label: str
    population: Arm
    intervention: Arm
    outcomes: Arm
    comparator: Arm | None = None
    participants: int | None = None
    frame: str | None = None

    SECTION: ClassVar[str] = r"\bpico\b"
    SECTION_TITLE: ClassVar[str] = "PICO frames"
    MANAGED: ClassVar[frozenset[str]] = frozenset({RDFS + "label", PICO + "population", PICO + "interventionGroup",
                                                   PICO + "comparatorGroup", PICO + "outcomeGroup"})
    FIELD_OF: ClassVar[dict[str, str]] = {RDFS + "label": "label", PICO + "population": "population",
                                          PICO + "interventionGroup": "intervention",
                                          PICO + "comparatorGroup": "comparator", PICO + "outcomeGroup": "outcomes",
                                          PICO + "numberOfParticipants": "participants",
                                          PICO + "condition": "population", PICO + "intervention": "intervention",
                                          PICO + "outcome": "outcomes"}

    @property
    def iri(self) -> str:
        return PF + (self.frame or study_key(self.study))

    def record(self) -> Record:
        r = Record(URIRef(self.iri), [URIRef(PICO + "PICO")])
        r.add(RDFS + "label", text_literal(self.label))
        population = Record(None, [URIRef(PICO + "Population")])
        population.add(RDFS + "label", text_literal(self.population.label))
        if self.participants is not None:
            population.add(PICO + "numberOfParticipants", integer_literal(int(self.participants)))
        population.add(PICO + "condition", *[concept(c, "population") for c in self.population.concepts])
        r.add(PICO + "population", population)
        for name, predicate, arm, link in (("intervention", "interventionGroup", self.intervention, "intervention"),
                                           ("comparator", "comparatorGroup", self.comparator, "intervention"),
                                           ("outcomes", "outcomeGroup", self.outcomes, "outcome")):
            if arm is None:
                continue
            group = Record(None, [URIRef(PICO + ("OutcomeGroup" if name == "outcomes" else "InterventionGroup"))])
            group.add(RDFS + "label", text_literal(arm.label))
            group.add(PICO + link, *[concept(c, name) for c in arm.concepts])
            r.add(PICO + predicate, group)
        return r

    def references(self) -> dict[str, str]:
        refs: dict[str, str] = {self.iri: "frame"}
        for name, arm in (("population", self.population), ("intervention", self.intervention),
                          ("comparator", self.comparator), ("outcomes", self.outcomes)):
            for c in arm.concepts if arm else ():
                refs[str(concept(c, name))] = name
            refs[f"{self.iri}/{PARTS.get(name, name)}"] = name
        return refs


@dataclass(frozen=True)
class NewConcept(Operation):
    """A concept the schemes lack, added deliberately: `c:<name>` in `scheme` (e.g. "c:interventions"), with its
    preferred label, synonyms and a broader concept. Written to the claims file's section for curated concepts."""

    name: str
    label: str
    scheme: str
    synonyms: tuple[str, ...] = ()
    broader: str | None = None
    definition: str | None = None

    SECTION: ClassVar[str] = r"concepts added"
    SECTION_TITLE: ClassVar[str] = "Concepts added in curation (SKOS, beside kg/model/ontology/concepts.ttl)"
    MANAGED: ClassVar[frozenset[str]] = frozenset({SKOS + "prefLabel", SKOS + "altLabel", SKOS + "inScheme",
                                                   SKOS + "broader", SKOS + "definition"})
    FIELD_OF: ClassVar[dict[str, str]] = {SKOS + "prefLabel": "label", SKOS + "altLabel": "synonyms",
                                          SKOS + "inScheme": "scheme", SKOS + "broader": "broader"}

    @property
    def iri(self) -> str:
        return str(concept(self.name, "name"))

    def record(self) -> Record:
        r = Record(URIRef(self.iri), [URIRef(SKOS + "Concept")])
        r.add(SKOS + "prefLabel", text_literal(self.label))
        r.add(SKOS + "altLabel", *[text_literal(s) for s in self.synonyms])
        r.add(SKOS + "inScheme", concept(self.scheme, "scheme"))
        r.add(SKOS + "broader", concept(self.broader, "broader") if self.broader else None)
        r.add(SKOS + "definition", text_literal(self.definition))
        return r

    def references(self) -> dict[str, str]:
        refs = {self.iri: "name", str(concept(self.scheme, "scheme")): "scheme"}
        if self.broader:
            refs[str(concept(self.broader, "broader"))] = "broader"
        return refs


@dataclass(frozen=True)
class Claim(Operation):
    """A claim in the curator's own words: `claim:<name>`, a short label, the statement, the source(s) it was
    taken from (BibTeX keys) and the section of the source; `asserted_by` a source article stating it itself.
    A claim needs an evidence line (add it with EvidenceLine(new_claim=...)) unless `unbacked`: an assertion a
    source article makes on its own authority, which no cited study bears on (needs `asserted_by`)."""

    name: str
    label: str
    statement: str
    sources: tuple[str, ...]
    section: str
    subjects: tuple[str, ...] = ()
    asserted_by: tuple[str, ...] = ()
    unbacked: bool = False

    SECTION: ClassVar[str] = r"^claims\b"
    SECTION_TITLE: ClassVar[str] = "Claims"
    MANAGED: ClassVar[frozenset[str]] = frozenset({RDFS + "label", MP + "statement", DCTERMS + "subject",
                                                   PROV + "wasDerivedFrom", HS + "assertedBy", HS + "sourceSection"})
    FIELD_OF: ClassVar[dict[str, str]] = {RDFS + "label": "label", MP + "statement": "statement",
                                          DCTERMS + "subject": "subjects", PROV + "wasDerivedFrom": "sources",
                                          HS + "assertedBy": "asserted_by", HS + "sourceSection": "section",
                                          HS + "evidenceFor": "unbacked"}

    @property
    def iri(self) -> str:
        return str(claim_iri(self.name, "name"))

    def record(self) -> Record:
        types = [URIRef(HS + "UnbackedAssertion"), URIRef(MP + "Claim")] if self.unbacked else [URIRef(MP + "Claim")]
        r = Record(URIRef(self.iri), types)
        r.add(RDFS + "label", text_literal(self.label))
        r.add(MP + "statement", text_literal(self.statement))
        r.add(DCTERMS + "subject", *[concept(c, "subjects") for c in self.subjects])
        r.add(PROV + "wasDerivedFrom", *[study_ref(s, "sources") for s in self.sources])
        r.add(HS + "assertedBy", *[study_ref(s, "asserted_by") for s in self.asserted_by])
        r.add(HS + "sourceSection", text_literal(self.section))
        return r

    def target_section(self) -> tuple[str, str]:
        if self.unbacked:
            return r"own authority|unbacked", "Assertions the source articles make on their own authority"
        return self.SECTION, self.SECTION_TITLE

    def references(self) -> dict[str, str]:
        refs = {self.iri: "name"}
        refs.update({str(study_ref(s, "sources")): "sources" for s in self.sources})
        refs.update({str(study_ref(s, "asserted_by")): "asserted_by" for s in self.asserted_by})
        refs.update({str(concept(c, "subjects")): "subjects" for c in self.subjects})
        return refs


@dataclass(frozen=True)
class EvidenceLine(Operation):
    """One study's stance on one claim: `ev:<study>--<claim>`. claim: an existing claim (`claim:slug`), or leave it
    to `new_claim`; stance: supports | contradicts | qualifies | inconclusive; section: the part of the study the
    stance rests on; pico: the frame (default `pf:<study key>`); results: `res:` names the line rests on."""

    study: str
    claim: str
    stance: str
    section: str
    rationale: str
    pico: str | None = None
    follow_up: str | None = None
    results: tuple[str, ...] = ()
    new_claim: Claim | None = None
    name: str | None = None  # the line's local name; default <study key>--<claim name>

    SECTION: ClassVar[str] = r"evidence lines"
    SECTION_TITLE: ClassVar[str] = "Evidence lines"
    MANAGED: ClassVar[frozenset[str]] = frozenset({HS + "evidenceFrom", HS + "evidenceFor", HS + "stance", HS + "pico",
                                                   HS + "followUp", HS + "rationale", HS + "hasResult",
                                                   HS + "sourceSection"})
    FIELD_OF: ClassVar[dict[str, str]] = {HS + "evidenceFrom": "study", HS + "evidenceFor": "claim",
                                          HS + "stance": "stance", HS + "pico": "pico", HS + "followUp": "follow_up",
                                          HS + "rationale": "rationale", HS + "hasResult": "results",
                                          HS + "sourceSection": "section"}

    def claim_node(self) -> URIRef:
        if self.new_claim is not None and not self.claim.strip():
            return URIRef(self.new_claim.iri)
        return claim_iri(self.claim)

    @property
    def iri(self) -> str:
        if self.name:
            return EV + self.name
        return EV + f"{study_key(self.study)}--{self.claim_node().removeprefix(CLAIM)}"

    def stance_iri(self) -> URIRef:
        name = self.stance.strip().lower()
        if name not in STANCES:
            raise FieldError("stance", f"'{self.stance}' is not a stance: use one of {', '.join(STANCES)}")
        return URIRef(STANCES[name])

    def pico_iri(self) -> URIRef:
        return _iri(self.pico, PF, "pico", ("pf",)) if self.pico else URIRef(PF + study_key(self.study))

    def record(self) -> Record:
        r = Record(URIRef(self.iri), [URIRef(HS + "Evidence")])
        r.add(HS + "evidenceFrom", study_ref(self.study))
        r.add(HS + "evidenceFor", self.claim_node())
        r.add(HS + "stance", self.stance_iri())
        r.add(HS + "pico", self.pico_iri())
        r.add(HS + "followUp", text_literal(self.follow_up))
        r.add(HS + "rationale", text_literal(self.rationale))
        r.add(HS + "hasResult", *[_iri(x, RES, "results", ("res",)) for x in self.results])
        r.add(HS + "sourceSection", text_literal(self.section))
        return r

    def references(self) -> dict[str, str]:
        refs = {self.iri: "record", str(study_ref(self.study)): "study", str(self.claim_node()): "claim",
                str(self.pico_iri()): "pico"}
        refs.update({str(_iri(x, RES, "results", ("res",))): "results" for x in self.results})
        return refs

    def extra_records(self) -> list[Operation]:
        return [self.new_claim] if self.new_claim is not None else []

    def located(self, layout: Layout) -> tuple[Operation, Block | None]:
        """Without an explicit name, the study's existing line on the claim, whatever it is called
        (the file names lines by a short study name, `ev:lee2019--claim`)."""
        block = layout.block_of(self.iri)
        if block is not None or self.name:
            return self, block
        study, claim = str(study_ref(self.study)), str(self.claim_node())
        for candidate in [b for s in layout.spellings(claim) for b in layout.blocks_mentioning(s)]:
            full = layout.expand(candidate.subject)
            if not full.startswith(EV):
                continue
            text = layout.block_text(candidate)
            objects = {layout.expand(tok.rstrip(";,.")) for tok in text.split()}
            if study in objects and claim in objects and "hs:evidenceFrom" in text:
                return replace(self, name=full.removeprefix(EV)), candidate
        return self, None


@dataclass(frozen=True)
class TwoByTwo:
    """A diagnostic 2×2 table: index test against reference standard."""

    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int


@dataclass(frozen=True)
class EventCounts:
    """Events out of participants in the result's group, and in the group it is compared with."""

    events: int
    total: int
    comparator_events: int | None = None
    comparator_total: int | None = None


@dataclass(frozen=True)
class Result(Operation):
    """A measured result `res:<name>` of a study: the measure by name (MEASURES: sensitivity, specificity,
    accuracy, odds ratio, risk ratio, mean difference, rate, ...), its value and unit (percent, fraction, ratio,
    score points, or a unit CURIE), an interval (lower, upper) with its confidence level, a p-value with its
    relation, the index test and reference standard or the groups compared, target conditions, the outcome
    concept, the observer, and the event counts or 2×2 table where the study gives them."""

    study: str
    name: str
    measure: str
    value: Decimal | float | int | str
    unit: str
    section: str
    label: str | None = None
    interval: tuple[Decimal | float | int | str, Decimal | float | int | str] | None = None
    confidence_level: Decimal | float | int | str | None = None
    p_value: Decimal | float | int | str | None = None
    p_value_relation: str | None = None
    index_test: str | None = None
    reference_standard: str | None = None
    target_conditions: tuple[str, ...] = ()
    outcome: str | None = None
    observer: str | None = None
    group: str | None = None
    compared_with: str | None = None
    events: EventCounts | None = None
    two_by_two: TwoByTwo | None = None
    note: str | None = None

    SECTION: ClassVar[str] = r"measured results"
    SECTION_TITLE: ClassVar[str] = "Measured results"
    MANAGED: ClassVar[frozenset[str]] = frozenset({
        RDFS + "label", QUDT + "value", QUDT + "hasUnit", HS + "lowerBound", HS + "upperBound", HS + "confidenceLevel",
        HS + "pValue", HS + "pValueRelation", HS + "indexTest", HS + "referenceStandard", HS + "targetCondition",
        HS + "outcomeMeasure", HS + "observer", HS + "group", HS + "comparedWith", HS + "curationNote",
        HS + "resultOf", HS + "sourceSection", HS + "eventCount", HS + "groupSize", HS + "comparatorEventCount",
        HS + "comparatorGroupSize", HS + "truePositives", HS + "falsePositives", HS + "falseNegatives",
        HS + "trueNegatives"})
    FIELD_OF: ClassVar[dict[str, str]] = {
        RDFS + "label": "label", QUDT + "value": "value", QUDT + "hasUnit": "unit", HS + "lowerBound": "interval",
        HS + "upperBound": "interval", HS + "confidenceLevel": "confidence_level", HS + "pValue": "p_value",
        HS + "pValueRelation": "p_value_relation", HS + "indexTest": "index_test",
        HS + "referenceStandard": "reference_standard", HS + "targetCondition": "target_conditions",
        HS + "outcomeMeasure": "outcome", HS + "observer": "observer", HS + "group": "group",
        HS + "comparedWith": "compared_with", HS + "resultOf": "study", HS + "sourceSection": "section",
        HS + "eventCount": "events", HS + "groupSize": "events", HS + "comparatorEventCount": "events",
        HS + "comparatorGroupSize": "events", HS + "truePositives": "two_by_two", HS + "falsePositives": "two_by_two",
        HS + "falseNegatives": "two_by_two", HS + "trueNegatives": "two_by_two"}

    @property
    def iri(self) -> str:
        return str(_iri(self.name, RES, "name", ("res",)))

    def measure_class(self) -> URIRef:
        name = self.measure.strip().lower()
        if name in MEASURES:
            return URIRef(MEASURES[name])
        if ":" in name:
            return _iri(self.measure, OBO, "measure", ())
        raise FieldError("measure", f"'{self.measure}' is not a measure: use one of {', '.join(MEASURES)}, or a class CURIE")

    def unit_iri(self) -> URIRef:
        name = self.unit.strip().lower()
        if name in UNITS:
            return URIRef(UNITS[name])
        if ":" in self.unit:
            return _iri(self.unit, UNIT, "unit", ())
        raise FieldError("unit", f"'{self.unit}' is not a unit: use one of {', '.join(UNITS)}, or a unit CURIE")

    def numbers(self) -> dict[str, Decimal | None]:
        """The numeric fields as Decimals (raises FieldError naming the field that is not a number)."""
        lower, upper = self.interval if self.interval is not None else (None, None)
        value = decimal(self.value, "value")
        if value is None:
            raise FieldError("value", "a result needs its value")
        return {"value": value, "lower": decimal(lower, "interval"), "upper": decimal(upper, "interval"),
                "confidence_level": decimal(self.confidence_level, "confidence_level"),
                "p_value": decimal(self.p_value, "p_value")}

    def record(self) -> Record:
        n = self.numbers()
        r = Record(URIRef(self.iri), [URIRef(HS + "MeasuredResult"), self.measure_class()])
        r.add(RDFS + "label", text_literal(self.label))
        r.add(QUDT + "value", decimal_literal(n["value"]))  # type: ignore[arg-type]
        r.add(QUDT + "hasUnit", self.unit_iri())
        r.add(HS + "indexTest", concept(self.index_test, "index_test") if self.index_test else None)
        r.add(HS + "referenceStandard", concept(self.reference_standard, "reference_standard")
              if self.reference_standard else None)
        r.add(HS + "targetCondition", *[concept(c, "target_conditions") for c in self.target_conditions])
        r.add(HS + "outcomeMeasure", concept(self.outcome, "outcome") if self.outcome else None)
        r.add(HS + "observer", text_literal(self.observer))
        r.add(HS + "group", text_literal(self.group))
        r.add(HS + "comparedWith", text_literal(self.compared_with))
        if self.events is not None:
            r.add(HS + "eventCount", integer_literal(self.events.events))
            r.add(HS + "groupSize", integer_literal(self.events.total))
            if self.events.comparator_events is not None:
                r.add(HS + "comparatorEventCount", integer_literal(self.events.comparator_events))
            if self.events.comparator_total is not None:
                r.add(HS + "comparatorGroupSize", integer_literal(self.events.comparator_total))
        if self.two_by_two is not None:
            t = self.two_by_two
            r.add(HS + "truePositives", integer_literal(t.true_positives))
            r.add(HS + "falsePositives", integer_literal(t.false_positives))
            r.add(HS + "falseNegatives", integer_literal(t.false_negatives))
            r.add(HS + "trueNegatives", integer_literal(t.true_negatives))
        r.add(HS + "pValue", decimal_literal(n["p_value"]) if n["p_value"] is not None else None)
        r.add(HS + "pValueRelation", text_literal(self.p_value_relation or ("=" if n["p_value"] is not None else None)))
        r.add(HS + "lowerBound", decimal_literal(n["lower"]) if n["lower"] is not None else None)
        r.add(HS + "upperBound", decimal_literal(n["upper"]) if n["upper"] is not None else None)
        r.add(HS + "confidenceLevel", decimal_literal(n["confidence_level"]) if n["confidence_level"] is not None else None)
        r.add(HS + "curationNote", text_literal(self.note))
        r.add(HS + "resultOf", study_ref(self.study))
        r.add(HS + "sourceSection", text_literal(self.section))
        return r

    def references(self) -> dict[str, str]:
        refs = {self.iri: "name", str(study_ref(self.study)): "study"}
        for name in ("index_test", "reference_standard", "outcome"):
            value = getattr(self, name)
            if value:
                refs[str(concept(value, name))] = name
        refs.update({str(concept(c, "target_conditions")): "target_conditions" for c in self.target_conditions})
        return refs


# ---- risk of bias ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tool:
    """A risk-of-bias tool as the appraisal ontology models it: its class, its domains in order, its scale."""

    name: str
    cls: str
    domains: tuple[tuple[str, str], ...]  # (label, IRI) in the tool's order
    scale: tuple[str, ...]  # judgement names the tool uses
    applicability: frozenset[str] = frozenset()  # domains (IRIs) that also carry an applicability concern


JUDGEMENTS: dict[str, str] = {"low": HS + "LowRisk", "some concerns": HS + "SomeConcerns", "high": HS + "HighRisk",
                              "very high": HS + "VeryHighRisk", "no information": HS + "NoInformation"}
JUDGEMENT_RANK = {"low": 0, "some concerns": 1, "no information": 1, "high": 2, "very high": 3}  # the tests' order
APPLICABILITY: dict[str, str] = {"low concern": HS + "LowConcern", "high concern": HS + "HighConcern",
                                 "no information": HS + "NoInformation"}
_JUDGEMENT_ALIASES = {"unclear": "no information", "low risk": "low", "high risk": "high",
                      "very high risk": "very high"}
_CONCERN_ALIASES = {"unclear": "no information", "low": "low concern", "high": "high concern"}
_QUADAS = (("patient selection", HS + "QuadasPatientSelection"), ("index test", HS + "QuadasIndexTest"),
           ("reference standard", HS + "QuadasReferenceStandard"), ("flow and timing", HS + "QuadasFlowAndTiming"))
TOOLS: dict[str, Tool] = {
    "QUADAS-2": Tool("QUADAS-2", HS + "Quadas2Assessment", _QUADAS, ("low", "high", "no information"),
                     frozenset(iri for _, iri in _QUADAS[:3])),
    "ROBINS-E": Tool("ROBINS-E", HS + "RobinsEAssessment", (
        ("confounding", HS + "RobinsEConfounding"), ("measurement of the exposure", HS + "RobinsEExposureMeasurement"),
        ("selection of participants", HS + "RobinsEParticipantSelection"),
        ("post-exposure interventions", HS + "RobinsEPostExposureInterventions"),
        ("missing data", HS + "RobinsEMissingData"), ("measurement of the outcome", HS + "RobinsEOutcomeMeasurement"),
        ("selection of the reported result", HS + "RobinsEReportedResult")),
        ("low", "some concerns", "high", "very high", "no information")),
    "ROBIS": Tool("ROBIS", HS + "RobisAssessment", (
        ("study eligibility criteria", HS + "RobisEligibility"),
        ("identification and selection of studies", HS + "RobisIdentification"),
        ("data collection and study appraisal", HS + "RobisDataCollection"),
        ("synthesis and findings", HS + "RobisSynthesis")), ("low", "high", "no information")),
}
NOT_APPLICABLE = "not applicable"
NOT_APPLICABLE_CLASS = HS + "RiskOfBiasNotApplicable"
# The tool each design kind (kg.appraisal.grade.design_kind) calls for; None: no tool of the appraisal applies.
TOOL_FOR_DESIGN: dict[str, str | None] = {"accuracy study": "QUADAS-2", "cohort": "ROBINS-E",
                                          "systematic review": "ROBIS", "review of studies": "ROBIS",
                                          "laboratory": None, "narrative review": None}


def tool_named(name: str) -> Tool | None:
    """A tool by its name, case and spacing ignored (None for 'not applicable' or an unknown name)."""
    wanted = name.strip().upper().replace(" ", "")
    return next((t for key, t in TOOLS.items() if key.replace(" ", "") == wanted), None)


def judgement_name(value: str) -> str:
    """A judgement as typed ('Low', 'unclear', 'hs:HighRisk') as its scale name ('' when unknown)."""
    text = value.strip().lower()
    text = _JUDGEMENT_ALIASES.get(text, text)
    if text in JUDGEMENTS:
        return text
    by_iri = {iri.rsplit("#", 1)[-1].lower(): name for name, iri in JUDGEMENTS.items()}
    return by_iri.get(text.removeprefix("hs:"), "")


def applicability_name(value: str) -> str:
    """An applicability concern as typed ('high', 'low concern', 'unclear') as its name ('' when unknown)."""
    text = value.strip().lower()
    text = _CONCERN_ALIASES.get(text, text)
    if text in APPLICABILITY:
        return text
    by_iri = {iri.rsplit("#", 1)[-1].lower(): name for name, iri in APPLICABILITY.items()}
    return by_iri.get(text.removeprefix("hs:"), "")


def domain_iri(tool: Tool, value: str) -> str | None:
    """A domain of `tool` by label ('index test'), local name or CURIE; None when it is not one of the tool's."""
    text = value.strip()
    for label, iri in tool.domains:
        local = iri.rsplit("#", 1)[-1]
        if text.lower() == label or text in (local, "hs:" + local, iri):
            return iri
    return None


@dataclass(frozen=True)
class DomainJudgement:
    """One domain of the tool: its judgement, for QUADAS-2's first three domains the applicability concern, the
    reason in the curator's words and the section of the study's record it rests on."""

    domain: str
    judgement: str
    reason: str
    section: str
    applicability: str | None = None


@dataclass(frozen=True)
class RiskOfBias(Operation):
    """A study's risk-of-bias assessment `rob:<name>` (claims file section 8) with the tool its design calls for
    (QUADAS-2, ROBINS-E, ROBIS): every domain of the tool once, judgements from its scale, the overall judgement
    never better than the worst domain, with its reason and section. tool "not applicable": no tool of the
    appraisal covers the design (laboratory work, a narrative review); `reason` says why, with no domains."""

    study: str
    tool: str
    domains: tuple[DomainJudgement, ...] = ()
    overall: str | None = None
    reason: str = ""
    section: str = ""
    name: str | None = None  # the record's local name; default the study's existing assessment, else its key

    SECTION: ClassVar[str] = r"risk of bias"
    SECTION_TITLE: ClassVar[str] = "Risk of bias per study"
    MANAGED: ClassVar[frozenset[str]] = frozenset({HS + "assessesStudy", HS + "domainJudgement",
                                                   HS + "overallJudgement", HS + "reason", HS + "sourceSection"})
    FIELD_OF: ClassVar[dict[str, str]] = {HS + "assessesStudy": "study", HS + "domainJudgement": "domains",
                                          HS + "overallJudgement": "overall", HS + "reason": "reason",
                                          HS + "sourceSection": "section"}

    @property
    def iri(self) -> str:
        return ROB + (self.name or study_key(self.study))

    def not_applicable(self) -> bool:
        return self.tool.strip().lower() in (NOT_APPLICABLE, "none", "n/a")

    def tool_class(self) -> URIRef:
        if self.not_applicable():
            return URIRef(NOT_APPLICABLE_CLASS)
        tool = tool_named(self.tool)
        if tool is None:
            raise FieldError("tool", f"'{self.tool}' is not a tool: use one of {', '.join(TOOLS)}, or '{NOT_APPLICABLE}'")
        return URIRef(tool.cls)

    def record(self) -> Record:
        r = Record(URIRef(self.iri), [self.tool_class()])
        r.add(HS + "assessesStudy", study_ref(self.study))
        tool = tool_named(self.tool)
        if tool is not None:
            parts = []
            for k, d in enumerate(self.domains):
                iri = domain_iri(tool, d.domain)
                if iri is None:
                    raise FieldError(f"domains[{k}].domain", f"'{d.domain}' is not a {tool.name} domain: use one of "
                                     f"{', '.join(label for label, _ in tool.domains)}")
                judgement = judgement_name(d.judgement)
                if not judgement:
                    raise FieldError(f"domains[{k}].judgement", f"'{d.judgement}' is not a judgement: use one of "
                                     f"{', '.join(tool.scale)}")
                part = Record(None, [URIRef(HS + "DomainJudgement")])
                part.add(HS + "robDomain", URIRef(iri))
                part.add(HS + "judgement", URIRef(JUDGEMENTS[judgement]))
                if d.applicability and d.applicability.strip():
                    concern = applicability_name(d.applicability)
                    if not concern:
                        raise FieldError(f"domains[{k}].applicability", f"'{d.applicability}' is not a concern: use "
                                         f"one of {', '.join(APPLICABILITY)}")
                    part.add(HS + "applicability", URIRef(APPLICABILITY[concern]))
                part.add(HS + "reason", text_literal(d.reason))
                part.add(HS + "sourceSection", text_literal(d.section))
                parts.append(part)
            r.add(HS + "domainJudgement", *parts)
            overall = judgement_name(self.overall or "")
            if self.overall and not overall:
                raise FieldError("overall", f"'{self.overall}' is not a judgement: use one of {', '.join(tool.scale)}")
            r.add(HS + "overallJudgement", URIRef(JUDGEMENTS[overall]) if overall else None)
        r.add(HS + "reason", text_literal(self.reason))
        r.add(HS + "sourceSection", text_literal(self.section))
        return r

    def references(self) -> dict[str, str]:
        return {self.iri: "study", str(study_ref(self.study)): "study"}

    def located(self, layout: Layout) -> tuple[Operation, Block | None]:
        """Without an explicit name, the study's existing assessment, whatever it is called (the file names
        them by a short study name, `rob:lee2019`)."""
        block = layout.block_of(self.iri)
        if block is not None or self.name:
            return self, block
        study = str(study_ref(self.study))
        for candidate in [b for s in layout.spellings(study) for b in layout.blocks_mentioning(s)]:
            full = layout.expand(candidate.subject)
            if not full.startswith(ROB):
                continue
            text = layout.block_text(candidate)
            tokens = text.split()
            for at, token in enumerate(tokens[:-1]):
                if token == "hs:assessesStudy" and layout.expand(tokens[at + 1].rstrip(";,.")) == study:
                    return replace(self, name=full.removeprefix(ROB)), candidate
        return self, None


_NESTED: dict[str, type] = {"population": Arm, "intervention": Arm, "comparator": Arm, "outcomes": Arm,
                            "events": EventCounts, "two_by_two": TwoByTwo, "new_claim": Claim}


def from_dict(kind: str, data: dict[str, object]) -> Operation:
    """An operation from plain data (a JSON line of `kg curate batch`, a form's values): `kind` is a key of
    OPERATIONS; nested parts (arms, counts, the 2×2 table, a new claim) are dicts, lists become tuples.
    Raises FieldError naming an unknown kind or field."""
    if kind not in OPERATIONS:
        raise FieldError("op", f"'{kind}' is not an operation: use one of {', '.join(OPERATIONS)}")
    return _build(OPERATIONS[kind], data)


def _build(cls: type, data: dict[str, object]) -> Operation:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise FieldError(unknown[0], f"'{unknown[0]}' is not a field of {cls.__name__} (fields: {', '.join(sorted(names))})")
    values: dict[str, object] = {}
    for name, value in data.items():
        if name in _NESTED and isinstance(value, dict):
            value = _build(_NESTED[name], value)
        elif name == "domains" and isinstance(value, list | tuple):
            value = tuple(_build(DomainJudgement, d) if isinstance(d, dict) else d for d in value)
        elif name == "interval" and isinstance(value, list | tuple) and len(value) == 2:
            value = (value[0], value[1])
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    try:
        return cls(**values)  # type: ignore[no-any-return]
    except TypeError as exc:
        missing = re.findall(r"'(\w+)'", str(exc))
        raise FieldError(missing[0] if missing else "op", f"{cls.__name__}: {exc}") from None


OPERATIONS: dict[str, type[Operation]] = {"study": StudyFacts, "pico": Pico, "concept": NewConcept,
                                          "claim": Claim, "evidence": EvidenceLine, "result": Result,
                                          "rob": RiskOfBias}

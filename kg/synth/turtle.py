"""claims.ttl for the synthetic corpus, in the sections of data/claims.ttl.

Each section is streamed to its own temporary file while the papers are drawn (a paper adds to several
sections at once); `ClaimsFile.finish` writes the header and concatenates the sections into claims.ttl.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from kg.ingest.bibtex import slug
from kg.model import paths
from kg.model.namespace import PREFIXES
from kg.synth.corpus import GeneratedConcept
from kg.synth.paper import Assertion, Characterisation, Claim, EvidenceLine, Paper, SourceEnding
from kg.synth.results import Accuracy, EventRate, MeanScore, OddsRatio, Prevalence, Regression, Result
from kg.synth.stream import BufferedFile

# The prefixes claims.ttl declares, in this order (IRIs from kg.model.namespace).
HEADER_PREFIXES = ("rdf", "rdfs", "xsd", "skos", "dcterms", "schema", "fabio", "cito", "mp", "pico", "obo", "prov",
                   "qudt", "unit", "mesh", "hs", "c", "ref", "claim", "ev", "pf", "res", "char", "disc", "rob")
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
CONCEPTS, STUDIES, PICOS, CLAIMS, EVIDENCE, RESULTS, ASSERTIONS, CHARACTERISATIONS = range(len(SECTIONS))
PICO_CLASS = {"interventions": "pico:Intervention", "diagnostic-tests": "pico:Intervention",
              "conditions": "pico:Condition", "outcomes": "pico:Outcome"}


def esc(text: str) -> str:
    """A Turtle short-string body."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def prefix_header() -> str:
    return "".join(f"@prefix {name + ':':<9}<{PREFIXES[name]}> .\n" for name in HEADER_PREFIXES)


def concept(g: GeneratedConcept) -> str:
    c = g.concept
    alt = f' ;\n    skos:altLabel "{esc(c.label.replace("-", " "))}"@en' if g.alt_label else ""
    return (f"c:{c.slug} a skos:Concept, {PICO_CLASS[c.scheme]} ;\n    skos:inScheme c:{c.scheme} ;\n"
            f'    skos:prefLabel "{esc(c.label)}"@en ;\n    skos:broader c:{g.broader}{alt} .\n\n')


def study(paper: Paper) -> str:
    """Section 1: design, level of evidence, sample size."""
    st = paper.study
    facts = [f"ref:{paper.key} "]
    if st.design.kind == "review":
        facts.append("a fabio:ReviewArticle , fabio:SystematicReview ;\n    " if st.design.slug != "narrative-review"
                     else "a fabio:ReviewArticle ;\n    ")
    facts.append(f"hs:studyDesign c:{st.design.slug} ;\n    hs:levelOfEvidence c:loe-{st.level}")
    if st.publication_type:
        facts.append(f" ;\n    schema:publicationType mesh:{st.design.mesh}")
    if st.level_basis:
        facts.append(f' ;\n    hs:levelOfEvidenceBasis "{esc(st.level_basis)}"')
    if st.sample_known:
        facts.append(f' ;\n    hs:sampleSize {st.sample} ; hs:sampleUnit "{st.design.unit}"')
    if st.condition_subject:
        facts.append(f" ;\n    dcterms:subject c:{paper.topic.condition.slug}")
    facts.append(" .\n\n")
    return "".join(facts)


# Risk of bias by design kind: the tool's class, its domains, and the judgements drawn from (the tool's scale).
ROB_TOOLS = {
    "diagnostic": ("hs:Quadas2Assessment", ("QuadasPatientSelection", "QuadasIndexTest", "QuadasReferenceStandard",
                                            "QuadasFlowAndTiming"), ("LowRisk", "HighRisk", "NoInformation")),
    "cohort": ("hs:RobinsEAssessment", ("RobinsEConfounding", "RobinsEExposureMeasurement",
                                        "RobinsEParticipantSelection", "RobinsEPostExposureInterventions",
                                        "RobinsEMissingData", "RobinsEOutcomeMeasurement", "RobinsEReportedResult"),
               ("LowRisk", "SomeConcerns", "HighRisk", "NoInformation")),
    "review": ("hs:RobisAssessment", ("RobisEligibility", "RobisIdentification", "RobisDataCollection",
                                      "RobisSynthesis"), ("LowRisk", "HighRisk", "NoInformation")),
}
ROB_TOOLS["cross"] = ROB_TOOLS["cohort"]
SEVERITY = {"LowRisk": 0, "SomeConcerns": 1, "NoInformation": 1, "HighRisk": 2}


def risk_of_bias(paper: Paper) -> str:
    """Section 1, after the study's facts: its risk-of-bias assessment with the tool its design calls for (no tool
    for narrative reviews and laboratory work). Judgements come from a digest of the key, not the random stream,
    so adding them left the rest of the corpus as it was."""
    design, key = paper.study.design, paper.key
    kind = design.kind if design.slug != "narrative-review" else "narrative"
    if kind not in ROB_TOOLS:
        return (f"rob:{key} a hs:RiskOfBiasNotApplicable ; hs:assessesStudy ref:{key} ;\n"
                '    hs:reason "Synthetic: no risk-of-bias tool covers this design." ; hs:sourceSection "Abstract" .\n\n')
    tool, domains, scale = ROB_TOOLS[kind]
    digest = hashlib.sha256(key.encode()).digest()
    picked = [scale[digest[i] % len(scale)] for i in range(len(domains))]
    overall = max(picked, key=lambda j: SEVERITY[j])  # never better than the worst domain
    parts = [f"rob:{key} a {tool} ; hs:assessesStudy ref:{key} ;\n"]
    parts += [f"    hs:domainJudgement rob:{key}-{n} ;\n" for n in range(1, len(domains) + 1)]
    parts.append(f'    hs:overallJudgement hs:{overall} ; hs:reason "Synthetic overall judgement." ; '
                 'hs:sourceSection "Abstract" .\n')
    for n, (domain, judgement) in enumerate(zip(domains, picked, strict=True), start=1):
        applicability = " hs:applicability hs:LowConcern ;" if tool == "hs:Quadas2Assessment" and n < 4 else ""
        parts.append(f"rob:{key}-{n} a hs:DomainJudgement ; hs:robDomain hs:{domain} ; hs:judgement hs:{judgement} ;"
                     f'{applicability} hs:reason "Synthetic judgement." ; hs:sourceSection "Abstract" .\n')
    parts.append("\n")
    return "".join(parts)


def pico(paper: Paper) -> str:
    """Section 2: the PICO frame, its parts named by IRI (no blank nodes)."""
    topic, st = paper.topic, paper.study
    part = f"<{PREFIXES['pf']}{paper.key}/"
    parts = [f"pf:{paper.key} a pico:PICO ;\n    pico:population {part}population> ;\n"
             f"    pico:interventionGroup {part}interventionGroup> ;\n"]
    if topic.comparator:
        parts.append(f"    pico:comparatorGroup {part}comparatorGroup> ;\n")
    parts.append(f"    pico:outcomeGroup {part}outcomeGroup> .\n")
    who = "Patients" if st.design.kind != "lab" else "Specimens"
    parts.append(f'{part}population> a pico:Population ; rdfs:label "{esc(f"{who} with {topic.condition.label}")}" ; '
                 f"pico:condition c:{topic.condition.slug}")
    if st.sample_known and st.design.unit == "patients":  # pico:numberOfParticipants counts people only
        parts.append(f" ; pico:numberOfParticipants {st.sample}")
    parts.append(f" .\n{part}interventionGroup> a pico:InterventionGroup ; pico:intervention c:{topic.index.slug} .\n")
    if topic.comparator:
        parts.append(f"{part}comparatorGroup> a pico:InterventionGroup ; pico:intervention c:{topic.comparator.slug} .\n")
    parts.append(f"{part}outcomeGroup> a pico:OutcomeGroup ; pico:outcome c:{topic.outcome.slug} .\n\n")
    return "".join(parts)


def claim(paper: Paper, c: Claim) -> str:
    """Section 3: a claim the paper introduces."""
    ref = f"ref:{paper.key}"
    derived = f"{ref} , ref:{c.asserted_by}" if c.asserted_by else ref
    asserted = f"    hs:assertedBy ref:{c.asserted_by} ;\n" if c.asserted_by else ""
    return (f"claim:{c.slug} a mp:Claim ;\n    rdfs:label \"{esc(c.label)}\" ;\n"
            f"    mp:statement \"{esc(c.statement)}\" ;\n"
            f"    dcterms:subject {' , '.join('c:' + s for s in c.subjects)} ;\n"
            f"    prov:wasDerivedFrom {derived} ;\n    prov:wasAttributedTo {ref} ;\n{asserted}"
            f"    hs:sourceSection \"{c.source_section}\" .\n\n")


def evidence(paper: Paper, line: EvidenceLine, results: list[str]) -> str:
    """Section 4: one evidence line (`results`: the result IRIs it reports)."""
    c = line.claim
    ev = [f"ev:{paper.key}--{c.slug} a hs:Evidence ;\n    hs:evidenceFrom ref:{paper.key} ; hs:evidenceFor claim:{c.slug} ;"
          f" hs:stance hs:{line.stance} ;\n    hs:pico pf:{paper.key} ;"]
    if line.follow_up:
        ev.append(f' hs:followUp "{line.follow_up}" ;')
    ev.append(f'\n    hs:rationale "{esc(line.rationale)}" ;\n')
    if results:
        ev.append(f"    hs:hasResult {' , '.join(results)} ;\n")
    ev.append(f'    hs:sourceSection "{line.source_section}" .\n\n')
    return "".join(ev)


def result_iri(paper: Paper, r: Result) -> str:
    return f"res:{paper.key}-{r.suffix}"


def result(paper: Paper, r: Result) -> str:
    """Section 5: one measured result."""
    iri, ref, topic = result_iri(paper, r), f"ref:{paper.key}", paper.topic
    outcome = f"c:{topic.outcome.slug}"
    if isinstance(r, Accuracy):
        return (f"{iri} a hs:MeasuredResult, obo:STATO_{r.stato} ;\n"
                f"    rdfs:label \"{esc(topic.index.label)} {r.measure} for {esc(topic.condition.label)}\" ;\n"
                f"    qudt:value {r.value:.1f} ; qudt:hasUnit unit:PERCENT ;\n"
                f"    hs:indexTest c:{topic.index.slug} ; hs:referenceStandard c:{r.reference} ;"
                f" hs:targetCondition c:{topic.condition.slug} ;\n"
                + ('    hs:observer "observer 1" ;\n' if r.observer else "")
                + f"    hs:outcomeMeasure c:diagnostic-accuracy ; hs:resultOf {ref} ;"
                f' hs:sourceSection "Abstract (results)" .\n\n')
    tail = f"    hs:resultOf {ref} ; hs:sourceSection \"Abstract (results)\" .\n\n"
    if isinstance(r, OddsRatio):
        versus = esc(topic.comparator.label) if topic.comparator else "usual care"
        return (f"{iri} a hs:MeasuredResult, obo:STATO_0000182 ;\n"
                f"    rdfs:label \"Odds ratio for {esc(topic.outcome.label)}\" ;\n"
                f"    qudt:value {r.value:.2f} ; qudt:hasUnit hs:Ratio ;\n"
                f"    hs:lowerBound {r.lower:.2f} ; hs:upperBound {r.upper:.2f} ; hs:confidenceLevel 95.0 ;\n"
                f"    hs:outcomeMeasure {outcome} ; hs:group \"{esc(topic.index.label)}\" ;"
                f" hs:comparedWith \"{versus}\" ;\n" + tail)
    if isinstance(r, EventRate):
        return (f"{iri} a hs:MeasuredResult, hs:EventRate ;\n"
                f"    rdfs:label \"{esc(topic.outcome.label)} rate, {r.arm} group\" ;\n"
                f"    qudt:value {r.value:.1f} ; qudt:hasUnit unit:PERCENT ;\n"
                f"    hs:outcomeMeasure {outcome} ; hs:group \"{r.arm}\" ; hs:comparedWith \"{r.other}\" ;\n"
                f"    hs:pValue {r.p:.3f} ; hs:pValueRelation \"{r.relation}\" ;\n" + tail)
    if isinstance(r, Prevalence):
        return (f"{iri} a hs:MeasuredResult, hs:Prevalence ;\n"
                f"    rdfs:label \"Share of patients with {esc(topic.condition.label)}\" ;\n"
                f"    qudt:value {r.value:.1f} ; qudt:hasUnit unit:PERCENT ;\n"
                f"    hs:outcomeMeasure {outcome} ; hs:indexTest c:physical-examination ;\n" + tail)
    if isinstance(r, MeanScore):
        return (f"{iri} a hs:MeasuredResult, hs:MeanScore ;\n"
                f"    rdfs:label \"Mean {esc(topic.outcome.label)} score\" ;\n"
                f"    qudt:value {r.value:.1f} ; qudt:hasUnit hs:ScorePoint ;\n"
                f"    hs:outcomeMeasure {outcome} ; hs:group \"with the finding\" ;\n" + tail)
    assert isinstance(r, Regression)
    cls = "hs:StandardizedRegressionCoefficient" if r.standardized else "hs:RegressionCoefficient"
    return (f"{iri} a hs:MeasuredResult, {cls} ;\n"
            f"    rdfs:label \"Regression coefficient of {esc(topic.index.label)} for {esc(topic.outcome.label)}\" ;\n"
            f"    qudt:value {r.value:.3f} ; qudt:hasUnit {'hs:Ratio' if r.standardized else 'hs:ScorePoint'} ;\n"
            f"    hs:outcomeMeasure {outcome} ; hs:pValue 0.001 ; hs:pValueRelation \"<\" ;\n" + tail)


def characterisation(paper: Paper, ch: Characterisation) -> str:
    """Section 7: how a source article cites the paper, and the discrepancy found, if any."""
    src, ref = ch.source, f"ref:{paper.key}"
    iri = f"char:{src.key}--{paper.key}"
    text = (f"{iri} a hs:Characterisation ;\n    cito:hasCitingEntity ref:{src.key} ;\n"
            f"    cito:hasCitedEntity {ref} ;\n    cito:hasCitationCharacterization cito:citesAsEvidence ;\n"
            f"    hs:referenceNumber {ch.number} ;\n    hs:citedAs \"{esc(ch.cited_as)}\" ;\n"
            f"    hs:articleSays \"{esc(ch.says)}\" ;\n"
            f"    hs:sourceSection \"{esc(src.org)} article, reference {ch.number}\" .\n\n")
    d = ch.discrepancy
    if d is None:
        return text
    return text + (f"disc:{paper.key}-{slug(d.aspect)}-{src.key} a hs:Discrepancy ;\n    hs:discrepancyKind hs:{d.kind} ;\n"
                   f"    hs:inCharacterisation {iri} ;\n    hs:aboutStudy {ref} ;\n    hs:aspect \"{d.aspect}\" ;\n"
                   f"    hs:articleSays \"{esc(d.article_says)}\" ;\n    hs:recordSays \"{esc(d.record_says)}\" ;\n"
                   f"    hs:checkedAgainst \"Study abstract and bibliographic record\" .\n\n")


def assertion(ending: SourceEnding, a: Assertion) -> str:
    """Section 6: a claim a source article makes without a cited study."""
    s = ending.source
    return (f"claim:{a.slug} a hs:UnbackedAssertion , mp:Claim ;\n"
            f"    rdfs:label \"{esc(a.label)}\" ;\n"
            f"    mp:statement \"{esc(a.statement)}\" ;\n"
            f"    dcterms:subject c:{a.concept.slug} , c:{a.condition.slug} ;\n"
            f"    prov:wasDerivedFrom ref:{s.key} ; hs:assertedBy ref:{s.key} ;\n"
            f"    hs:sourceSection \"{esc(s.org)} article, treatment section\" .\n\n")


class ClaimsFile:
    """claims.ttl, streamed as one temporary file per section until `finish` concatenates them."""

    def __init__(self, out_dir: Path, n_papers: int):
        self.out_dir = out_dir
        self.n_papers = n_papers
        self.sections = [BufferedFile(out_dir / f".synth-section-{i}.tmp") for i in range(len(SECTIONS))]

    def add_concepts(self, generated: list[GeneratedConcept]) -> None:
        for g in generated:
            self.sections[CONCEPTS].add(concept(g))

    def add_paper(self, paper: Paper) -> None:
        add = [s.add for s in self.sections]
        add[STUDIES](study(paper))
        add[STUDIES](risk_of_bias(paper))
        add[PICOS](pico(paper))
        for r in paper.results:
            add[RESULTS](result(paper, r))
        iris = [result_iri(paper, r) for r in paper.results]
        for n, line in enumerate(paper.lines):
            if line.new:
                add[CLAIMS](claim(paper, line.claim))
            add[EVIDENCE](evidence(paper, line, iris if n == 0 else []))
        if paper.citation is not None:
            add[CHARACTERISATIONS](characterisation(paper, paper.citation))

    def add_source(self, ending: SourceEnding) -> None:
        for a in ending.assertions:
            self.sections[ASSERTIONS].add(assertion(ending, a))

    def flush(self) -> None:
        for s in self.sections:
            s.flush()

    def close(self) -> None:
        for s in self.sections:
            s.close()

    def finish(self) -> Path:
        """Close the sections, write claims.ttl (header, prefixes, each section under its title); return its path."""
        self.close()
        claims_tmp = self.out_dir / ".synth-claims.ttl.tmp"
        with open(claims_tmp, "w", encoding="utf-8", newline="\n") as target:
            target.write(f"# Synthetic claims written by kg.synth for {self.n_papers} studies (benchmarks only: invented).\n"
                         "# Studies are ref:KEY (references.bib); the build rewrites them to the paper IRIs.\n\n")
            target.write(prefix_header())
            for title, section in zip(SECTIONS, self.sections, strict=True):
                target.write("\n" + "#" * 99 + f"\n# {title}\n" + "#" * 99 + "\n\n")
                with open(section.path, encoding="utf-8") as src:
                    shutil.copyfileobj(src, target, 1 << 20)
                section.path.unlink()
        target_path = self.out_dir / paths.CLAIMS_NAME
        os.replace(claims_tmp, target_path)
        return target_path

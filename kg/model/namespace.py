"""Namespaces of the graph: the project's closed vocabulary (HS) and the public vocabularies it reuses.

HS is a closed DefinedNamespace, so a typo in a term name fails at import instead of minting a new IRI;
a test checks that every term here is declared in kg/ontology/hipspine.ttl and vice versa.
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

if TYPE_CHECKING:
    import curies

BASE = "https://w3id.org/hipspine/"


class HS(DefinedNamespace):
    """The hip-spine evidence graph vocabulary."""

    _NS = Namespace(BASE + "vocab#")
    _fail = True

    # classes
    SourceArticle: URIRef
    Evidence: URIRef
    Stance: URIRef
    Supporting: URIRef
    Contradicting: URIRef
    Qualifying: URIRef
    Inconclusive: URIRef
    TestProposition: URIRef
    Curator: URIRef
    curators: URIRef
    GroupComparison: URIRef
    MeasuredResult: URIRef
    RegressionCoefficient: URIRef
    StandardizedRegressionCoefficient: URIRef
    EventRate: URIRef
    Prevalence: URIRef
    MeanScore: URIRef
    Characterisation: URIRef
    Discrepancy: URIRef
    DiscrepancyKind: URIRef
    Misreport: URIRef
    StaleCitation: URIRef
    CharacterisationGap: URIRef
    UnbackedAssertion: URIRef
    VerificationStatus: URIRef
    Verified: URIRef
    PartlyVerified: URIRef
    Unverified: URIRef
    ScorePoint: URIRef
    Ratio: URIRef
    # bibliographic
    bibKey: URIRef
    verificationStatus: URIRef
    unverifiedField: URIRef
    verificationNote: URIRef
    onlineDate: URIRef
    studyDesign: URIRef
    levelOfEvidence: URIRef
    levelOfEvidenceBasis: URIRef
    sampleSize: URIRef
    sampleUnit: URIRef
    # claims and evidence
    qualifies: URIRef
    evidenceFrom: URIRef
    evidenceFor: URIRef
    stance: URIRef
    pico: URIRef
    followUp: URIRef
    rationale: URIRef
    hasResult: URIRef
    assertedBy: URIRef
    sourceSection: URIRef
    curationNote: URIRef
    exposure: URIRef
    # results
    resultOf: URIRef
    indexTest: URIRef
    referenceStandard: URIRef
    targetCondition: URIRef
    observer: URIRef
    outcomeMeasure: URIRef
    group: URIRef
    comparedWith: URIRef
    lowerBound: URIRef
    upperBound: URIRef
    confidenceLevel: URIRef
    pValue: URIRef
    pValueRelation: URIRef
    compares: URIRef
    eventCount: URIRef
    groupSize: URIRef
    eventCountDerived: URIRef
    comparatorEventCount: URIRef
    comparatorGroupSize: URIRef
    truePositives: URIRef
    falsePositives: URIRef
    falseNegatives: URIRef
    trueNegatives: URIRef
    # characterisations
    referenceNumber: URIRef
    citedAs: URIRef
    articleSays: URIRef
    recordSays: URIRef
    discrepancyKind: URIRef
    aspect: URIRef
    inCharacterisation: URIRef
    aboutStudy: URIRef
    checkedAgainst: URIRef
    # screening, exported metadata and import provenance (kg/model/ontology/screening.ttl)
    ScreeningStatus: URIRef
    ToScreen: URIRef
    Included: URIRef
    Excluded: URIRef
    screeningStatus: URIRef
    screeningReason: URIRef
    possibleDuplicateOf: URIRef
    duplicateMatch: URIRef
    duplicateOf: URIRef
    meshHeading: URIRef
    issn: URIRef
    ImportRun: URIRef
    importSource: URIRef
    importFormat: URIRef
    importDate: URIRef
    importedIn: URIRef
    recordsRead: URIRef
    recordsAdded: URIRef
    duplicatesRemoved: URIRef
    possibleDuplicates: URIRef
    recordsUnreadable: URIRef
    # appraisal (kg/model/ontology/appraisal.ttl): risk of bias, question type, certainty of evidence
    RiskOfBiasAssessment: URIRef
    Quadas2Assessment: URIRef
    RobinsEAssessment: URIRef
    RobisAssessment: URIRef
    RiskOfBiasNotApplicable: URIRef
    RiskOfBiasDomain: URIRef
    DomainJudgement: URIRef
    Judgement: URIRef
    ApplicabilityConcern: URIRef
    QuadasPatientSelection: URIRef
    QuadasIndexTest: URIRef
    QuadasReferenceStandard: URIRef
    QuadasFlowAndTiming: URIRef
    RobinsEConfounding: URIRef
    RobinsEExposureMeasurement: URIRef
    RobinsEParticipantSelection: URIRef
    RobinsEPostExposureInterventions: URIRef
    RobinsEMissingData: URIRef
    RobinsEOutcomeMeasurement: URIRef
    RobinsEReportedResult: URIRef
    RobisEligibility: URIRef
    RobisIdentification: URIRef
    RobisDataCollection: URIRef
    RobisSynthesis: URIRef
    LowRisk: URIRef
    SomeConcerns: URIRef
    HighRisk: URIRef
    VeryHighRisk: URIRef
    NoInformation: URIRef
    LowConcern: URIRef
    HighConcern: URIRef
    assessesStudy: URIRef
    domainJudgement: URIRef
    robDomain: URIRef
    judgement: URIRef
    applicability: URIRef
    overallJudgement: URIRef
    domainOf: URIRef
    domainOrder: URIRef
    reason: URIRef
    QuestionType: URIRef
    questionType: URIRef
    DiagnosticAccuracyQuestion: URIRef
    PrognosticQuestion: URIRef
    InterventionQuestion: URIRef
    AssociationQuestion: URIRef
    MechanismQuestion: URIRef
    CertaintyAssessment: URIRef
    CertaintyLevel: URIRef
    CertaintyDirection: URIRef
    CertaintyStep: URIRef
    GradeDomain: URIRef
    HighCertainty: URIRef
    ModerateCertainty: URIRef
    LowCertainty: URIRef
    VeryLowCertainty: URIRef
    ClaimHolds: URIRef
    ClaimDoesNotHold: URIRef
    DirectionUnclear: URIRef
    GradeStart: URIRef
    GradeRiskOfBias: URIRef
    GradeInconsistency: URIRef
    GradeIndirectness: URIRef
    GradeImprecision: URIRef
    GradePublicationBias: URIRef
    GradeLargeEffect: URIRef
    GradeDoseResponse: URIRef
    certainty: URIRef
    certaintyLevel: URIRef
    startingLevel: URIRef
    certaintyDirection: URIRef
    certaintyOutcome: URIRef
    certaintyStep: URIRef
    stepOrder: URIRef
    gradeDomain: URIRef
    levelChange: URIRef
    assessable: URIRef
    basedOn: URIRef
    rank: URIRef


# Instance namespaces: one per kind of node, so an IRI says what it names.
REF = Namespace(BASE + "ref/")  # placeholder IRIs for BibTeX keys in claims.ttl, rewritten by the build
WORK = Namespace(BASE + "id/work/")  # papers without a verified DOI, and source articles
PERSON = Namespace(BASE + "id/person/")
JOURNAL = Namespace(BASE + "id/journal/")
AUTHORS = Namespace(BASE + "id/authors/")  # rdf:List cells of author lists (IRIs, so output stays deterministic)
CONCEPT = Namespace(BASE + "concept/")
IMPORT = Namespace(BASE + "id/import/")  # import runs (one line of import-log.jsonl each)
DOI = Namespace("https://doi.org/")

# Public vocabularies (traps: CiTO is slash-based, PRISM is 2.0, schema.org is https).
FABIO = Namespace("http://purl.org/spar/fabio/")
CITO = Namespace("http://purl.org/spar/cito/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
MP = Namespace("http://purl.org/mp/")
PICO = Namespace("http://data.cochrane.org/ontologies/pico/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
MESH = Namespace("http://id.nlm.nih.gov/mesh/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
OA = Namespace("http://www.w3.org/ns/oa#")

PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "fabio": str(FABIO),
    "cito": str(CITO),
    "prism": str(PRISM),
    "frbr": str(FRBR),
    "bibo": str(BIBO),
    "mp": str(MP),
    "pico": str(PICO),
    "obo": str(OBO),
    "mesh": str(MESH),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "oa": str(OA),
    "hs": str(HS._NS),
    "ref": str(REF),
    "work": str(WORK),
    "person": str(PERSON),
    "journal": str(JOURNAL),
    "c": str(CONCEPT),
    "claim": BASE + "id/claim/",
    "ev": BASE + "id/evidence/",
    "pf": BASE + "id/pico/",
    "res": BASE + "id/result/",
    "char": BASE + "id/characterisation/",
    "disc": BASE + "id/discrepancy/",
    "import": str(IMPORT),
    "rob": BASE + "id/rob/",
    "cert": BASE + "id/certainty/",
    "doi": str(DOI),
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for editors and ad-hoc queries."""
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"


@cache
def converter() -> curies.Converter:
    """The one IRI <-> CURIE converter for the whole project (CLI tables, app, validation report, parameters),
    with longest-namespace match. Built on first use: importing curies (and its pydantic) costs ~0.14 s, which
    a cold `kg build` does not need."""
    import curies

    return curies.Converter.from_prefix_map(PREFIXES)


def compact(iri: str) -> str:
    """`claim:x` for an IRI in a project namespace; any other text comes back unchanged."""
    return converter().compress(iri, passthrough=True)


def expand(curie: str) -> str | None:
    """The IRI of a prefixed name in a project namespace (`c:mri` -> https://...), else None."""
    return converter().expand(curie)

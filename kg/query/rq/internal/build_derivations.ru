# title: Direct triples derived from the richer records
# description: Stances as mp:supports / mp:challenges / hs:qualifies, evidence citations as
#   cito:citesAsEvidence and provenance as prov:wasDerivedFrom, so simple SPARQL works with standard terms;
#   then the public terms beside the project's own (docs/MODEL.md, "Public paths"): every hs: property the
#   ontology declares a subproperty of a public one is written out under that public property too (SEPIO
#   is_evidence_line_for and supporting reference, IAO is about, PROV attribution, dcterms:type); SEPIO
#   evidence lines with their direction; 95% confidence intervals as STATO nodes; results about their evidence
#   lines and PICO frames; papers about their PICO frames. The build runs it once the claims are loaded.

INSERT { ?study mp:supports ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Supporting } ;
INSERT { ?study mp:challenges ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Contradicting } ;
INSERT { ?study hs:qualifies ?claim . ?study cito:qualifies ?claim } WHERE {
  ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Qualifying } ;
INSERT { ?source cito:citesAsEvidence ?study } WHERE {
  ?c cito:hasCitingEntity ?source ; cito:hasCitedEntity ?study ; cito:hasCitationCharacterization cito:citesAsEvidence } ;
INSERT { ?x prov:wasDerivedFrom ?study } WHERE { ?x hs:evidenceFrom|hs:resultOf ?study } ;

# Every project property declared a subproperty of a public one (kg/model/ontology/hipspine.ttl), written out.
INSERT { ?s ?public ?o } WHERE {
  ?p rdfs:subPropertyOf ?public .
  FILTER(STRSTARTS(STR(?p), STR(hs:)) && !STRSTARTS(STR(?public), STR(hs:)))
  ?s ?p ?o } ;

# SEPIO evidence lines: the class, the direction, and the claim's typed link to each line. A qualifying line
# supports part of the claim and not the rest, so as a whole it is inconclusive (its paper cito:qualifies the
# claim, written above); SEPIO has no fourth direction.
INSERT { ?e a obo:SEPIO_0000002 ; obo:SEPIO_0000183 ?direction . ?claim ?has ?e } WHERE {
  VALUES (?stance ?direction ?has) {
    (hs:Supporting    obo:SEPIO_0000403 obo:SEPIO_0000007)
    (hs:Contradicting obo:SEPIO_0000404 obo:SEPIO_0000008)
    (hs:Qualifying    obo:SEPIO_0000405 obo:SEPIO_0000009)
    (hs:Inconclusive  obo:SEPIO_0000405 obo:SEPIO_0000009)
  }
  ?e hs:evidenceFor ?claim ; hs:stance ?stance } ;
INSERT { ?c a obo:SEPIO_0000000 } WHERE { ?c a hs:TestProposition } ;

# A result is about the evidence lines it backs, and about the PICO frame of its own test: for a result with an
# index test, only the paper's frame whose intervention is that test (so Lee 2019's CT arthrography figures are
# never about its MRI frame, even where one evidence line cites both).
INSERT { ?r obo:IAO_0000136 ?e } WHERE { ?e hs:hasResult ?r } ;
INSERT { ?paper obo:IAO_0000136 ?frame } WHERE { ?e hs:evidenceFrom ?paper ; hs:pico ?frame } ;
INSERT { ?r obo:IAO_0000136 ?frame } WHERE {
  ?r hs:resultOf ?paper .
  ?e hs:evidenceFrom ?paper ; hs:pico ?frame .
  OPTIONAL { ?r hs:indexTest ?test }
  FILTER(!BOUND(?test) || EXISTS { ?frame pico:interventionGroup/pico:intervention ?test }) } ;

# Confidence intervals as their own nodes: STATO 95% confidence interval (or STATO confidence interval at another
# level), about the estimate, with its bounds as schema:minValue / schema:maxValue.
INSERT {
  ?ci a ?type ; obo:IAO_0000136 ?r ; schema:minValue ?lo ; schema:maxValue ?hi ; rdfs:label ?label .
} WHERE {
  ?r hs:lowerBound ?lo ; hs:upperBound ?hi .
  OPTIONAL { ?r hs:confidenceLevel ?level }
  BIND(COALESCE(?level, 95.0) AS ?lvl)
  BIND(IF(?lvl = 95.0, obo:STATO_0000231, obo:STATO_0000196) AS ?type)
  BIND(IRI(CONCAT(STR(?r), "/ci")) AS ?ci)
  BIND(IF(?lvl = 95.0, "95% confidence interval", CONCAT(STR(?lvl), "% confidence interval")) AS ?label) }

# title: Direct triples derived from the richer records
# description: Stances as mp:supports / mp:challenges / hs:qualifies, evidence citations as
#   cito:citesAsEvidence and provenance as prov:wasDerivedFrom, so simple SPARQL works with standard terms.
#   The build runs it once the claims are loaded.

INSERT { ?study mp:supports ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Supporting } ;
INSERT { ?study mp:challenges ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Contradicting } ;
INSERT { ?study hs:qualifies ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Qualifying } ;
INSERT { ?source cito:citesAsEvidence ?study } WHERE {
  ?c cito:hasCitingEntity ?source ; cito:hasCitedEntity ?study ; cito:hasCitationCharacterization cito:citesAsEvidence } ;
INSERT { ?x prov:wasDerivedFrom ?study } WHERE { ?x hs:evidenceFrom|hs:resultOf ?study }

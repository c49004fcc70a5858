# title: Drop every certainty rating and its working
# description: Before the claims are rated again on a changed store (a curation applied in place, an as-of copy):
#   each claim's hs:CertaintyAssessment, its steps and what they rest on go, so no stale rating is left.

DELETE { ?claim hs:certainty ?cert . ?cert ?p ?o . ?step ?sp ?so }
WHERE {
  ?claim hs:certainty ?cert .
  ?cert ?p ?o .
  OPTIONAL { ?cert hs:certaintyStep ?step . ?step ?sp ?so }
}

# title: Default screening status of a study record without a `screening` field
# description: Included when the claims file curates it (an evidence line, a design or a level of evidence),
#   else to screen. The build runs it once the records are loaded; source articles are not screened.

INSERT { ?p hs:screeningStatus hs:Included } WHERE {
  ?p a fabio:JournalArticle .
  FILTER NOT EXISTS { ?p hs:screeningStatus ?status }
  FILTER EXISTS { { ?e hs:evidenceFrom ?p } UNION { ?p hs:studyDesign ?design } UNION { ?p hs:levelOfEvidence ?level } }
} ;
INSERT { ?p hs:screeningStatus hs:ToScreen } WHERE {
  ?p a fabio:JournalArticle .
  FILTER NOT EXISTS { ?p hs:screeningStatus ?status }
}

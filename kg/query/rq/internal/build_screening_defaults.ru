# title: Default screening status of a study record without a `screening` field
# description: Included when the claims file curates it (an evidence line, a design or a level of evidence),
#   else to screen. The build runs it once the records are loaded. A study is any entry but a source article
#   (@online, hs:SourceArticle): a journal article, book chapter, conference paper, report ... alike.

# MINUS, not FILTER NOT EXISTS: a hash join, about three times faster at 10k papers.
INSERT { ?p hs:screeningStatus hs:Included } WHERE {
  { SELECT DISTINCT ?p WHERE { { ?e hs:evidenceFrom ?p } UNION { ?p hs:studyDesign ?design } UNION { ?p hs:levelOfEvidence ?level } } }
  ?p hs:bibKey ?key .
  MINUS { ?p a hs:SourceArticle }
  MINUS { ?p hs:screeningStatus ?status }
} ;
INSERT { ?p hs:screeningStatus hs:ToScreen } WHERE {
  ?p hs:bibKey ?key .
  MINUS { ?p a hs:SourceArticle }
  MINUS { ?p hs:screeningStatus ?status }
}

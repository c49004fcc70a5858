# title: Rewrite ref:KEY placeholders as subjects to the paper's IRI
# description: The build binds ?r (the placeholder) and ?n (the paper's IRI) as rows of one VALUES table,
#   a chunk of keys at a time.

DELETE { ?r ?p ?o } INSERT { ?n ?p ?o } WHERE { ?r ?p ?o }

# title: Rewrite ref:KEY placeholders as objects to the paper's IRI
# description: The build binds ?r (the placeholder) and ?n (the paper's IRI) as rows of one VALUES table,
#   a chunk of keys at a time.

DELETE { ?s ?p ?r } INSERT { ?s ?p ?n } WHERE { ?s ?p ?r }

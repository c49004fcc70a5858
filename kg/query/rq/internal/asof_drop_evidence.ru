# title: Drop the evidence lines and results of some studies
# description: The caller binds ?study to the studies published after the as-of year (one VALUES row each);
#   their evidence lines and measured results go, so every reading of the copy sees only the earlier evidence.

DELETE { ?x ?p ?o } WHERE { ?x hs:evidenceFrom|hs:resultOf ?study . ?x ?p ?o }

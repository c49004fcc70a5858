# title: Drop some studies
# description: The caller binds ?study to the studies published after the as-of year: their own statements and
#   every statement about them (the stances derived from their evidence lines, citations of them) go.

DELETE { ?study ?p ?o . ?s ?q ?study } WHERE { { ?study ?p ?o } UNION { ?s ?q ?study } }

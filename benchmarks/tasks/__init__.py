"""The benchmark tasks, one function `task_NAME(a, rec)` each; benchmarks.worker runs one per process.

build: corpus, build, raw parse/load, SHACL. engines: Oxigraph in memory, on disk, after a restart, as a server,
and rdflib. analysis: the network and the evidence summaries. pages: the Streamlit app's pages. serve: the
SPARQL endpoints under concurrent clients. Heavy imports stay inside the tasks, so a worker pays only for its own.
"""

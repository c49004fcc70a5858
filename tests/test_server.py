"""The SPARQL endpoint (kg.serve, `kg serve`) spoken to by real clients over loopback HTTP:
SPARQLWrapper (JSON, XML), rdflib's SPARQLStore, curl with every Accept type, and kg.store.remote itself.

The endpoint runs in this process under uvicorn in a thread on a free 127.0.0.1 port (one test starts
`kg serve` as a subprocess to check the command and its loopback binding; one mounts the router in another
FastAPI app). curl is a real dependency: a missing binary fails the tests, it does not skip them.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests

from kg import KnowledgeGraph, connect
from kg.model.namespace import PREFIXES
from kg.query.guard.policy import ForbiddenQueryError, QueryFailedError, QueryLimits, QuerySyntaxError, QueryTimeoutError
from kg.query.guard.pool import PoolBusyError
from kg.query.named import list_queries, run_named
from kg.serve.negotiation import negotiate
from kg.serve.router import SparqlRouter, status_for
from kg.serve.server import create_app
from kg.store.remote import DEFAULT_GRAPH_IRI
from tests.support.asgi import ThreadedServer
from tests.support.rows import as_set
from tests.support.servers import KgServe, process_gone, require_binary, wait_until

pytestmark = pytest.mark.server

TIMEOUT_S = 1.5
MAX_ROWS = 1000  # below the graph's ~3,700 triples, above every named query's rows
CLAIMS = "SELECT ?claim ?label WHERE { ?claim a mp:Claim ; rdfs:label ?label } ORDER BY ?claim"
CONSTRUCT = "CONSTRUCT { ?claim rdfs:label ?label } WHERE { ?claim a mp:Claim ; rdfs:label ?label }"
# Three unconnected patterns over ~3,700 triples: ~5e10 rows to count, i.e. never finishes.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def served(real_kg: KnowledgeGraph) -> Iterator[ThreadedServer]:
    """The endpoint over the real graph, on two query workers."""
    app = create_app(real_kg, QueryLimits(timeout_s=TIMEOUT_S, max_rows=MAX_ROWS), max_concurrent=2)
    with ThreadedServer(app) as srv:
        yield srv


@pytest.fixture(scope="module")
def endpoint(served: ThreadedServer) -> str:
    """The endpoint's /sparql URL."""
    return served.url


@pytest.fixture(scope="module")
def curl() -> str:
    return str(require_binary("curl", "curl"))


@pytest.fixture()
def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only
    return session


def _get(url: str, **kwargs: Any) -> requests.Response:
    """A GET on its own loopback session (no proxy from the environment), for use from several threads."""
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url, timeout=60, **kwargs)


def _children(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def run_curl(curl: str, url: str, *args: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a curl request; -w appends the status and type after a marker."""
    marker = b"\n--curl-meta--"
    out = subprocess.run([curl, "-sS", "--noproxy", "*", "-w", marker.decode() + "%{http_code} %{content_type}",
                          *args, url], capture_output=True, timeout=60, check=True).stdout
    body, _, meta = out.rpartition(marker)
    status, _, ctype = meta.decode().partition(" ")
    return int(status), ctype, body


def expected_claims(kg: KnowledgeGraph) -> list[tuple[str, str]]:
    return [(r["claim"], r["label"]) for r in kg.select(CLAIMS)]


def expected_construct(kg: KnowledgeGraph) -> set[ox.Triple]:
    return set(kg.execute(CONSTRUCT))


# ------------------------------------------------------------------------------ content negotiation (unit)

@pytest.mark.parametrize("accept, offers, chosen", [
    (None, ["a/json", "a/xml"], "a/json"),
    ("", ["a/json", "a/xml"], "a/json"),
    ("*/*", ["a/json", "a/xml"], "a/json"),
    ("a/xml", ["a/json", "a/xml"], "a/xml"),
    ("a/xml;q=0.5, a/json;q=0.4", ["a/json", "a/xml"], "a/xml"),
    ("a/xml, a/json", ["a/json", "a/xml"], "a/xml"),  # equal q: the client's order
    ("*/*;q=0.1, text/tab-separated-values", ["a/json", "text/tab-separated-values"], "text/tab-separated-values"),
    ("*/*, a/json;q=0", ["a/json", "a/xml"], "a/xml"),  # a specific q=0 excludes
    ("text/*", ["a/json", "text/csv"], "text/csv"),
    ("text/html", ["a/json", "a/xml"], None),
    ("A/XML; charset=utf-8", ["a/json", "a/xml"], "a/xml"),
    ("a/xml;q=abc", ["a/json", "a/xml"], "a/xml"),
])
def test_negotiate(accept, offers, chosen):
    assert negotiate(accept, offers) == chosen


# ------------------------------------------------------------------------------ client libraries

def test_sparqlwrapper_json_select(endpoint, real_kg):
    from SPARQLWrapper import JSON, SPARQLWrapper

    sw = SPARQLWrapper(endpoint)
    sw.setQuery(CLAIMS)
    sw.setReturnFormat(JSON)
    data = sw.query().convert()
    rows = [(b["claim"]["value"], b["label"]["value"]) for b in data["results"]["bindings"]]
    assert rows == expected_claims(real_kg) and rows


def test_sparqlwrapper_xml_select_and_ask(endpoint, real_kg):
    from SPARQLWrapper import POST, XML, SPARQLWrapper

    sw = SPARQLWrapper(endpoint)
    sw.setMethod(POST)
    sw.setQuery(CLAIMS)
    sw.setReturnFormat(XML)
    doc = sw.query().convert()  # an xml.dom.minidom Document
    ns = "http://www.w3.org/2005/sparql-results#"
    rows = []
    for result in doc.getElementsByTagNameNS(ns, "result"):
        cells = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagNameNS(ns, "binding")}
        rows.append((cells["claim"], cells["label"]))
    assert rows == expected_claims(real_kg)

    sw.setQuery("ASK { claim:lumbar-disease-worsens-hip-surgery a mp:Claim }")
    doc = sw.query().convert()
    assert doc.getElementsByTagNameNS(ns, "boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_construct_turtle(endpoint, real_kg):
    from SPARQLWrapper import TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(endpoint)
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    body = sw.query().convert()
    assert {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)} == expected_construct(real_kg)


def test_rdflib_sparqlstore_select_construct_ask(endpoint, real_kg):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(endpoint)
    # rdflib builds Accept from a set (random order per hash seed): fix it, as for any endpoint (TOOLING.md).
    store.response_mime_types = lambda: "application/sparql-results+xml, application/rdf+xml;q=0.9"
    rows = [(str(r.claim), str(r.label)) for r in store.query(CLAIMS)]
    assert rows == expected_claims(real_kg)

    graph = store.query(CONSTRUCT).graph
    assert {(str(s), str(o)) for s, _, o in graph} == {(t.subject.value, t.object.value)
                                                         for t in expected_construct(real_kg)}
    assert store.query("ASK { ?c a mp:Claim }").askAnswer is True
    assert isinstance(graph, rdflib.Graph)


def test_remote_backend_against_the_endpoint(endpoint, real_kg):
    """kg.store.remote pointed at `kg serve`: default-graph-uri names this graph, so every named query runs."""
    remote = connect(endpoint)
    assert len(remote) == len(real_kg)
    for query in list_queries():
        got, want = run_named(remote, query.name), run_named(real_kg, query.name)
        assert list(got.columns) == list(want.columns) and len(got) == len(want), query.name
        assert as_set(got, query.text) == as_set(want, query.text), query.name


# ------------------------------------------------------------------------------ curl, every Accept type

@pytest.mark.parametrize("accept, media_type, fmt", [
    ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("application/json", "application/json", ox.QueryResultsFormat.JSON),
    ("*/*", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
])
def test_curl_select_formats(curl, endpoint, real_kg, accept, media_type, fmt):
    status, ctype, body = run_curl(curl, endpoint, "-H", f"Accept: {accept}", "--data-urlencode", f"query={CLAIMS}")
    assert status == 200, body
    assert ctype.split(";")[0] == media_type
    rows = [(s["claim"].value, s["label"].value) for s in ox.parse_query_results(body, format=fmt)]
    assert rows == expected_claims(real_kg)


def test_curl_select_csv(curl, endpoint, real_kg):
    import csv
    import io

    status, ctype, body = run_curl(curl, endpoint, "-G", "-H", "Accept: text/csv", "--data-urlencode", f"query={CLAIMS}")
    assert status == 200 and ctype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["claim", "label"]
    assert [tuple(r) for r in rows[1:]] == expected_claims(real_kg)


@pytest.mark.parametrize("accept, media_type, fmt", [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
])
def test_curl_construct_formats(curl, endpoint, real_kg, accept, media_type, fmt):
    status, ctype, body = run_curl(curl, endpoint, "-H", f"Accept: {accept}",
                                   "-H", "Content-Type: application/sparql-query", "--data-binary", CONSTRUCT)
    assert status == 200, body
    assert ctype.split(";")[0] == media_type
    assert {q.triple for q in ox.parse(body, format=fmt)} == expected_construct(real_kg)


@pytest.mark.parametrize("accept, media_type, body", [
    ("application/sparql-results+json", "application/sparql-results+json", b'{"head": {}, "boolean": true}'),
    ("text/csv", "text/csv", b"true"),
])
def test_curl_ask(curl, endpoint, accept, media_type, body):
    status, ctype, got = run_curl(curl, endpoint, "-G", "-H", f"Accept: {accept}",
                                  "--data-urlencode", "query=ASK { ?c a mp:Claim }")
    assert (status, ctype.split(";")[0], got.strip()) == (200, media_type, body)


@pytest.mark.parametrize("query, accept", [
    (CLAIMS, "text/turtle"),
    (CLAIMS, "application/rdf+xml, application/ld+json"),
    (CONSTRUCT, "application/sparql-results+json"),
    (CONSTRUCT, "text/csv"),
    ("ASK { ?s ?p ?o }", "image/png"),
])
def test_impossible_combinations_get_406(curl, endpoint, query, accept):
    status, ctype, body = run_curl(curl, endpoint, "-G", "-H", f"Accept: {accept}", "--data-urlencode", f"query={query}")
    assert status == 406
    assert "available as" in body.decode()


# ------------------------------------------------------------------------------ errors, read-only, limits

def test_bad_query_gets_400_with_the_parser_message(http, endpoint):
    response = http.get(endpoint, params={"query": "SELECT ?x WHERE {\n  ?x hs:bibKey \n}"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "SPARQL syntax error at line 3, column 1" in response.text


def test_undeclared_prefix_is_named(http, endpoint):
    response = http.post(endpoint, data={"query": "SELECT * WHERE { ?s nope:p ?o }"})
    assert response.status_code == 400 and "undeclared prefix" in response.text


@pytest.mark.parametrize("how", ["form update=", "sparql-update body", "update in query= (POST)",
                                 "update in query= (GET)", "update= in the URL"])
def test_updates_are_refused(http, endpoint, real_kg, how):
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    before = len(real_kg)
    if how == "form update=":
        response = http.post(endpoint, data={"update": update})
    elif how == "sparql-update body":
        response = http.post(endpoint, data=update, headers={"Content-Type": "application/sparql-update"})
    elif how == "update in query= (POST)":
        response = http.post(endpoint, data={"query": update})
    elif how == "update in query= (GET)":
        response = http.get(endpoint, params={"query": "PREFIX x: <urn:x:>\nDELETE WHERE { ?s ?p ?o }"})
    else:
        response = http.get(endpoint, params={"update": update})
    assert response.status_code == 403, response.text
    assert "read-only" in response.text
    assert len(real_kg) == before


def test_service_clause_is_refused(http, endpoint):
    response = http.get(endpoint, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 403 and "SERVICE" in response.text


def test_a_query_past_its_time_limit_is_stopped_and_reported(http, served):
    pool = served.app.state.sparql.pool
    before = set(pool.pids())
    response = http.get(served.url, params={"query": RUNAWAY}, timeout=60)
    assert response.status_code == 504
    assert response.headers["content-type"].startswith("text/plain")
    assert f"query exceeded the {TIMEOUT_S:g} s time limit" in response.text
    # the worker that ran it was killed and replaced: one pid changed, the pool is whole
    after = set(pool.pids())
    assert len(after) == 2 and len(before - after) == 1 and all(process_gone(p) for p in before - after)
    # and the endpoint answers again at once, on both workers
    with ThreadPoolExecutor(4) as threads:
        statuses = list(threads.map(lambda _: _get(served.url, params={"query": "ASK {}"}).status_code, range(8)))
    assert statuses == [200] * 8 and set(pool.pids()) == after


# ------------------------------------------------------------------------------ query workers, concurrency

def test_concurrent_clients_get_correct_answers(served, real_kg):
    """Sixteen clients at once on two workers: every answer is the right one for its own query."""
    want_claims = expected_claims(real_kg)
    want_graph = expected_construct(real_kg)
    keys = "SELECT ?k WHERE { ?p hs:bibKey ?k } ORDER BY ?k"
    want_keys = [r["k"] for r in real_kg.select(keys)]

    def ask(i: int) -> bool:
        which = i % 4
        if which == 0:
            rows = _get(served.url, params={"query": CLAIMS}).json()["results"]["bindings"]
            return [(b["claim"]["value"], b["label"]["value"]) for b in rows] == want_claims
        if which == 1:
            body = _get(served.url, params={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"}).content
            return {q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)} == want_graph
        if which == 2:
            response = _get(served.url, params={"query": keys}, headers={"Accept": "text/csv"})
            return response.text.split("\r\n")[1:-1] == want_keys
        return _get(served.url, params={"query": "ASK { ?c a hs:NoSuchClass }"}).json() == {"head": {}, "boolean": False}

    with ThreadPoolExecutor(16) as threads:
        results = list(threads.map(ask, range(64)))
    assert all(results), [i for i, ok in enumerate(results) if not ok]
    assert len(served.app.state.sparql.pool.pids()) == 2


def test_memory_cap_stops_a_runaway_query_on_the_endpoint(real_kg, http):
    app = create_app(real_kg, QueryLimits(timeout_s=30, max_memory_mb=200), max_concurrent=1)
    with ThreadedServer(app) as srv:
        [old] = app.state.sparql.pool.pids()
        response = http.get(srv.url, params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"},
                            timeout=60)
        assert response.status_code == 500 and "the query failed" in response.text and "memory" in response.text
        [new] = app.state.sparql.pool.pids()
        assert new != old and process_gone(old)
        assert http.get(srv.url, params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_busy_endpoint_answers_503_after_waiting_the_time_limit(real_kg, http):
    """One worker, three runaway queries: A takes the worker and is stopped at the time limit (504). B and C
    wait for it; the worker stays busy past at least one of their time limits (A's rest and the replacement,
    then whichever of them got it), so at least one of them gets 503 with Retry-After instead of queueing on.
    How long they waited is the benchmarks' business (serve_load), not a test's."""
    app = create_app(real_kg, QueryLimits(timeout_s=1.0), max_concurrent=1)
    with ThreadedServer(app) as srv, ThreadPoolExecutor(3) as threads:
        a = threads.submit(_get, srv.url, params={"query": RUNAWAY})
        assert wait_until(lambda: app.state.sparql.pool.busy() == 1)
        b, c = (threads.submit(_get, srv.url, params={"query": RUNAWAY}) for _ in range(2))
        assert a.result().status_code == 504
        later = [b.result(), c.result()]
        busy = [r for r in later if r.status_code == 503]
        assert busy and all(r.status_code == 504 for r in later if r not in busy)
        for response in busy:
            assert response.headers["Retry-After"] == "5"
            assert "the server is busy: all 1 query slots stayed taken for 1 s" in response.text
        assert http.get(srv.url, params={"query": "ASK {}"}).status_code == 200


def test_the_wait_queue_is_bounded(real_kg, http):
    app = create_app(real_kg, QueryLimits(timeout_s=2.0), max_concurrent=1, max_waiting=0)
    with ThreadedServer(app) as srv, ThreadPoolExecutor(1) as threads:
        a = threads.submit(_get, srv.url, params={"query": RUNAWAY})
        assert wait_until(lambda: app.state.sparql.pool.busy() == 1)
        response = http.get(srv.url, params={"query": "ASK {}"})
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "requests are already waiting" in response.text
        assert a.result().status_code == 504


def test_workers_stop_with_the_server(real_kg, http):
    app = create_app(real_kg, QueryLimits(timeout_s=5), max_concurrent=2)
    with ThreadedServer(app) as srv:
        pids = app.state.sparql.pool.pids()  # started with the server, before any query
        assert len(pids) == 2 and set(pids) <= set(_children(os.getpid()))
        assert http.get(srv.url, params={"query": "ASK {}"}).status_code == 200
    assert all(process_gone(p) for p in pids) and app.state.sparql.pool is None


def test_truncated_results_are_flagged(http, endpoint, real_kg):
    response = http.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true"
    assert response.headers["X-Result-Limit"] == str(MAX_ROWS)
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS < len(real_kg)

    whole = http.get(endpoint, params={"query": CLAIMS})
    assert whole.headers["X-Result-Truncated"] == "false"


def test_construct_is_capped_too(http, endpoint):
    response = http.get(endpoint, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                        headers={"Accept": "application/n-triples"})
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(response.text.strip().splitlines()) == MAX_ROWS


@pytest.mark.parametrize("params, status", [
    ({"default-graph-uri": DEFAULT_GRAPH_IRI}, 200),
    ({"default-graph-uri": "http://example.org/other"}, 400),
    ({"named-graph-uri": DEFAULT_GRAPH_IRI}, 400),
])
def test_dataset_parameters(http, endpoint, params, status):
    assert http.get(endpoint, params={"query": "ASK { ?s ?p ?o }", **params}).status_code == status


@pytest.mark.parametrize("kwargs, status, text", [
    ({}, 400, "no query given"),
    ({"data": {"query": "  "}}, 400, "empty"),
    ({"data": {"query": ["ASK {}", "ASK {}"]}}, 400, "more than one query"),
    ({"data": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported Content-Type"),
])
def test_malformed_requests(http, endpoint, kwargs, status, text):
    response = http.post(endpoint, **kwargs)
    assert response.status_code == status and text in response.text


# ------------------------------------------------------------------------------ CORS

def test_cors_headers_absent_by_default(http, endpoint):
    response = http.get(endpoint, params={"query": "ASK {}"}, headers={"Origin": "http://example.org"})
    assert response.status_code == 200
    assert not any(h.lower().startswith("access-control-") for h in response.headers)
    preflight = http.options(endpoint, headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in {h.lower() for h in preflight.headers}


def test_cors_when_enabled(real_kg, http):
    app = create_app(real_kg, QueryLimits(timeout_s=5, max_rows=10), cors_origins=["http://yasgui.example"])
    with ThreadedServer(app) as srv:
        response = http.get(srv.url, params={"query": "ASK {}"}, headers={"Origin": "http://yasgui.example"})
        assert response.headers["access-control-allow-origin"] == "http://yasgui.example"
        assert "X-Result-Truncated" in response.headers["access-control-expose-headers"]
        other = http.get(srv.url, params={"query": "ASK {}"}, headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# ------------------------------------------------------------------------------ service description, /queries

def test_service_description_lists_the_named_queries(http, endpoint, real_kg):
    response = http.get(endpoint)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert store.query(f"ASK {{ <{endpoint}> a <{sd}Service> ; <{sd}endpoint> <{endpoint}> ; "
                       f"<{sd}supportedLanguage> <{sd}SPARQL11Query> }}")
    examples = {s["text"].value: s["label"].value for s in store.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT ?label ?text WHERE {{ ?ex a sh:SPARQLExecutable ; rdfs:label ?label ; sh:select ?text ; "
        f"<https://schema.org/target> <{endpoint}> }}")}
    assert examples == {q.text: q.title for q in list_queries()}
    triples = list(store.query("SELECT ?n WHERE { ?g <http://rdfs.org/ns/void#triples> ?n }"))
    assert int(triples[0]["n"].value) == len(real_kg)
    declared = {s["p"].value: s["ns"].value for s in store.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?p ?ns WHERE { ?d sh:prefix ?p ; sh:namespace ?ns }")}
    assert declared == PREFIXES


def test_service_description_in_other_rdf_formats(http, endpoint):
    response = http.get(endpoint, headers={"Accept": "application/n-triples"})
    assert response.headers["content-type"].startswith("application/n-triples")
    assert any("sparql-service-description#Service" in line for line in response.text.splitlines())
    assert http.get(endpoint, headers={"Accept": "application/sparql-results+json"}).status_code == 406


def test_queries_json(http, endpoint):
    base = endpoint.rsplit("/", 1)[0]
    listed = http.get(base + "/queries").json()
    assert [q["name"] for q in listed] == [q.name for q in list_queries()]
    by_name = {q["name"]: q for q in listed}
    claim_evidence = by_name["claim_evidence"]
    assert "SELECT" in claim_evidence["text"] and claim_evidence["columns"][0] == "claim"
    assert claim_evidence["params"][0]["name"] == "claim" and claim_evidence["params"][0]["type"] == "iri"
    assert http.get(base + "/queries/claim_evidence").json() == claim_evidence
    missing = http.get(base + "/queries/nope")
    assert missing.status_code == 404 and "claim_evidence" in missing.text
    assert http.get(base + "/").json()["sparql"] == endpoint


# ------------------------------------------------------------------------------ the router in another app

def test_the_router_mounts_under_a_prefix_in_another_app(real_kg, http):
    """SparqlRouter included in someone else's FastAPI app at /kg: it answers there, its links carry the
    prefix, its lifespan starts and stops its query worker, and the host app's own routes are untouched."""
    from fastapi import FastAPI

    host = FastAPI()

    @host.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    router = SparqlRouter(real_kg, QueryLimits(timeout_s=10, max_rows=5), max_concurrent=1)
    host.include_router(router, prefix="/kg")
    with ThreadedServer(host) as srv:
        base = srv.url.removesuffix("/sparql")
        assert router.pool is not None and len(router.pool.pids()) == 1
        pids = router.pool.pids()
        answer = http.get(f"{base}/kg/sparql", params={"query": CLAIMS})
        assert answer.status_code == 200 and answer.headers["X-Result-Truncated"] == "true"
        assert len(answer.json()["results"]["bindings"]) == 5
        csv = http.post(f"{base}/kg/sparql", data={"query": "ASK { ?c a mp:Claim }"}, headers={"Accept": "text/csv"})
        assert (csv.status_code, csv.text.strip()) == (200, "true")
        assert http.post(f"{base}/kg/sparql", data={"update": "CLEAR ALL"}).status_code == 403
        assert http.get(f"{base}/kg/").json()["sparql"] == f"{base}/kg/sparql"
        assert http.get(f"{base}/kg/queries/claim_evidence").json()["url"] == f"{base}/kg/queries/claim_evidence"
        description = http.get(f"{base}/kg/sparql", headers={"Accept": "application/n-triples"}).text
        assert f"<{base}/kg/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint>" in description
        assert http.get(f"{base}/health").json() == {"status": "ok"}
        assert http.get(f"{base}/sparql", params={"query": "ASK {}"}).status_code == 404
    assert router.pool is None and all(process_gone(p) for p in pids)


@pytest.mark.parametrize("error, status", [
    (QuerySyntaxError("expected a term", 1, 5), 400),
    (ForbiddenQueryError("SERVICE is not allowed here"), 403),
    (PoolBusyError(2, 1.0), 503),
    (QueryTimeoutError(1.0, 1.2), 504),
    (QueryFailedError("the query process ran out of memory"), 500),
])
def test_status_for_each_query_error(error, status):
    assert status_for(error) == status


# ------------------------------------------------------------------------------ `kg serve` as a command

def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_kg_serve_command_binds_loopback_with_its_limits(curl):
    with KgServe("--timeout", "1", "--max-rows", "3", "--workers", "2") as served:
        assert _listening_addresses(served.port) == {"0100007F"}  # 127.0.0.1 only
        url = f"http://127.0.0.1:{served.port}/sparql"
        status, _, body = run_curl(curl, url, "-G", "-H", "Accept: application/sparql-results+json",
                                   "--data-urlencode", f"query={CLAIMS}")
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
        status, _, body = run_curl(curl, url, "-G", "--data-urlencode", f"query={RUNAWAY}")
        assert status == 504 and b"1 s time limit" in body
        assert len(_children(served.proc.pid)) == 2  # the query workers, the killed one replaced


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_kg_serve_leaves_no_worker_behind(how):
    """Stopped (SIGTERM: the pool is closed on the way out) or killed outright (the workers notice their parent
    is gone), `kg serve` leaves no query process running. Only the server is signalled, not its group."""
    with KgServe("--workers", "3") as served:
        assert wait_until(lambda: len(_children(served.proc.pid)) == 3)
        workers = _children(served.proc.pid)
        os.kill(served.proc.pid, how)
        served.proc.wait(30)
        assert wait_until(lambda: all(process_gone(p) for p in workers)), "orphaned query workers"

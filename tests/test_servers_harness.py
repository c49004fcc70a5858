"""The test harness itself (tests/support), against real engines: Oxigraph server, Virtuoso, Debian Chromium.

These start real processes on 127.0.0.1 and fail (never skip) when an engine is missing;
``scripts/install-system-deps.sh`` installs the Debian packages. Marked ``harness``: deselect them with
``-m "not harness"`` when the harness is not what changed.
"""
from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.support.browser import chromium_launch_args, route_loopback_only
from tests.support.servers import (
    SPARQL_JSON,
    OxigraphServer,
    ProcessServer,
    SparqlServer,
    VirtuosoServer,
    free_port,
    http_request,
    http_status,
    require_binary,
    sparql_query,
)

pytestmark = pytest.mark.harness

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
GRAPH = "http://example.org/harness/g1"
TURTLE = """\
@prefix ex: <http://example.org/harness/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:hip   rdfs:label "Hip" ;  ex:partOf ex:body .
ex:spine rdfs:label "Spine" ; ex:partOf ex:body .
"""
SELECT = f"""
PREFIX ex: <http://example.org/harness/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE {{ GRAPH <{GRAPH}> {{ ?s ex:partOf ex:body ; rdfs:label ?label }} }} ORDER BY ?label
"""
EXPECTED = [
    ("http://example.org/harness/hip", "Hip"),
    ("http://example.org/harness/spine", "Spine"),
]
# engine: (server class, query path, update path, Graph Store Protocol path)
ENGINES: dict[str, tuple[type[SparqlServer], str, str, str]] = {
    "oxigraph": (OxigraphServer, "/query", "/update", "/store"),
    "virtuoso": (VirtuosoServer, "/sparql", "/sparql", "/sparql-graph-crud"),
}


def _no_proxy_session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # loopback only; never a proxy from the environment
    return s


def _select_rows(endpoint: str) -> list[tuple[str, str]]:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)  # sends Accept: application/sparql-results+json
    sw.addCustomHttpHeader("Accept", SPARQL_JSON)
    result = sw.query().convert()
    return [(b["s"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]


def _assert_stopped(server: ProcessServer, pid: int) -> None:
    assert server.proc is None
    assert server.tmpdir is None
    assert not Path(f"/proc/{pid}").exists(), f"process {pid} still exists after stop()"
    assert server.peak_rss_mb is not None and server.peak_rss_mb > 0  # reaped with its resource usage


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


@pytest.mark.server
@pytest.mark.parametrize("engine", ENGINES)
def test_sparql_server_gsp_put_and_select(engine: str) -> None:
    server_class, query_path, update_path, store_path = ENGINES[engine]
    with server_class() as server:
        assert server.proc is not None
        pid = server.proc.pid
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.query_url == server.base_url + query_path
        assert server.update_url == server.base_url + update_path
        assert server.store_url == server.base_url + store_path
        print(f"{engine} ready in {server.startup_seconds:.2f} s")

        # anonymous GSP (for Virtuoso, thanks to the GRANT run at start), through a client of its own
        r = _no_proxy_session().put(server.store_url, params={"graph": GRAPH}, data=TURTLE.encode(),
                                    headers={"Content-Type": "text/turtle"})
        assert r.status_code in (200, 201, 204), r.text
        assert _select_rows(server.query_url) == EXPECTED

        # the harness's own client: an explicit Accept is answered in that type (Virtuoso needs one)
        answer = http_request("GET", f"{server.query_url}?{urllib.parse.urlencode({'query': SELECT})}",
                              headers={"Accept": SPARQL_JSON})
        assert answer.status == 200, answer.body
        assert answer.headers["content-type"].startswith(SPARQL_JSON)
        assert len(json.loads(answer.body)["results"]["bindings"]) == len(EXPECTED)
        assert server.put_turtle(GRAPH, TURTLE) in (200, 201, 204)

        if isinstance(server, OxigraphServer):
            answer = sparql_query(server.query_url, SELECT)  # a direct POST, as the benchmarks send
            assert answer.status == 200 and len(json.loads(answer.body)["results"]["bindings"]) == len(EXPECTED)
            # the GSP GET gives the graph back
            r = _no_proxy_session().get(server.store_url, params={"graph": GRAPH},
                                        headers={"Accept": "application/n-triples"})
            assert r.status_code == 200 and r.text.count("\n") == 4, r.text
        if isinstance(server, VirtuosoServer):
            assert server.sql_port != server.port
            # isql() raises on SQL errors although isql-vt itself exits 0
            with pytest.raises(RuntimeError, match=r"\*\*\* Error"):
                server.isql("SELECT no_such_column FROM no_such_table;")
    _assert_stopped(server, pid)
    assert http_status(server.query_url + "?query=ASK%7B%7D", timeout=1) is None


@pytest.mark.server
def test_oxigraph_serves_an_existing_store_and_leaves_it(tmp_path: Path) -> None:
    """`oxigraph load` first, then serve that store (as the benchmarks do): the data is there, the store stays."""
    quads = tmp_path / "harness.nq"
    quads.write_text("".join(f'<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "{label}" <{GRAPH}> .\n'
                             f'<{iri}> <http://example.org/harness/partOf> <http://example.org/harness/body> <{GRAPH}> .\n'
                             for iri, label in EXPECTED))
    location = tmp_path / "store"
    binary = require_binary("oxigraph", "oxigraph", venv=True)
    subprocess.run([str(binary), "load", "--location", str(location), "--file", str(quads)], check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    with OxigraphServer(location=location) as server:
        assert server.location == location
        assert _select_rows(server.query_url) == EXPECTED
    assert (location / "CURRENT").is_file()  # RocksDB's own files, left in place


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.browser
def test_chromium_renders_local_page(browser_type: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><title>Harness page</title>"
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/nothing.css"></head>'
        '<body><h1 id="t">Hip-spine harness OK</h1></body></html>'
    )

    def handler(*a: Any, **kw: Any) -> _QuietHandler:
        return _QuietHandler(*a, directory=str(tmp_path), **kw)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    xdg = None if os.environ.get("XDG_CONFIG_HOME") else tmp_path / "xdg"
    try:
        browser = browser_type.launch(**chromium_launch_args(xdg_dir=xdg))
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1500})
            blocked = route_loopback_only(context)
            page = context.new_page()
            page.goto(url)
            heading = page.locator("#t")
            heading.wait_for(state="visible", timeout=10_000)
            assert heading.inner_text() == "Hip-spine harness OK"
            assert page.title() == "Harness page"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / "harness_chromium.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 1000
            assert blocked == ["https://cdn.jsdelivr.net/npm/nothing.css"]
            print(f"chromium {browser.version}")
            context.close()
        finally:
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()

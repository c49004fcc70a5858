"""The test harness itself, against real engines: Oxigraph server, Virtuoso, Debian Chromium.

These start real processes on 127.0.0.1 and fail (never skip) when an engine is missing;
``scripts/install-system-deps.sh`` installs the Debian packages.
"""
from __future__ import annotations

import http.server
import os
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from servers import (  # noqa: E402
    OxigraphServer,
    VirtuosoServer,
    chromium_launch_args,
    free_port,
    http_status,
    route_loopback_only,
)

ARTIFACTS = TESTS / "artifacts"
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


def _no_proxy_session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # loopback only; never a proxy from the environment
    return s


def _select_rows(endpoint: str) -> list[tuple[str, str]]:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)  # sends Accept: application/sparql-results+json
    sw.addCustomHttpHeader("Accept", "application/sparql-results+json")
    result = sw.query().convert()
    return [(b["s"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]


def _assert_stopped(server, pid: int) -> None:
    assert server.proc is None
    assert server.tmpdir is None
    assert not Path(f"/proc/{pid}").exists(), f"process {pid} still exists after stop()"


def test_free_port_is_bindable():
    import socket

    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


@pytest.mark.server
def test_oxigraph_server_gsp_put_and_select():
    with OxigraphServer() as oxi:
        pid = oxi.proc.pid
        assert oxi.query_url == f"{oxi.base_url}/query"
        assert oxi.update_url == f"{oxi.base_url}/update"
        assert oxi.store_url == f"{oxi.base_url}/store"
        assert oxi.base_url.startswith("http://127.0.0.1:")
        print(f"oxigraph ready in {oxi.startup_seconds:.2f} s")

        r = _no_proxy_session().put(
            oxi.store_url, params={"graph": GRAPH}, data=TURTLE.encode(), headers={"Content-Type": "text/turtle"}
        )
        assert r.status_code in (201, 204), r.text
        assert _select_rows(oxi.query_url) == EXPECTED

        # the GSP GET gives the graph back
        r = _no_proxy_session().get(oxi.store_url, params={"graph": GRAPH}, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200 and r.text.count("\n") == 4, r.text
    _assert_stopped(oxi, pid)
    assert http_status(oxi._ready_url(), timeout=1) is None


@pytest.mark.server
def test_virtuoso_server_gsp_put_and_select():
    with VirtuosoServer() as virt:
        pid = virt.proc.pid
        assert virt.query_url == f"{virt.base_url}/sparql"
        assert virt.update_url == f"{virt.base_url}/sparql"
        assert virt.store_url == f"{virt.base_url}/sparql-graph-crud"
        assert virt.base_url.startswith("http://127.0.0.1:")
        assert virt.sql_port != virt.http_port
        print(f"virtuoso ready (incl. GRANTs) in {virt.startup_seconds:.2f} s")

        # anonymous GSP works only thanks to the GRANT run at start
        r = _no_proxy_session().put(
            f"{virt.store_url}?graph={GRAPH}", data=TURTLE.encode(), headers={"Content-Type": "text/turtle"}
        )
        assert r.status_code in (200, 201, 204), r.text

        # explicit Accept: Virtuoso answers in the first Accept type it is given
        r = _no_proxy_session().get(
            virt.query_url, params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"}
        )
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("application/sparql-results+json")
        rows = [(b["s"]["value"], b["label"]["value"]) for b in r.json()["results"]["bindings"]]
        assert rows == EXPECTED
        assert _select_rows(virt.query_url) == EXPECTED

        # isql() raises on SQL errors although isql-vt itself exits 0
        with pytest.raises(RuntimeError, match=r"\*\*\* Error"):
            virt.isql("SELECT no_such_column FROM no_such_table;")
    _assert_stopped(virt, pid)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.mark.browser
def test_chromium_renders_local_page(browser_type, tmp_path):
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><title>Harness page</title>"
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/nothing.css"></head>'
        '<body><h1 id="t">Hip-spine harness OK</h1></body></html>'
    )
    handler = lambda *a, **kw: _QuietHandler(*a, directory=str(tmp_path), **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    xdg = None if os.environ.get("XDG_CONFIG_HOME") else tmp_path / "xdg"
    try:
        t0 = time.monotonic()
        browser = browser_type.launch(**chromium_launch_args(xdg_dir=xdg))
        launched = time.monotonic() - t0
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
            print(f"chromium launched in {launched:.2f} s; {browser.version}")
            context.close()
        finally:
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()

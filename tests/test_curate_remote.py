"""A curation change applied to a remote store with update rights: a real Oxigraph server on loopback, the graph
pushed from a copy of data/, a risk-of-bias edit written to claims.ttl and sent as DELETE DATA / INSERT DATA (from
Python, `kg --endpoint URL curate`, and the app's Curate mode); the remote graph then equals a fresh build of the
changed files (the certainty rated again). A read-only server is found out by the probe: Curate mode stays off."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import streamlit as st
from click.testing import CliRunner

from kg.cli.main import main as cli
from kg.curate import Curation
from kg.curate.remote import accepts_updates, apply_remote
from kg.ingest.build import DataSources, assemble
from kg.model import paths
from kg.store.remote import RemoteBackend
from tests.support.apptest import ok, open_page, plain
from tests.support.servers import OxigraphServer
from tests.test_curate_rob import quadas

pytestmark = pytest.mark.server
CLAIM = "https://w3id.org/hipspine/id/claim/"
LEVEL = f"SELECT ?level WHERE {{ <{CLAIM}negative-mri-rules-out> hs:certainty/hs:certaintyLevel/rdfs:label ?level }}"


class ReadOnlyOxigraph(OxigraphServer):
    """`oxigraph serve-read-only` on the store an ordinary server filled (it has no update service)."""

    def _command(self) -> list[str]:
        command = super()._command()
        command[command.index("serve")] = "serve-read-only"
        return command


@pytest.fixture
def data(tmp_path: Path) -> DataSources:
    copy = tmp_path / "data"
    copy.mkdir()
    for name in ("references.bib", "claims.ttl"):
        shutil.copy(paths.DEFAULT_DATA_DIR / name, copy / name)
    return DataSources(copy / "references.bib", copy / "claims.ttl")


@pytest.fixture
def server(data: DataSources, tmp_path: Path) -> Iterator[OxigraphServer]:
    """An Oxigraph server on loopback holding the graph `kg push` made of the copy."""
    location = tmp_path / "oxigraph"
    location.mkdir()
    with OxigraphServer(location=location) as running:
        pushed = CliRunner().invoke(cli, ["push", "--endpoint", running.query_url, "--data", str(data.bib.parent)])
        assert pushed.exit_code == 0, pushed.output
        yield running


def remote_equals_a_build(backend: RemoteBackend, data: DataSources) -> None:
    remote = backend.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert not isinstance(remote, ox.QuerySolutions | ox.QueryBoolean)
    assert set(remote) == {q.triple for q in assemble(data).store}
    level = backend.execute(LEVEL)
    assert isinstance(level, ox.QuerySolutions)
    assert [row["level"].value for row in level] == ["Moderate"]  # rated again: lee2019 is now at low risk


def test_a_change_goes_to_the_remote_graph_and_equals_a_rebuild(data: DataSources, server: OxigraphServer,
                                                                tmp_path: Path) -> None:
    backend = RemoteBackend(server.query_url)
    assert accepts_updates(backend)
    applied = Curation("Remote Curator", data).edit(quadas())
    update = apply_remote(backend, applied, data)
    assert update.removed and update.added and update.graph == backend.graph
    remote_equals_a_build(backend, data)
    server.stop()
    with ReadOnlyOxigraph(location=server.location) as read_only:
        assert not accepts_updates(RemoteBackend(read_only.query_url))


def test_kg_curate_with_an_endpoint_updates_the_remote_graph(data: DataSources, server: OxigraphServer) -> None:
    args = ["--endpoint", server.query_url, "curate", "rob", "--data", str(data.bib.parent), "lee2019accuracy",
            "--tool", "QUADAS-2", "--overall", "low", "--reason", "Every domain is at low risk.",
            "--section", "Abstract"]
    for domain in quadas().domains:
        args += ["--domain", domain.domain, domain.judgement, domain.reason, domain.section]
        if domain.applicability:
            args += ["--applicability", domain.domain, domain.applicability]
    result = CliRunner().invoke(cli, args, env={"KG_CURATOR": "CLI Curator"})
    assert result.exit_code == 0, result.output
    assert "edit: rob:lee2019" in result.output and "(no push)" in result.output
    remote_equals_a_build(RemoteBackend(server.query_url), data)


def test_curate_mode_on_a_remote_store_with_update_rights(data: DataSources, server: OxigraphServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_SPARQL_ENDPOINT", server.query_url)
    monkeypatch.delenv("KG_READ_ONLY", raising=False)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.delenv("KG_DATA_DIR", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = open_page("studies", study="lee2019accuracy")
        assert at.sidebar.toggle(key="curate_mode").disabled  # no data files configured for the remote graph
        monkeypatch.setenv("KG_DATA_DIR", str(data.bib.parent))
        at = open_page("studies", study="lee2019accuracy")
        ok(at.sidebar.toggle(key="curate_mode").set_value(True).run())
        at.sidebar.text_input(key="curator_input").input("App Curator")
        at = ok(at.sidebar.button(key="FormSubmitter:curator_form-Start curating").click().run())
        for k, domain in enumerate(quadas().domains):
            at.selectbox(key=f"rob:{k}:judgement").set_value(domain.judgement)
        at.selectbox(key="rob:overall").set_value("low")
        at.text_area(key="rob:reason").input("Every domain is at low risk.")
        at = ok(at.button(key="FormSubmitter:curate_rob-Save the risk of bias").click().run())
        assert any("by App Curator" in plain(s.value) for s in at.success), [plain(e.value) for e in at.error]
        assert not [e for e in at.error if e.icon == ":material/block:"]  # no refusal, no failed remote update
        level = RemoteBackend(server.query_url).execute(LEVEL)
        assert isinstance(level, ox.QuerySolutions)
        assert [row["level"].value for row in level] == ["Moderate"]
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()

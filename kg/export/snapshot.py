"""Citable snapshots: the graph's identity as a hash of its canonical N-Triples, identifiers for one view of it
(a page and its parameters), a plain-text citation, and `kg snapshot`'s files (the graph, its hash, CITATION.cff).

The canonical form is kg.store.serialize.sorted_ntriples (sorted lines, no blank nodes), so the same triples give
the same hash whatever order the build wrote them in, and any change to the data gives another.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from kg.ingest.files import write_atomic
from kg.store.serialize import sorted_ntriples

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

TITLE = "Hip-spine evidence graph"
AUTHOR = "Hip-spine evidence graph curators"  # the project's curators as one entity: no person is named
SHORT = 16  # hex digits of the graph hash shown in identifiers and URLs (64 bits)
VIEW_PARAM = "snapshot"  # the URL parameter a cited view carries: the graph hash it was cited against
GRAPH_FILE = "graph.nt"
HASH_FILE = "graph.nt.sha256"
CFF_FILE = "CITATION.cff"


def graph_hash(kg: KnowledgeGraph) -> str:
    """SHA-256 (hex) of the graph's canonical N-Triples."""
    return hashlib.sha256(sorted_ntriples(kg.snapshot())).hexdigest()


def view_params(params: Mapping[str, str]) -> dict[str, str]:
    """A view's own parameters, sorted, without empty values or the snapshot it was cited against."""
    return {k: params[k] for k in sorted(params) if k != VIEW_PARAM and params[k] not in ("", None)}


def view_id(graph_sha256: str, page: str, params: Mapping[str, str]) -> str:
    """The identifier of one view: `<graph hash, SHORT digits>-<8 hex digits over graph, page and parameters>`.

    The first part names the data, the second the view of it; both are recomputed from the reopened URL, so a
    reader can tell whether they are looking at the view that was cited."""
    key = json.dumps([graph_sha256, page.strip("/"), view_params(params)], sort_keys=True, ensure_ascii=True)
    return f"{graph_sha256[:SHORT]}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def view_url(base: str, page: str, params: Mapping[str, str], graph_sha256: str) -> str:
    """The address that reopens the view: the page, its parameters and the snapshot they were cited against."""
    query = {**view_params(params), VIEW_PARAM: graph_sha256[:SHORT]}
    return f"{base.rstrip('/')}/{page.strip('/')}?{urlencode(query)}"


@dataclass(frozen=True)
class ViewCitation:
    """One cited view: its identifier, the address that reopens it and the text a researcher pastes."""

    identifier: str
    url: str
    text: str


def cite_view(graph_sha256: str, *, base: str, page: str, title: str, params: Mapping[str, str],
              accessed: dt.date, version: str | None = None) -> ViewCitation:
    """The citation of one view (`title` is the page's heading, e.g. a claim's label)."""
    ident = view_id(graph_sha256, page, params)
    url = view_url(base, page, params, graph_sha256)
    shown = "; ".join(f"{k}={v}" for k, v in view_params(params).items())
    parts = [f"{AUTHOR}. {TITLE}" + (f", version {version}" if version else "") + ".",
             f"View: {title}" + (f" ({shown})" if shown else "") + ".",
             f"Snapshot {ident} (graph SHA-256 {graph_sha256}).",
             f"{url}. Accessed {accessed.isoformat()}."]
    return ViewCitation(ident, url, " ".join(parts))


def package_version() -> str | None:
    """The installed hipspine-kg version, None when run from an uninstalled checkout."""
    try:
        return metadata.version("hipspine-kg")
    except metadata.PackageNotFoundError:
        return None


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML; ASCII-only escapes keep the file plain)."""
    return json.dumps(value, ensure_ascii=True)


def citation_cff(graph_sha256: str, *, released: dt.date, version: str | None, triples: int) -> str:
    """A CITATION.cff (Citation File Format 1.2.0) for the data set with this graph hash."""
    abstract = (f"The hip-spine evidence graph as canonical N-Triples ({triples:,} triples): studies, claims, "
                "evidence lines, PICO frames and measured results.")
    lines = [
        "cff-version: 1.2.0",
        f"message: {_yaml('If you use this snapshot of the evidence graph, please cite it as below.')}",
        "type: dataset",
        f"title: {_yaml(f'{TITLE} (snapshot {graph_sha256[:SHORT]})')}",
        "authors:",
        f"  - name: {_yaml(AUTHOR)}",
        f"abstract: {_yaml(abstract)}",
        f"date-released: {_yaml(released.isoformat())}",
    ]
    if version:
        lines.append(f"version: {_yaml(version)}")
    lines += [
        "identifiers:",
        "  - type: other",
        f"    value: {_yaml('sha256:' + graph_sha256)}",
        f"    description: {_yaml(f'SHA-256 of {GRAPH_FILE} (the graph as sorted N-Triples)')}",
        "keywords:",
        f"  - {_yaml('hip-spine syndrome')}",
        f"  - {_yaml('evidence graph')}",
        f"  - {_yaml('RDF')}",
        "license: MIT",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Snapshot:
    """What `write_snapshot` wrote."""

    sha256: str
    triples: int
    files: tuple[Path, ...]


def write_snapshot(kg: KnowledgeGraph, out_dir: Path, *, released: dt.date | None = None) -> Snapshot:
    """Write graph.nt (canonical N-Triples), graph.nt.sha256 (as `sha256sum` prints it) and CITATION.cff to
    `out_dir`, each atomically. The same graph gives byte-identical graph.nt and hash on every run."""
    data = sorted_ntriples(kg.snapshot())
    digest = hashlib.sha256(data).hexdigest()
    triples = data.count(b"\n")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (out_dir / GRAPH_FILE, out_dir / HASH_FILE, out_dir / CFF_FILE)
    write_atomic(files[0], data)
    write_atomic(files[1], f"{digest}  {GRAPH_FILE}\n".encode())
    cff = citation_cff(digest, released=released or dt.date.today(), version=package_version(), triples=triples)
    write_atomic(files[2], cff.encode())
    return Snapshot(digest, triples, files)

"""Named SPARQL queries: one question per file in kg/query/rq/, run from the CLI, Python, the app and HTTP.

The library's own SPARQL (the evidence summaries, network projections, exports, integrity checks and the
build's derivation update) lives beside them in kg/query/rq/internal/, with the same header; those files are
read with `internal_query` and are not listed by `kg queries` or published by the endpoint.

Each file opens with a comment header that this module parses:

    # title: Contested claims
    # description: Claims with both supporting and contradicting studies,
    #   continued on lines indented under the comment sign.
    # param: claim (iri) = claim:lumbar-disease-worsens-hip-surgery  -- the claim IRI
    # param: study (work)  -- a parameter without a default is optional: leaving it out matches everything
    # columns: claim, statement, supporting, contradicting, qualifying

Parameter types: `iri` (a full IRI, <IRI> or a prefixed name such as claim:x), `string`, `integer`, and
`work` (a study or source article: its BibTeX key, or its IRI). Values are bound as RDF terms by
KnowledgeGraph.execute (kg.query.binding), never pasted into the query text. A `work` parameter named `study`
binds ?study to the key as a string literal, or ?study_iri to the IRI; the query matches both with
`?study_iri hs:bibKey ?study`. An empty value leaves the parameter unbound.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyoxigraph as ox
import rdflib

from kg.model import paths
from kg.model.namespace import PREFIXES
from kg.model.terms import to_python
from kg.query.guard.policy import syntax_error
from kg.query.text import query_form

if TYPE_CHECKING:
    import pandas as pd

    from kg.store.graph import KnowledgeGraph

PARAM_TYPES = ("iri", "string", "integer", "work")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER = re.compile(r"^#\s*(?P<key>[a-z]+)\s*:\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(?P<value>\S.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?P<type>[a-z]+)\s*\)"
    r"(?:\s*=\s*(?P<default>.*?))?(?:\s+--\s*(?P<help>.*))?\s*$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class NamedQueryError(ValueError):
    """A problem with a named query or its parameters, in words a user can act on."""


class UnknownQueryError(NamedQueryError):
    """No query file has that name; the message lists the known names."""


class ParamError(NamedQueryError):
    """A parameter the query does not declare, or a value that is not of the declared type."""


class QueryDefinitionError(NamedQueryError):
    """A query file whose header cannot be parsed (a bug in the file, not in the user's input)."""


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter: its name, type, default (None: optional, matches everything) and help."""

    name: str
    type: str
    default: str | None
    help: str

    @property
    def optional(self) -> bool:
        return self.default is None

    def describe(self) -> str:
        """`name (type) = default -- help`, as shown by `kg queries`."""
        text = f"{self.name} ({self.type})"
        text += f" = {self.default}" if self.default is not None else " optional"
        return text + (f"  -- {self.help}" if self.help else "")


@dataclass(frozen=True)
class NamedQuery:
    """A query file: header fields plus the SPARQL text (header included: it is only comments)."""

    name: str
    title: str
    description: str
    params: tuple[QueryParam, ...]
    columns: tuple[str, ...]
    text: str
    path: Path | None = None

    def param(self, name: str) -> QueryParam:
        for p in self.params:
            if p.name == name:
                return p
        raise ParamError(f"query '{self.name}' has no parameter '{name}'; "
                         f"its parameters: {', '.join(p.name for p in self.params) or 'none'}")


def parse_query(text: str, name: str, path: Path | None = None, *, require_columns: bool = True) -> NamedQuery:
    """Parse a query file's comment header; QueryDefinitionError names the file and what is wrong.
    Only a SELECT has columns: an update (`.ru`) or an internal CONSTRUCT is read with `require_columns=False`."""
    where = str(path) if path else name
    fields: dict[str, list[str]] = {"title": [], "description": [], "columns": []}
    params: list[QueryParam] = []
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break  # the header ends at the first line that is not a comment (usually a blank line)
        if (m := _CONTINUATION.match(stripped)) and last in ("description", "title"):
            fields[last].append(m.group("value").strip())
            continue
        m = _HEADER.match(stripped)
        if not m:
            last = None
            continue
        key, value = m.group("key"), m.group("value").strip()
        if key == "param":
            params.append(_parse_param(value, where))
        elif key in fields:
            fields[key].append(value)
        else:
            raise QueryDefinitionError(f"{where}: unknown header field '{key}' "
                                       "(use title, description, param or columns)")
        last = key
    title = " ".join(fields["title"])
    columns = tuple(c.strip() for c in ",".join(fields["columns"]).split(",") if c.strip())
    if not title:
        raise QueryDefinitionError(f"{where}: the header has no '# title:' line")
    if not columns and require_columns:
        raise QueryDefinitionError(f"{where}: the header has no '# columns:' line")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryDefinitionError(f"{where}: a parameter is declared twice")
    return NamedQuery(name, title, " ".join(fields["description"]), tuple(params), columns, text, path)


def _parse_param(value: str, where: str) -> QueryParam:
    m = _PARAM.match(value)
    if not m:
        raise QueryDefinitionError(f"{where}: cannot read parameter '{value}' "
                                   "(write: name (type) = default  -- help)")
    if m.group("type") not in PARAM_TYPES:
        raise QueryDefinitionError(f"{where}: parameter '{m.group('name')}' has unknown type "
                                   f"'{m.group('type')}' (use {', '.join(PARAM_TYPES)})")
    default = m.group("default")
    return QueryParam(m.group("name"), m.group("type"), default.strip() if default else None,
                      (m.group("help") or "").strip())


@lru_cache(maxsize=8)
def _load(signature: tuple[tuple[str, int], ...]) -> dict[str, NamedQuery]:
    """The queries, parsed once per set of file modification times (edits are picked up, reads are not repeated)."""
    queries = {}
    for file_name, _ in signature:
        path = Path(file_name)
        queries[path.stem] = parse_query(path.read_text(encoding="utf-8"), path.stem, path)
    return queries


def _queries() -> dict[str, NamedQuery]:
    return _load(tuple((str(p), p.stat().st_mtime_ns) for p in paths.query_files()))


def list_queries() -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return [q for _, q in sorted(_queries().items())]


def get_query(name: str) -> NamedQuery:
    """The named query; UnknownQueryError lists the names that exist."""
    queries = _queries()
    if name not in queries:
        raise UnknownQueryError(f"no query named '{name}'; known queries: {', '.join(sorted(queries))}")
    return queries[name]


@lru_cache(maxsize=8)
def _load_internal(signature: tuple[tuple[str, int], ...]) -> dict[str, NamedQuery]:
    queries = {}
    for file_name, _ in signature:
        path = Path(file_name)
        text = path.read_text(encoding="utf-8")
        queries[path.stem] = parse_query(text, path.stem, path, require_columns=query_form(text) == "select")
    return queries


def internal_query(name: str) -> NamedQuery:
    """One of the library's own queries or updates (kg/query/rq/internal/NAME.rq or NAME.ru)."""
    queries = _load_internal(tuple((str(p), p.stat().st_mtime_ns) for p in paths.internal_query_files()))
    if name not in queries:
        raise UnknownQueryError(f"no internal query named '{name}'; known: {', '.join(sorted(queries))}")
    return queries[name]


def public_queries() -> list[NamedQuery]:
    """The analyst questions in kg/query/rq/public/, which use public vocabularies only (no hs: term), sorted
    by name. Run one with `run_public`; they are not in `kg queries`, whose named queries use the project's
    own terms."""
    queries = _load_internal(tuple((str(p), p.stat().st_mtime_ns) for p in paths.public_query_files()))
    return [q for _, q in sorted(queries.items())]


def run_public(kg: KnowledgeGraph, name: str, params: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """Run the public-vocabulary question `name` (kg/query/rq/public/NAME.rq) like a named query."""
    found = {q.name: q for q in public_queries()}
    if name not in found:
        raise UnknownQueryError(f"no public query named '{name}'; known: {', '.join(sorted(found))}")
    return run_query(kg, found[name], params)


# ----------------------------------------------------------------------------------------- parameters

def parse_iri(value: str) -> ox.NamedNode:
    """<IRI>, an absolute IRI or a prefixed name (claim:x, c:mri) as a NamedNode; ParamError otherwise.
    pyoxigraph validates the IRI, so characters that could end it ('>', space, quotes, braces) are refused."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    else:
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//"):
            text = PREFIXES[prefix] + local
        elif not _SCHEME.match(text):
            raise ParamError(f"'{value}' is not an IRI: give a prefixed name such as claim:… or c:…, "
                             "a full IRI, or <IRI>")
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise ParamError(f"'{value}' is not a valid IRI ({exc})") from None


def bind_params(query: NamedQuery, params: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """The query's variable bindings for the given parameter values (defaults filled in).

    Unknown names raise ParamError; a value that does not fit the declared type raises ParamError; an empty
    value (or an optional parameter left out) binds nothing, so that part of the pattern matches everything.
    """
    given = dict(params or {})
    declared = {p.name for p in query.params}
    unknown = sorted(set(given) - declared)
    if unknown:
        raise ParamError(f"query '{query.name}' has no parameter {', '.join(repr(u) for u in unknown)}; "
                         f"its parameters: {', '.join(sorted(declared)) or 'none'}")
    bindings: dict[str, Any] = {}
    for p in query.params:
        raw = given.get(p.name, p.default)
        if raw is None or str(raw).strip() == "":
            continue
        value = str(raw).strip()
        if p.type == "iri":
            bindings[p.name] = parse_iri(value)
        elif p.type == "string":
            bindings[p.name] = ox.Literal(value)
        elif p.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise ParamError(f"parameter '{p.name}' takes a whole number, not '{value}'")
            bindings[p.name] = ox.Literal(str(int(value)), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
        else:  # work: a BibTeX key is bound as a string to ?name, an IRI to ?name_iri
            bindings.update(_bind_work(p.name, value))
    return bindings


def _bind_work(name: str, value: str) -> dict[str, Any]:
    prefix, sep, local = value.partition(":")
    if sep and prefix == "ref":  # claims.ttl's ref:KEY placeholder names a BibTeX key
        return {name: ox.Literal(local)}
    if value.startswith("<") or (sep and prefix in PREFIXES) or value.lower().startswith(("http://", "https://")):
        return {f"{name}_iri": parse_iri(value)}
    return {name: ox.Literal(value)}


# ------------------------------------------------------------------------------------------- running

def run_named(kg: KnowledgeGraph, name: str, params: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """Run the named query with `params` (strings, as typed on the command line) and return a DataFrame
    whose columns are the query's declared columns, in the declared order."""
    return run_query(kg, get_query(name), params)


def run_query(kg: KnowledgeGraph, query: NamedQuery, params: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """Run a loaded query file with `params` bound; a DataFrame with its declared columns, in declared order."""
    result = kg.execute(query.text, bind_params(query, params))
    if not isinstance(result, ox.QuerySolutions):
        raise QueryDefinitionError(f"{query.name}: a named query must be a SELECT query")
    got = [v.value for v in result.variables]
    if set(got) != set(query.columns):
        raise QueryDefinitionError(f"{query.name}: the header declares columns {', '.join(query.columns)} "
                                   f"but the query selects {', '.join(got)}")
    return solutions_frame(result, list(query.columns))


def run_sparql(kg: KnowledgeGraph, text: str) -> pd.DataFrame | bool | rdflib.Graph:
    """Run ad-hoc SPARQL (project prefixes predeclared): SELECT gives a DataFrame, ASK a bool, CONSTRUCT and
    DESCRIBE an rdflib Graph. No time limit: this is the trusted notebook path (user input goes through
    KnowledgeGraph.run_user_query instead). A syntax error raises kg.query.guard.policy.QuerySyntaxError with line
    and column."""
    try:
        result = kg.execute(text)
    except SyntaxError as exc:
        raise syntax_error(exc, text) from None
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        return solutions_frame(result, [v.value for v in result.variables])
    graph = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    nt = "".join(f"{triple} .\n" for triple in result)
    if nt:
        graph.parse(data=nt, format="nt")
    return graph


def solutions_frame(result: ox.QuerySolutions, columns: list[str]) -> pd.DataFrame:
    """SELECT solutions as a DataFrame of plain values (kg.model.terms.to_python), in the given column order."""
    names = [v.value for v in result.variables]
    order = [names.index(c) for c in columns]
    rows = [[to_python(values[i]) for i in order] for values in (tuple(s) for s in result)]
    return typed_frame(rows, columns)


_DTYPES: dict[frozenset[type], Literal["Int64", "Float64", "boolean", "string"]] = {
    frozenset({int}): "Int64", frozenset({float}): "Float64", frozenset({int, float}): "Float64",
    frozenset({bool}): "boolean", frozenset({str}): "string"}


def typed_frame(rows: list[list[Any]] | list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame whose column dtypes follow the RDF datatypes: xsd:integer columns become nullable Int64,
    decimals Float64 (60.0 stays a decimal even when every value is whole), booleans 'boolean', the rest
    'string'. Missing values are pd.NA. Columns mixing kinds stay as Python objects."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for column in columns:
        dtype = _DTYPES.get(frozenset(type(v) for v in frame[column] if v is not None))
        if dtype:
            frame[column] = frame[column].astype(dtype)
    return frame


def query(kg: KnowledgeGraph, name_or_sparql: str, **params: Any) -> pd.DataFrame | bool | rdflib.Graph:
    """KnowledgeGraph.query: a query name runs that named query with `params`, anything else is SPARQL."""
    if NAME.match(name_or_sparql.strip()):
        return run_named(kg, name_or_sparql.strip(), {k: None if v is None else str(v) for k, v in params.items()})
    if params:
        raise ParamError("parameters can only be given to named queries; bind values in the SPARQL instead")
    return run_sparql(kg, name_or_sparql)

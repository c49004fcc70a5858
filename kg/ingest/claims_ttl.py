"""claims.ttl into the store: Oxigraph parses the Turtle, then ref:KEY and blank nodes are rewritten in place.

The curated file names studies by BibTeX key (`ref:eneqvist2017lumbar`); the graph names them by DOI IRI.
Parsing the Turtle in Rust and rewriting the few affected triples with one SPARQL update each is several
times faster than turning every triple into Python objects on the way in.

Blank nodes (PICO populations, arms, outcome groups written as `[ ... ]`) get IRIs named after the node
that holds them, e.g. <…/pico/eneqvist2017/population>, so every build writes the same IRIs and bytes.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.ingest.errors import CONTROL_CHARACTER, InputError, Problem, closest_hint, display_path
from kg.model.namespace import BASE, REF, compact
from kg.query.binding import bind_table
from kg.query.named import internal_query

NODE_BASE = BASE + "id/node/"  # blank nodes that hang off no named parent
REWRITE_CHUNK = 2000
_STRING_OR_IRI = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|\'[^\'\\]*(?:\\.[^\'\\]*)*\'|<[^>\s]*>')
_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w\-.]*)?:\s*$", re.IGNORECASE)


class ClaimsFile:
    """The text of a claims file, with lookups for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = display_path(path)
        try:
            self.text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError([Problem(self.shown, "file not found", fix="pass --claims PATH or --data DIR")]) from None
        except UnicodeDecodeError as exc:
            raise InputError([Problem(self.shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
        control = CONTROL_CHARACTER.search(self.text)
        if control:  # Turtle allows most of them raw inside a string; in a curated file they are corruption
            raise InputError([Problem(
                self.shown, f"control character U+{ord(control.group()):04X} in the text (binary data or a NUL byte)",
                line=self.text.count("\n", 0, control.start()) + 1,
                fix="remove it: claims.ttl is plain text")])
        self._lines: list[str] | None = None

    def line_of(self, needle: str) -> int | None:
        """First line that mentions needle as a whole token, for error messages."""
        pattern = re.compile(re.escape(needle) + r"(?![\w\-.]*\w)")
        if self._lines is None:
            self._lines = self.text.splitlines()
        for number, line in enumerate(self._lines, 1):
            if pattern.search(line.split("#", 1)[0] if not line.lstrip().startswith('"') else line):
                return number
        return None

    def may_have_blank_nodes(self) -> bool:
        """False only when no `[`, `(` or `_:` appears outside strings, IRIs and comments (conservative)."""
        text = self.text
        if '"""' in text or "'''" in text:
            return True  # long strings span lines: the line-by-line check below would not see their ends
        checked: set[int] = set()
        for token in ("[", "(", "_:"):  # str.find is ~10x faster than a regex alternation over 20 MB
            at = text.find(token)
            while at >= 0:
                start = text.rfind("\n", 0, at) + 1
                end = text.find("\n", at)
                end = end if end >= 0 else len(text)
                if start not in checked:
                    checked.add(start)
                    code = _STRING_OR_IRI.sub(" ", text[start:end]).split("#", 1)[0]
                    if "[" in code or "(" in code or "_:" in code:
                        return True
                at = text.find(token, end)
        return False

    def ref_keys(self) -> set[str]:
        """Every BibTeX key the text may refer to (prefixed or full IRI); a superset, strings included."""
        return self.local_names(str(REF))

    def local_names(self, namespace: str) -> set[str]:
        """Local names the text uses in `namespace`, through any prefix declared for it or as full IRIs.

        A superset (strings and comments count too): callers look each one up in the store. A literal
        search and simple patterns keep this to ~0.1 s on a 20 MB file.
        """
        names = {m.group(1) for m in re.finditer("<" + re.escape(namespace) + r"([^>\s]*)>", self.text)} - {""}
        prefixes = set()
        for ns in re.finditer(re.escape(f"<{namespace}>"), self.text):  # the declaration is read backwards
            declaration = _PREFIX_DECL.search(self.text, self.text.rfind("\n", 0, ns.start()) + 1, ns.start())
            if declaration:
                prefixes.add(declaration.group(1) or "")
        for prefix in prefixes:
            # A local name never ends in '.'; a false match (xref:foo) only costs a lookup that finds nothing.
            token = re.compile(re.escape(prefix) + r":([\w\-.]+)")
            names.update(k.rstrip(".") for k in token.findall(self.text))
        return names


def syntax_problem(claims: ClaimsFile, exc: SyntaxError) -> Problem:
    """A Turtle syntax error from Oxigraph as a located problem."""
    line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
    return Problem(claims.shown, f"Turtle syntax error: {exc.args[0]}", line=line,
                   fix="fix the Turtle at that line (a missing '.', ';' or quote is the usual cause)")


def load_claims(store: ox.Store, claims: ClaimsFile, *, bulk: bool = False) -> None:
    """Parse the Turtle into the default graph; a syntax error raises InputError (and loads nothing, unless
    bulk: Oxigraph's bulk loader, ~3x faster into an on-disk store, is not transactional)."""
    loader = store.bulk_load if bulk else store.load
    try:
        # From the file, not the text in memory: a second copy of the text would cost ~0.2 GB at 100k papers.
        if claims.text.startswith("\ufeff"):  # a byte-order mark, which Oxigraph reads as a stray character
            loader(input=claims.text[1:].encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
        else:
            loader(path=str(claims.path), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    except SyntaxError as exc:
        raise InputError([syntax_problem(claims, exc)]) from None


def rewrite_refs(store: ox.Store, claims: ClaimsFile, keys: dict[str, str]) -> list[Problem]:
    """ref:KEY -> the paper's IRI, as subject and as object; a key references.bib lacks is a problem."""
    used = claims.ref_keys()
    known = sorted(k for k in used if k in keys)
    # In chunks: one update over 100k keys is twice as slow as fifty over 2,000 (Oxigraph's transactions grow).
    for i in range(0, len(known), REWRITE_CHUNK):
        pairs = [(ox.NamedNode(f"{REF}{_segment(k)}"), ox.NamedNode(keys[k])) for k in known[i:i + REWRITE_CHUNK]]
        for update in ("build_rewrite_ref_subjects", "build_rewrite_ref_objects"):
            store.update(bind_table(internal_query(update).text, ("r", "n"), pairs))
    problems = []
    for key in sorted(k for k in used if k not in keys):
        node = ox.NamedNode(f"{REF}{_segment(key)}")
        if next(store.quads_for_pattern(node, None, None), None) is None and \
                next(store.quads_for_pattern(None, None, node), None) is None:
            continue  # only in a string or a comment
        problems.append(Problem(claims.shown, f"unknown BibTeX key '{key}' (ref:{key}): references.bib has no such entry",
                                line=claims.line_of(f"ref:{key}") or claims.line_of(f"{REF}{key}"), record=key,
                                fix="add the study to references.bib, or correct the key"
                                + closest_hint(key, list(keys), "ref:")))
    return problems


def _segment(key: str) -> str:
    """A key as it appears in the IRI Oxigraph parsed (keys are IRI-safe; percent-encode the rest)."""
    return key if re.fullmatch(r"[\w\-.:+~]*", key) else re.sub(r"[^\w\-.:+~]", lambda m: f"%{ord(m.group()):02X}", key)


def name_blank_nodes(store: ox.Store, claims: ClaimsFile) -> int:
    """Give every blank node a stable IRI: <holder>/<predicate local name>, numbered among same-named siblings
    in the order of their content (so the numbering does not depend on parse order); returns how many.

    The cells of a list `( a b c )` after the first are named by position under the first (<head>/2, <head>/3),
    so a list of thousands of items is flat, not thousands deep. Blank nodes nested more than MAX_NESTING deep
    raise InputError naming the statement that holds them."""
    if not claims.may_have_blank_nodes():
        return 0  # skip the scan over every triple (~0.3 s at 10k papers)
    found = store.query(internal_query("build_blank_node_triples").text)
    if not isinstance(found, ox.QuerySolutions):
        raise TypeError("build_blank_node_triples must be a SELECT")
    held = [(row["s"], row["p"], row["o"]) for row in found]
    if not held:
        return 0
    try:
        names = _names(held)
    except NestedTooDeep as exc:
        record = compact(exc.top) if exc.top else None
        line = (claims.line_of(record) or claims.line_of(f"<{exc.top}>")) if record else None
        raise InputError([Problem(
            claims.shown, f"blank nodes are nested {exc.depth} levels deep (at most {MAX_NESTING})",
            line=line or claims.line_of("["), record=record,
            fix="give the inner nodes names of their own instead of nesting [ ... ] inside one another")]) from None

    def named(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.Literal:
        return ox.NamedNode(names[term.value]) if isinstance(term, ox.BlankNode) else term

    for s, p, o in held:
        store.remove(ox.Quad(s, p, o, ox.DefaultGraph()))
    store.extend([ox.Quad(named(s), p, named(o), ox.DefaultGraph()) for s, p, o in held])  # type: ignore[arg-type]
    return len(names)


class NestedTooDeep(Exception):
    """Blank nodes nested more than MAX_NESTING levels; top is the named node holding them (None if none does)."""

    def __init__(self, depth: int, top: str | None) -> None:
        super().__init__(f"blank nodes nested {depth} levels deep")
        self.depth, self.top = depth, top


Held = list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]]


def _names(held: Held) -> dict[str, str]:
    """Blank node id -> IRI."""
    out_edges: dict[str, list[tuple[str, object]]] = defaultdict(list)
    holder: dict[str, tuple[object, str]] = {}
    for s, p, o in held:
        if isinstance(s, ox.BlankNode):
            out_edges[s.value].append((p.value, o))
        if isinstance(o, ox.BlankNode):
            # The first holder in (subject, predicate) order, so the choice is stable when a node has two.
            candidate = (s, re.split(r"[/#]", p.value)[-1])
            if o.value not in holder or _sort_key(candidate) < _sort_key(holder[o.value]):
                holder[o.value] = candidate
    cells, rest_of = _list_cells(held)
    for cell, (head, position) in cells.items():
        holder[cell] = (ox.BlankNode(head), str(position))  # <head>/2, <head>/3, ...: one level, however long
    everything = set(out_edges) | set(holder)
    depths = _depths(everything, holder)
    deepest = max(everything, key=lambda b: (depths[b], b))
    if depths[deepest] >= MAX_NESTING:  # depth counts the blank holders above a node: its own level is one more
        raise NestedTooDeep(depths[deepest] + 1, _top(deepest, holder))

    signatures: dict[str, str] = {}

    def signature(bnode: str, seen: frozenset[str] = frozenset()) -> str:
        """The node's content with nested blank nodes expanded: equal signatures mean interchangeable nodes.

        A list is spelled out flat at its first cell, `rest (items...)`; the later cells hold their item only."""
        if bnode in signatures:
            return signatures[bnode]
        if bnode in seen:
            return "_:cycle"
        inner = seen | {bnode}
        parts = []
        for p, o in out_edges.get(bnode, []):
            if not isinstance(o, ox.BlankNode):
                parts.append(f"{p} {o}")
            elif o.value not in cells:
                parts.append(f"{p} {signature(o.value, inner)}")
            elif bnode not in cells:  # the first cell: the whole list, one item after another
                items, cell = [], o.value
                while cell in cells:
                    items.append(signature(cell, inner))
                    cell = rest_of.get(cell, "")
                parts.append(f"{p} ({' '.join(items)})")
        signatures[bnode] = "[" + " ; ".join(sorted(parts)) + "]"
        return signatures[bnode]

    names: dict[str, str] = {}
    used: set[str] = set()

    def name(bnode: str, seen: frozenset[str] = frozenset()) -> str:
        if bnode in names:
            return names[bnode]
        held_by = holder.get(bnode)
        if held_by is None or bnode in seen:
            base = NODE_BASE + hashlib.sha1(signature(bnode).encode()).hexdigest()[:16]
        else:
            parent, local = held_by
            parent_iri = name(parent.value, seen | {bnode}) if isinstance(parent, ox.BlankNode) else parent.value  # type: ignore[attr-defined]
            base = f"{parent_iri}/{local}"
        unique, n = base, 2
        while unique in used:
            unique, n = f"{base}-{n}", n + 1
        used.add(unique)
        names[bnode] = unique
        return unique

    # Parents before children, siblings in content order: the same graph always gets the same names.
    for bnode in sorted(everything, key=lambda b: (depths[b], _holder_key(holder.get(b)), signature(b))):
        name(bnode)
    return names


RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
MAX_NESTING = 100  # levels of blank nodes inside blank nodes; a list is one level however long it is


def _list_cells(held: Held) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
    """The cells of each list after its first: cell -> (first cell, position from 2); and cell -> next cell.

    A cell is a blank node that only the rdf:rest of another blank node points at, as `( ... )` writes them."""
    rest_of: dict[str, str] = {}
    pointed_at: dict[str, int] = defaultdict(int)
    for s, p, o in held:
        if isinstance(o, ox.BlankNode):
            pointed_at[o.value] += 1
            if isinstance(s, ox.BlankNode) and p.value == RDF_REST:
                rest_of[s.value] = o.value
    later = {cell for cell in rest_of.values() if pointed_at[cell] == 1}
    cells: dict[str, tuple[str, int]] = {}
    for head in sorted(set(rest_of) - later):
        position, cell = 2, rest_of[head]
        while cell in later and cell not in cells:
            cells[cell] = (head, position)
            position, cell = position + 1, rest_of.get(cell, "")
    return cells, rest_of


def _depths(nodes: set[str], holder: dict[str, tuple[object, str]]) -> dict[str, int]:
    """How many blank holders each node has above it, without recursion (a chain may be thousands long)."""
    depths: dict[str, int] = {}
    for start in nodes:
        chain: list[str] = []
        on_chain: set[str] = set()
        bnode = start
        while bnode not in depths:
            parent = holder.get(bnode)
            if parent is None or not isinstance(parent[0], ox.BlankNode):
                depths[bnode] = 0
            elif bnode in on_chain:  # a cycle of _:labels: each node counts its own way round
                depths.update((node, _depth(node, holder)) for node in chain)
            else:
                chain.append(bnode)
                on_chain.add(bnode)
                bnode = parent[0].value
        depth = depths[bnode]
        for node in reversed(chain):
            if node not in depths:
                depth += 1
                depths[node] = depth
    return depths


def _top(bnode: str, holder: dict[str, tuple[object, str]]) -> str | None:
    """The named node at the top of a chain of blank holders, or None when the top is blank too."""
    seen = {bnode}
    while bnode in holder:
        parent = holder[bnode][0]
        if not isinstance(parent, ox.BlankNode):
            return parent.value if isinstance(parent, ox.NamedNode) else None
        bnode = parent.value
        if bnode in seen:
            return None
        seen.add(bnode)
    return None


def _sort_key(holder: tuple[object, str]) -> tuple[str, str]:
    subject, local = holder
    return (str(subject), local)


def _holder_key(holder: tuple[object, str] | None) -> tuple[str, str]:
    if holder is None:
        return ("", "")
    subject, local = holder
    # A blank holder's id is random; its depth ordering already put it first, so compare by local name only.
    return ("_" if isinstance(subject, ox.BlankNode) else str(subject), local)


def _depth(bnode: str, holder: dict[str, tuple[object, str]]) -> int:
    depth, seen = 0, {bnode}
    while bnode in holder and isinstance(holder[bnode][0], ox.BlankNode):
        bnode = holder[bnode][0].value  # type: ignore[attr-defined]
        if bnode in seen:
            break
        seen.add(bnode)
        depth += 1
    return depth

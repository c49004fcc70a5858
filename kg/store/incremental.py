"""An incremental update of a persistent store when only references.bib (and its import log) changed: imported
records become visible without a full rebuild.

The store keeps a copy of the references.bib it was built from (BIB_COPY, beside its manifest). The new file
and the copy are cut into entries (a scan for the `@type{key,` lines, no parse); only the entries that are new
or whose text changed are parsed, their old triples deleted and their new ones inserted; the import log's
activities are replaced and the default screening statuses derived again. The update runs on a RocksDB
checkpoint of the current store (hard links, so it is cheap) that is swapped in like a full build, so a reader
sees the old graph or the new one.

It gives the same graph as a full rebuild, and refuses (returns None, and the caller rebuilds) whenever it
could not be sure of that:

* the claims, ontology, shapes or versions changed; there is no copy of the old file;
* an entry was removed, or a @string, @preamble or @comment block or the text before the first entry changed;
* a changed entry is curated in claims.ttl (`ref:KEY`), or its authors, contributors, journal or IRI (DOI)
  changed (people and journals are shared between entries);
* a new entry is not after every old one (a person's name is spelt as the first entry with the fullest form
  has it), or its IRI belongs to another entry already (the same DOI);
* a changed entry has an error (the full build reports it with its line), or more than MAX_SHARE of the
  entries changed (a rebuild is as quick).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.ingest.bibtex import DUPLICATE_FIELDS, BibRecord, check_records, key_segment, parse_bib, people
from kg.ingest.build import DataSources
from kg.ingest.errors import InputError, Problem, display_path
from kg.ingest.import_log import log_ntriples, read_log
from kg.ingest.integrity import UNCURATED_FIX, UNCURATED_MESSAGE
from kg.ingest.records_nt import journal_ntriples, journals, person_ntriples, write_work_ntriples
from kg.model.namespace import AUTHORS, HS, IMPORT, JOURNAL, PERSON, PREFIXES, REF

BIB_COPY = "kg-references.bib"
MAX_SHARE = 0.25
_BLOCK = re.compile(r"(?m)^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]*)")
OTHER_BLOCKS = {"string", "preamble", "comment"}
SHARED_FIELDS = ("author", "contributor", "journal", "shortjournal")
BIB_KEY = ox.NamedNode(str(HS.bibKey))
IMPORTED_IN = ox.NamedNode(str(HS.importedIn))
FOAF_GIVEN_NODE = ox.NamedNode("http://xmlns.com/foaf/0.1/givenName")
LINKS = {ox.NamedNode(str(HS.possibleDuplicateOf)), ox.NamedNode(str(HS.duplicateOf))}
BUILD_ADDED = {ox.NamedNode(str(HS.screeningStatus)), IMPORTED_IN}
UNCURATED_PARTS = ("design", "evidence", "level")


@dataclass(frozen=True)
class Entries:
    """A .bib text cut into entries: key -> (position, text), and everything that is not an entry."""

    entries: dict[str, tuple[int, int, str]]  # key -> (order, start offset, text)
    other: str


def split_entries(text: str) -> Entries | None:
    """The entries of a .bib text by key; None when a key occurs twice (the full build reports it)."""
    matches = list(_BLOCK.finditer(text))
    entries: dict[str, tuple[int, int, str]] = {}
    other = [text[:matches[0].start()] if matches else text]
    for order, m in enumerate(matches):
        end = matches[order + 1].start() if order + 1 < len(matches) else len(text)
        chunk = text[m.start():end]
        if m.group(1).lower() in OTHER_BLOCKS:
            other.append(chunk)
            continue
        if m.group(2) in entries:
            return None
        entries[m.group(2)] = (order, m.start(), chunk)
    return Entries(entries, "\0".join(other))


@dataclass
class Delta:
    """What changed between the built file and the new one."""

    added: list[str]
    changed: list[str]
    text: str  # the new file
    old: Entries
    new: Entries


def bib_delta(old_text: str, new_text: str) -> Delta | None:
    """New and changed entries, or None when the change is not one an incremental update handles."""
    old, new = split_entries(old_text), split_entries(new_text)
    if old is None or new is None or old.other != new.other or set(old.entries) - set(new.entries):
        return None
    added = [k for k in new.entries if k not in old.entries]
    # Blank lines after an entry are not part of it (an append adds some after the last one).
    changed = [k for k in new.entries if k in old.entries and new.entries[k][2].rstrip() != old.entries[k][2].rstrip()]
    last_old = max((new.entries[k][0] for k in old.entries), default=-1)
    if any(new.entries[k][0] < last_old for k in added):
        return None
    if len(added) + len(changed) > MAX_SHARE * max(len(new.entries), 1) and len(new.entries) > 20:
        return None
    return Delta(sorted(added, key=lambda k: new.entries[k][0]), changed, new_text, old, new)


def _parse_subset(path: Path, text: str, entries: Entries, keys: list[str]) -> list[BibRecord]:
    """Parse only these entries, each at its own line of the file (so locations stay right)."""
    pieces, line, counted, offset = [], 1, 1, 0
    for key in sorted(keys, key=lambda k: entries.entries[k][0]):
        _, start, chunk = entries.entries[key]
        counted += text.count("\n", offset, start)  # line of `start`, counted once over the whole file
        offset = start
        pieces.append("\n" * (counted - line) + chunk)
        line = counted + chunk.count("\n")
    return parse_bib(path, "".join(pieces))


def apply_delta(store: ox.Store, sources: DataSources, old_text: str,
                delta: Delta) -> list[Problem] | None:
    """Update `store` (read-write) from the delta; the problems of the changed entries, or None to rebuild."""
    try:
        new_records = _parse_subset(sources.bib, delta.text, delta.new, delta.added + delta.changed)
        old_records = {r.key: r for r in _parse_subset(sources.bib, old_text, delta.old, delta.changed)}
    except InputError:
        return None
    keys = {q.object.value: q.subject.value for q in store.quads_for_pattern(None, BIB_KEY, None)
            if isinstance(q.object, ox.Literal) and isinstance(q.subject, ox.NamedNode)}
    for r in new_records:
        if r.key in old_records:
            before = old_records[r.key]
            if before.iri != r.iri or any(before.fields.get(f) != r.fields.get(f) for f in SHARED_FIELDS) \
                    or _curated(store, before, keys):
                return None
        elif r.iri in keys.values() or _named_in_claims(store, r.key):  # another entry's DOI; a dangling ref:KEY
            return None
    iris = {**keys, **{r.key: r.iri for r in new_records}}
    problems = [p for p in check_records(new_records)
                if not (p.prop in DUPLICATE_FIELDS and any(f"'{k}'" in p.message for k in keys))]
    if any(p.severity == "error" for p in problems):
        return None
    try:
        runs = read_log(sources.import_log)
    except InputError:
        return None

    for r in new_records:
        if r.key in old_records:
            _remove_work(store, keys[r.key], r.key)
    _remove_log(store)
    added = [r for r in new_records if r.key not in old_records]
    text: list[str] = []
    write_work_ntriples(new_records, text.append, iris)
    # No entry here is curated, so a missing `screening` field means "to screen" (build_screening_defaults).
    text += [f"<{r.iri}> <{HS.screeningStatus}> <{HS.ToScreen}> .\n" for r in new_records
             if r.entry_type != "online" and "screening" not in r.fields]
    text += _new_people(store, added) + _new_journals(store, added)
    text.append(log_ntriples(runs, iris))
    store.load(input="".join(text).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    shown = display_path(sources.bib)
    # An included entry that is not curated lacks all three parts (kg.ingest.integrity.uncurated_problems).
    return problems + [Problem(shown, UNCURATED_MESSAGE[part], record=r.key, severity="warning",
                               fix=UNCURATED_FIX[part].replace("KEY", r.key))
                       for r in new_records if r.fields.get("screening") == "included" for part in UNCURATED_PARTS]


def _curated(store: ox.Store, before: BibRecord, iris: dict[str, str]) -> bool:
    """Whether anything but the entry itself says something of the work (claims.ttl, a derivation): a triple with
    it as object other than another entry's duplicate link, or with it as subject that its old entry does not
    write (besides the screening default and the import-log link)."""
    node = ox.NamedNode(before.iri)
    if any(q.predicate not in LINKS for q in store.quads_for_pattern(None, None, node)):
        return True
    own: list[str] = []
    write_work_ntriples([before], own.append, iris)
    expected = {q.triple for q in ox.parse(input="".join(own).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
                if isinstance(q, ox.Quad)}
    return any(q.triple not in expected for q in store.quads_for_pattern(node, None, None)
               if q.predicate not in BUILD_ADDED)


def _named_in_claims(store: ox.Store, key: str) -> bool:
    """A `ref:KEY` of claims.ttl left unresolved by the last build (the key was unknown then)."""
    node = ox.NamedNode(f"{REF}{key_segment(key)}")
    return next(store.quads_for_pattern(node, None, None), None) is not None or \
        next(store.quads_for_pattern(None, None, node), None) is not None


def _remove_work(store: ox.Store, iri: str, key: str) -> None:
    """Every triple of the work and of its author-list cells."""
    node = ox.NamedNode(iri)
    doomed = list(store.quads_for_pattern(node, None, None))
    base = f"{AUTHORS}{key_segment(key)}/"
    i = 1
    while cell := list(store.quads_for_pattern(ox.NamedNode(f"{base}{i}"), None, None)):
        doomed += cell
        i += 1
    for quad in doomed:
        store.remove(quad)


def _remove_log(store: ox.Store) -> None:
    """The import runs and the records' links to them (the log is read again whole: it is small)."""
    doomed = list(store.quads_for_pattern(None, IMPORTED_IN, None))
    runs = {q.object for q in doomed}
    runs |= {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(PREFIXES["rdf"] + "type"),
                                                        ox.NamedNode(str(HS.ImportRun)))}
    for run in runs:
        if isinstance(run, ox.NamedNode) and run.value.startswith(str(IMPORT)):
            doomed += list(store.quads_for_pattern(run, None, None))
    for quad in doomed:
        store.remove(quad)


def _new_people(store: ox.Store, added: list[BibRecord]) -> list[str]:
    """Person nodes for the new entries' people: new ones, and those the new entries spell more fully (the full
    build keeps the first fullest spelling in file order; the new entries come after every old one)."""
    out = []
    for pid, name in sorted(people(added).items()):
        node = ox.NamedNode(f"{PERSON}{pid}")
        existing = list(store.quads_for_pattern(node, None, None))
        if existing:
            given = next((q.object.value for q in existing
                          if q.predicate == FOAF_GIVEN_NODE and isinstance(q.object, ox.Literal)), "")
            if len(name.given) <= len(given):
                continue
            for quad in existing:
                store.remove(quad)
        out.append(person_ntriples(pid, name))
    return out


def _new_journals(store: ox.Store, added: list[BibRecord]) -> list[str]:
    """Journal nodes the store lacks (an existing one keeps the titles its first entry gave it)."""
    return [journal_ntriples(jid, title, short) for jid, (title, short) in sorted(journals(added).items())
            if next(store.quads_for_pattern(ox.NamedNode(f"{JOURNAL}{jid}"), None, None), None) is None]


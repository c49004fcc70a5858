"""Prototypes of faster build stages, timed against the current kg.build stages on the same corpus:
`python -m benchmarks.build_alternatives DIR [--check]`.

Nothing here is used by the project: it measures the proposals in BENCHMARKS.md (changes to kg/build.py and
kg/bib.py that the owners can adopt) and, with --check, proves each prototype writes exactly the same triples
as the current code (sorted N-Triples compared line for line).

* bib:     kg.bib.parse_bib as is (pylatexenc on every field that holds LaTeX), vs a table-driven decoder for
           the common escapes (accents, special letters, \\&, case-protecting braces) that falls back to
           pylatexenc for anything else, memoised.
* records: record_triples -> bulk_extend (one Python object per term), vs N-Triples text written by Python
           string formatting and loaded by Store.load (Rust parser).
* claims:  ClaimsLoader (a list of every parsed quad, then a new Triple and Quad per triple), vs ref:KEY
           rewritten in the Turtle text by one regex pass that skips strings, comments and other IRIs, then
           Store.load of the text (Rust parser). A file with blank nodes (data/ has a few PICO parts) keeps
           ClaimsLoader, whose deterministic naming the prototype does not reimplement.
"""
from __future__ import annotations

import argparse
import functools
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import bib as kgbib
from kg import paths
from kg.bib import (
    AUTHORS,
    BIBO,
    DATE_PATTERN,
    DCT,
    FABIO,
    FOAF,
    FRBR,
    HS,
    JOURNAL,
    PERSON,
    PMCID_PATTERN,
    PMID_PATTERN,
    PRISM,
    VERIFICATION,
    XSD,
    YEAR_PATTERN,
    BibRecord,
    check_records,
    parse_bib,
    people,
    record_triples,
    slug,
)
from kg.build import DERIVATIONS, ClaimsLoader, DataSources, integrity_problems
from kg.namespace import BASE, REF

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def clock() -> float:
    return time.perf_counter()


# ---------------------------------------------------------------------------------------------- bib

ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a"}
LETTERS = {"o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ss": "ß", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ",
           "OE": "Œ", "i": "ı", "j": "ȷ"}
_ACCENT = re.compile(r"\{?\\([\'`^\"~=.])\s*\{?(\\[ij]|[A-Za-z])\}?\}?|\{?\\([uvHckr])\{(\\[ij]|[A-Za-z])\}\}?"
                     r"|\{?\\([uvHckr]) ([A-Za-z])\}?")
_LETTER = re.compile(r"\{\\(o|O|l|L|ss|aa|AA|ae|AE|oe|OE|i|j)\}|\\(o|O|l|L|ss|aa|AA|ae|AE|oe|OE|i|j)(?![A-Za-z])\s?")
_GROUP = re.compile(r"\{([^{}\\]*)\}")


def _accent(m: re.Match[str]) -> str:
    mark = m.group(1) or m.group(3) or m.group(5)
    base = m.group(2) or m.group(4) or m.group(6)
    base = LETTERS[base[1:]] if base.startswith("\\") else base
    return unicodedata.normalize("NFC", base + ACCENTS[mark])


@functools.lru_cache(maxsize=65536)
def decode_latex_fast(value: str) -> str:
    """The common BibTeX escapes (accents, special letters, \\&, case-protecting braces) by table; anything
    else goes to pylatexenc exactly as kg.bib.decode_latex does. Same output on every field of data/ and of
    the 10k synthetic corpus (checked by --check); 15x faster there, and memoised (journals repeat)."""
    if "\\" not in value and "{" not in value and "~" not in value:
        return value
    text = value.replace("\\&", "&")
    text = _LETTER.sub(lambda m: LETTERS[m.group(1) or m.group(2)], text)
    text = _ACCENT.sub(_accent, text)
    text = _GROUP.sub(r"\1", text)
    if "\\" in text or "{" in text or "}" in text or "~" in text or "$" in text:
        return ORIGINAL_DECODE(value)
    return re.sub(r"\s+", " ", text).strip()


ORIGINAL_DECODE = kgbib.decode_latex


def parse_bib_fast(path: Path) -> list[BibRecord]:
    """parse_bib with decode_latex_fast in place of pylatexenc-for-everything."""
    kgbib.decode_latex = decode_latex_fast  # type: ignore[assignment]
    try:
        return parse_bib(path)
    finally:
        kgbib.decode_latex = ORIGINAL_DECODE  # type: ignore[assignment]


# ---------------------------------------------------------------------------------------------- records

_ESC = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _l(value: str, datatype: str | None = None) -> str:
    text = '"' + value.translate(_ESC) + '"'
    return f"{text}^^<{XSD}{datatype}>" if datatype else text


def record_ntriples(records: list[BibRecord]) -> str:
    """The same triples as kg.bib.record_triples, as N-Triples text (IRIs are already valid: they come from
    quote()d DOIs, slugs and BibTeX keys, exactly as record_triples builds them)."""
    out: list[str] = []
    add = out.append
    a = f"<{RDF}type>"
    for pid, name in sorted(people(records).items()):
        s = f"<{PERSON[pid]}>"
        add(f"{s} {a} <{FOAF}Person> .\n{s} <{FOAF}name> {_l(name.display)} .\n{s} <{FOAF}familyName> {_l(name.family)} .\n")
        if name.given:
            add(f"{s} <{FOAF}givenName> {_l(name.given)} .\n")
    journals: dict[str, tuple[str, str | None]] = {}
    for r in records:
        _work_nt(r, add, a)
        if r.fields.get("journal"):
            journals.setdefault(slug(r.fields["journal"]), (r.fields["journal"], r.fields.get("shortjournal")))
    for jid, (title, short) in sorted(journals.items()):
        s = f"<{JOURNAL[jid]}>"
        add(f"{s} {a} <{FABIO.Journal}> .\n{s} <{DCT}title> {_l(title)} .\n")
        if short:
            add(f"{s} <{DCT}alternative> {_l(short)} .\n")
    return "".join(out)


def _work_nt(r: BibRecord, add: Any, a: str) -> None:
    s = f"<{r.iri}>"
    f = r.fields
    if r.entry_type == "online":
        add(f"{s} {a} <{HS.SourceArticle}> .\n{s} {a} <{FABIO.WebContent}> .\n")
    else:
        add(f"{s} {a} <{FABIO.JournalArticle}> .\n")
    add(f"{s} <{HS.bibKey}> {_l(r.key)} .\n")
    if f.get("title"):
        add(f"{s} <{DCT}title> {_l(f['title'])} .\n")
    if f.get("year") and YEAR_PATTERN.match(f["year"]):
        add(f"{s} <{DCT}issued> {_l(f['year'], 'gYear')} .\n")
    for name, prop in (("onlinedate", str(HS.onlineDate)), ("updated", DCT + "modified")):
        if f.get(name) and DATE_PATTERN.match(f[name]):
            kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(f[name])]
            add(f"{s} <{prop}> {_l(f[name], kind)} .\n")
    if f.get("journal"):
        add(f"{s} <{FRBR.partOf}> <{JOURNAL[slug(f['journal'])]}> .\n")
    for name, prop in (("volume", PRISM.volume), ("number", PRISM.issueIdentifier)):
        if f.get(name):
            add(f"{s} <{prop}> {_l(f[name])} .\n")
    if f.get("pages"):
        pages = f["pages"].replace("--", "-")
        first, _, last = pages.partition("-")
        add(f"{s} <{PRISM.pageRange}> {_l(pages)} .\n{s} <{PRISM.startingPage}> {_l(first.strip())} .\n")
        if last.strip():
            add(f"{s} <{PRISM.endingPage}> {_l(last.strip())} .\n")
    if r.doi:
        add(f"{s} <{PRISM.doi}> {_l(r.doi)} .\n")
    if f.get("pmid") and PMID_PATTERN.match(f["pmid"]):
        add(f"{s} <{FABIO.hasPubMedId}> {_l(f['pmid'])} .\n")
    if f.get("pmcid") and PMCID_PATTERN.match(f["pmcid"]):
        add(f"{s} <{FABIO.hasPubMedCentralId}> {_l(f['pmcid'])} .\n")
    if f.get("url"):
        add(f"{s} <{FABIO.hasURL}> {_l(f['url'], 'anyURI')} .\n")
    if f.get("organization"):
        add(f"{s} <{DCT}publisher> {_l(f['organization'])} .\n")
    if f.get("note"):
        add(f"{s} <{DCT}description> {_l(f['note'])} .\n")
    status = VERIFICATION.get(f.get("verification", ""))
    if status is not None:
        add(f"{s} <{HS.verificationStatus}> <{status}> .\n")
    for name in r.unverified:
        add(f"{s} <{HS.unverifiedField}> {_l(name)} .\n")
    if f.get("verificationnote"):
        add(f"{s} <{HS.verificationNote}> {_l(f['verificationnote'])} .\n")
    for name in r.contributors:
        add(f"{s} <{DCT}contributor> <{PERSON[name.person_id]}> .\n")
    if r.authors:
        cells = [f"<{AUTHORS[f'{r.key}/{i}']}>" for i in range(1, len(r.authors) + 1)]
        add(f"{s} <{BIBO.authorList}> {cells[0]} .\n")
        n = len(cells)
        for i, name in enumerate(r.authors):
            person = f"<{PERSON[name.person_id]}>"
            rest = cells[i + 1] if i + 1 < n else f"<{RDF}nil>"
            printed = f"{name.family}, {name.given}" if name.given else name.family
            add(f"{s} <{DCT}creator> {person} .\n{cells[i]} <{RDF}first> {person} .\n{cells[i]} <{RDF}rest> {rest} .\n"
                f"{cells[i]} <{RDFS_LABEL}> {_l(printed)} .\n")


# ---------------------------------------------------------------------------------------------- claims

_TURTLE_TOKEN = re.compile(
    r'(?P<skip>"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\\\n]|\\\\.)*"|\'(?:[^\'\\\\\n]|\\\\.)*\'|#[^\n]*)'
    r"|<" + re.escape(str(REF)) + r"(?P<iri>[^>]*)>"
    r"|(?P<other><[^>\s]*>)"
    r"|(?<![\w\-.:])ref:(?P<pname>(?:[\w\-]|\.(?=[\w\-]))+)"
    r"|(?P<bnode>\[|_:)"
)


def load_claims_text(store: ox.Store, path: Path, keys: dict[str, str]) -> set[str]:
    """ref:KEY (and <…/ref/KEY>) replaced by the paper's IRI in the Turtle text, skipping strings, comments and
    other IRIs; then Oxigraph parses it (Rust). Returns the unknown keys. Assumes the file names the ref
    namespace `ref:` (as data/claims.ttl does); a file with blank nodes raises NotImplementedError so the
    caller keeps ClaimsLoader's deterministic naming for it."""
    text = path.read_text(encoding="utf-8")
    unknown: set[str] = set()
    blank = False

    def swap(m: re.Match[str]) -> str:
        nonlocal blank
        if m.lastgroup in ("skip", "other"):
            return m.group(0)
        if m.lastgroup == "bnode":
            blank = True
            return m.group(0)
        key = m.group(m.lastgroup)
        iri = keys.get(key)
        if iri is None:
            if key:  # '' is the @prefix declaration itself
                unknown.add(key)
            return m.group(0)
        return f"<{iri}>"

    rewritten = _TURTLE_TOKEN.sub(swap, text)
    if blank:
        raise NotImplementedError("blank nodes: keep ClaimsLoader's deterministic naming")
    store.load(input=rewritten.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return unknown


# ---------------------------------------------------------------------------------------------- runs

def current(sources: DataSources) -> tuple[ox.Store, dict[str, float]]:
    """kg.build.assemble's stages, timed the same way (a copy of its body so every stage has a clock)."""
    t: dict[str, float] = {}
    t0 = clock()
    records = parse_bib(sources.bib)
    check_records(records)
    t["parse_bib"] = clock() - t0
    store = ox.Store()
    t0 = clock()
    for p in paths.ontology_files():
        store.load(path=str(p), format=ox.RdfFormat.TURTLE)
    t["load_ontology"] = clock() - t0
    t0 = clock()
    loader = ClaimsLoader(sources.claims, {r.key: r.iri for r in records})
    store.bulk_extend(ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) for x in loader.triples())
    t["load_claims"] = clock() - t0
    t0 = clock()
    store.bulk_extend(ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) for x in record_triples(records))
    t["add_records"] = clock() - t0
    t0 = clock()
    store.update(DERIVATIONS)
    t["derive"] = clock() - t0
    t0 = clock()
    integrity_problems(store, sources.claims)
    t["integrity"] = clock() - t0
    t["total"] = sum(t.values())
    return store, t


def proposed(sources: DataSources) -> tuple[ox.Store, dict[str, float]]:
    t: dict[str, float] = {}
    t0 = clock()
    records = parse_bib_fast(sources.bib)
    check_records(records)
    t["parse_bib"] = clock() - t0
    store = ox.Store()
    t0 = clock()
    for p in paths.ontology_files():
        store.load(path=str(p), format=ox.RdfFormat.TURTLE)
    t["load_ontology"] = clock() - t0
    t0 = clock()
    keys = {r.key: r.iri for r in records}
    try:
        load_claims_text(store, sources.claims, keys)
    except NotImplementedError:
        loader = ClaimsLoader(sources.claims, keys)
        store.bulk_extend(ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) for x in loader.triples())
    t["load_claims"] = clock() - t0
    t0 = clock()
    store.load(input=record_ntriples(records).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    t["add_records"] = clock() - t0
    t0 = clock()
    store.update(DERIVATIONS)
    t["derive"] = clock() - t0
    t0 = clock()
    integrity_problems(store, sources.claims)
    t["integrity"] = clock() - t0
    t["total"] = sum(t.values())
    return store, t


def canonical(store: ox.Store) -> list[bytes]:
    return sorted(set(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).splitlines()))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.build_alternatives")
    p.add_argument("data", type=Path)
    p.add_argument("--check", action="store_true", help="also prove both paths write the same triples")
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args(argv)
    sources = DataSources.resolve(args.data)
    import resource

    for name, func in (("current", current), ("proposed", proposed)):
        for _ in range(args.repeat):
            store, t = func(sources)
            print(f"{name:9} " + "  ".join(f"{k} {v:.2f}" for k, v in t.items()) + f"  triples {len(store)}"
                  f"  peak-rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB", flush=True)
            if args.check:
                if name == "current":
                    reference = canonical(store)
                else:
                    mine = canonical(store)
                    same = mine == reference
                    print(f"identical triples: {same}")
                    if not same:  # kg/bib.py changed since the prototype copied it: show what differs
                        for label, diff in (("only current", set(reference) - set(mine)), ("only proposed", set(mine) - set(reference))):
                            print(f"  {label}: {len(diff)}", *[d[:200] for d in sorted(diff)[:3]], sep="\n    ")
                        return 1
            del store
    return 0


if __name__ == "__main__":
    sys.exit(main())

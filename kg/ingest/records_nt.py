"""BibTeX records as N-Triples: works, journals, people, author lists and verification marks.

The records become N-Triples text that Oxigraph's parser loads: one Python object per term would cost more
than the parse itself on a large corpus. A person is a foaf:Person with foaf:name (first name first),
foaf:familyName (with its von part) and foaf:givenName; a suffix such as 'Jr.' is part of foaf:name and of
the person id. Each author-list cell keeps the name as its entry printed it ('Smith, Jr., John').
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from kg.ingest.bibtex import (
    DATE_PATTERN,
    ENTRY_CLASSES,
    ISO_DATE,
    PMCID_PATTERN,
    PMID_PATTERN,
    VERIFICATION,
    YEAR_PATTERN,
    BibRecord,
    Name,
    key_segment,
    people,
    slug,
)
from kg.ingest.mesh import descriptor_iri, split_headings, split_keywords
from kg.model.namespace import AUTHORS, BIBO, FABIO, FRBR, HS, JOURNAL, PERSON, PRISM

XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
A = f"<{RDF}type>"
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_P = str(PERSON)
_J = str(JOURNAL)
_L = str(AUTHORS)
# Predicates as ready-made N-Triples terms (the hot loop below formats ~30 triples per paper).
T_NAME, T_FAMILY, T_GIVEN, T_PERSON = f"<{FOAF}name>", f"<{FOAF}familyName>", f"<{FOAF}givenName>", f"<{FOAF}Person>"
T_TITLE, T_ALT, T_ISSUED, T_MODIFIED = f"<{DCT}title>", f"<{DCT}alternative>", f"<{DCT}issued>", f"<{DCT}modified>"
T_CREATOR, T_CONTRIBUTOR, T_PUBLISHER, T_DESCRIPTION = (f"<{DCT}creator>", f"<{DCT}contributor>", f"<{DCT}publisher>",
                                                        f"<{DCT}description>")
T_FIRST, T_REST, T_NIL, T_LABEL = f"<{RDF}first>", f"<{RDF}rest>", f"<{RDF}nil>", "<http://www.w3.org/2000/01/rdf-schema#label>"
T_PART_OF, T_AUTHOR_LIST = f"<{FRBR.partOf}>", f"<{BIBO.authorList}>"
T_JOURNAL, T_ARTICLE, T_WEB = f"<{FABIO.Journal}>", f"<{FABIO.JournalArticle}>", f"<{FABIO.WebContent}>"
T_CLASSES = {entry_type: f"<{cls}>" for entry_type, cls in ENTRY_CLASSES.items()}
T_SOURCE, T_BIBKEY, T_ONLINE = f"<{HS.SourceArticle}>", f"<{HS.bibKey}>", f"<{HS.onlineDate}>"
T_STATUS, T_UNVERIFIED, T_NOTE = f"<{HS.verificationStatus}>", f"<{HS.unverifiedField}>", f"<{HS.verificationNote}>"
T_VOLUME, T_ISSUE, T_RANGE = f"<{PRISM.volume}>", f"<{PRISM.issueIdentifier}>", f"<{PRISM.pageRange}>"
T_START, T_END, T_DOI = f"<{PRISM.startingPage}>", f"<{PRISM.endingPage}>", f"<{PRISM.doi}>"
T_PUBLICATION = f"<{PRISM.publicationName}>"
T_PMID, T_PMCID, T_URL = f"<{FABIO.hasPubMedId}>", f"<{FABIO.hasPubMedCentralId}>", f"<{FABIO.hasURL}>"
DATE_KINDS = {4: "gYear", 7: "gYearMonth", 10: "date"}
T_ABSTRACT, T_SUBJECT, T_LANGUAGE = f"<{DCT}abstract>", f"<{DCT}subject>", f"<{DCT}language>"
T_MESH, T_ISSN = f"<{HS.meshHeading}>", f"<{HS.issn}>"
T_SCREENING, T_REASON = f"<{HS.screeningStatus}>", f"<{HS.screeningReason}>"
T_IMPORT_SOURCE, T_IMPORT_FORMAT, T_IMPORT_DATE = f"<{HS.importSource}>", f"<{HS.importFormat}>", f"<{HS.importDate}>"
T_DUPLICATE_MATCH = f"<{HS.duplicateMatch}>"
SCREENING_STATUS = {"to screen": f"<{HS.ToScreen}>", "included": f"<{HS.Included}>", "excluded": f"<{HS.Excluded}>"}
# Links to other entries, by key: the build turns them into the other paper's IRI (kg.ingest.build).
DUPLICATE_LINKS = {"possible-duplicate-of": HS.possibleDuplicateOf, "duplicate-of": HS.duplicateOf}


def _lit(value: str, datatype: str | None = None) -> str:
    """An N-Triples literal: quotes, backslashes and line breaks escaped."""
    text = '"' + value.translate(_NT_ESCAPES) + '"'
    return f"{text}^^<{XSD}{datatype}>" if datatype else text


nt_literal = _lit  # for the other build stages that write N-Triples (kg.ingest.appraise)


def record_ntriples(records: list[BibRecord], iris: Mapping[str, str] | None = None) -> str:
    """The RDF of the bibliographic records as N-Triples text (see write_record_ntriples)."""
    out: list[str] = []
    write_record_ntriples(records, out.append, iris)
    return "".join(out)


def write_record_ntriples(records: list[BibRecord], add: Callable[[str], object],
                          iris: Mapping[str, str] | None = None) -> None:
    """The RDF of the bibliographic records as N-Triples, in pieces to `add` (a list's append or a file's
    write): works, journals, people, author lists and verification marks. Every IRI is built from a slug,
    a quoted DOI or a key segment, so it is valid. `iris` (key -> paper IRI, by default the records' own)
    resolves the duplicate links between entries."""
    iris = iris if iris is not None else {r.key: r.iri for r in records}
    for pid, name in sorted(people(records).items()):
        add(person_ntriples(pid, name))
    for r in records:
        _work_ntriples(r, add, iris)
    for jid, (title, short) in sorted(journals(records).items()):
        add(journal_ntriples(jid, title, short))


def write_work_ntriples(records: list[BibRecord], add: Callable[[str], object], iris: Mapping[str, str]) -> None:
    """Only the works' own triples (and their author-list cells), without the people and journals they share
    with other records: what an incremental store update replaces per entry (kg.store.incremental)."""
    for r in records:
        _work_ntriples(r, add, iris)


def person_ntriples(pid: str, name: Name) -> str:
    """A person node: foaf:Person with its name, family name and given names."""
    s = f"<{_P}{pid}>"
    text = f"{s} {A} {T_PERSON} .\n{s} {T_NAME} {_lit(name.display)} .\n{s} {T_FAMILY} {_lit(name.family)} .\n"
    return text + (f"{s} {T_GIVEN} {_lit(name.given)} .\n" if name.given else "")


def journals(records: list[BibRecord]) -> dict[str, tuple[str, str | None]]:
    """Journal slug -> (title, short title) as the first record naming it gives them."""
    found: dict[str, tuple[str, str | None]] = {}
    for r in records:
        if r.fields.get("journal"):
            found.setdefault(slug(r.fields["journal"]), (r.fields["journal"], r.fields.get("shortjournal")))
    return found


def journal_ntriples(jid: str, title: str, short: str | None) -> str:
    s = f"<{_J}{jid}>"
    return f"{s} {A} {T_JOURNAL} .\n{s} {T_TITLE} {_lit(title)} .\n" + (f"{s} {T_ALT} {_lit(short)} .\n" if short else "")


def _work_ntriples(r: BibRecord, add: Callable[[str], object], iris: Mapping[str, str]) -> None:
    s = f"<{r.iri}>"
    f = r.fields
    if r.entry_type == "online":
        add(f"{s} {A} {T_SOURCE} .\n{s} {A} {T_WEB} .\n")
    else:
        add(f"{s} {A} {T_CLASSES.get(r.entry_type, T_ARTICLE)} .\n")
    add(f"{s} {T_BIBKEY} {_lit(r.key)} .\n")
    if f.get("title"):
        add(f"{s} {T_TITLE} {_lit(f['title'])} .\n")
    if f.get("year") and YEAR_PATTERN.match(f["year"]):
        add(f"{s} {T_ISSUED} {_lit(f['year'], 'gYear')} .\n")
    for field_name, prop in (("onlinedate", T_ONLINE), ("updated", T_MODIFIED)):
        if f.get(field_name) and DATE_PATTERN.match(f[field_name]):
            add(f"{s} {prop} {_lit(f[field_name], DATE_KINDS[len(f[field_name])])} .\n")
    if f.get("journal"):
        add(f"{s} {T_PART_OF} <{_J}{slug(f['journal'])}> .\n")
    if f.get("booktitle"):  # the book or proceedings a chapter or paper is in, as its title (no node of its own)
        add(f"{s} {T_PUBLICATION} {_lit(f['booktitle'])} .\n")
    for field_name, prop in (("volume", T_VOLUME), ("number", T_ISSUE)):
        if f.get(field_name):
            add(f"{s} {prop} {_lit(f[field_name])} .\n")
    if f.get("pages"):
        pages = f["pages"].replace("--", "-")
        first, _, last = pages.partition("-")
        add(f"{s} {T_RANGE} {_lit(pages)} .\n{s} {T_START} {_lit(first.strip())} .\n")
        if last.strip():
            add(f"{s} {T_END} {_lit(last.strip())} .\n")
    if r.doi:
        add(f"{s} {T_DOI} {_lit(r.doi)} .\n")
    if f.get("pmid") and PMID_PATTERN.match(f["pmid"]):
        add(f"{s} {T_PMID} {_lit(f['pmid'])} .\n")
    if f.get("pmcid") and PMCID_PATTERN.match(f["pmcid"]):
        add(f"{s} {T_PMCID} {_lit(f['pmcid'])} .\n")
    if f.get("url"):
        add(f"{s} {T_URL} {_lit(f['url'], 'anyURI')} .\n")
    if f.get("organization"):
        add(f"{s} {T_PUBLISHER} {_lit(f['organization'])} .\n")
    if f.get("note"):
        add(f"{s} {T_DESCRIPTION} {_lit(f['note'])} .\n")
    # No verification field: unverified (a record from an import is unverified until someone checks it).
    status = VERIFICATION.get(f.get("verification", "unverified"))
    if status is not None:
        add(f"{s} {T_STATUS} <{status}> .\n")
    if r.entry_type != "online":
        _review_ntriples(r, s, add, iris)
    for field_name in r.unverified:
        add(f"{s} {T_UNVERIFIED} {_lit(field_name)} .\n")
    if f.get("verificationnote"):
        add(f"{s} {T_NOTE} {_lit(f['verificationnote'])} .\n")
    for contributor in r.contributors:
        add(f"{s} {T_CONTRIBUTOR} <{_P}{contributor.person_id}> .\n")
    if r.authors:
        base = f"{_L}{key_segment(r.key)}/"
        n = len(r.authors)
        add(f"{s} {T_AUTHOR_LIST} <{base}1> .\n")
        for i, name in enumerate(r.authors, 1):
            cell = f"<{base}{i}>"
            person = f"<{_P}{name.person_id}>"
            rest = f"<{base}{i + 1}>" if i < n else T_NIL  # rdf:nil ends the list
            # The name as printed in this entry: one person node keeps the fullest spelling, the cell keeps
            # this paper's, so the BibTeX export gives back exactly what was imported.
            add(f"{s} {T_CREATOR} {person} .\n{cell} {T_FIRST} {person} .\n{cell} {T_REST} {rest} .\n"
                f"{cell} {T_LABEL} {_lit(name.printed)} .\n")


def _review_ntriples(r: BibRecord, s: str, add: Callable[[str], object], iris: Mapping[str, str]) -> None:
    """What an export carries (abstract, keywords, MeSH, language, ISSN), the screening status and reason, and
    the import provenance. A record without `screening` gets its default later, from the claims (build)."""
    f = r.fields
    if f.get("abstract"):
        add(f"{s} {T_ABSTRACT} {_lit(f['abstract'])} .\n")
    for keyword in split_keywords(f.get("keywords", ""), imported="import-format" in f):
        add(f"{s} {T_SUBJECT} {_lit(keyword)} .\n")
    for heading in split_headings(f.get("mesh", "")):
        descriptor = descriptor_iri(heading)
        add(f"{s} {T_MESH} {_lit(heading)} .\n{s} {T_SUBJECT} " + (f"<{descriptor}>" if descriptor else _lit(heading))
            + " .\n")
    if f.get("language"):
        add(f"{s} {T_LANGUAGE} {_lit(f['language'])} .\n")
    if f.get("issn"):
        add(f"{s} {T_ISSN} {_lit(f['issn'])} .\n")
    status = SCREENING_STATUS.get(f.get("screening", ""))
    if status is not None:
        add(f"{s} {T_SCREENING} {status} .\n")
    if f.get("screening-reason"):
        add(f"{s} {T_REASON} {_lit(f['screening-reason'])} .\n")
    for field_name, prop in (("import-source", T_IMPORT_SOURCE), ("import-format", T_IMPORT_FORMAT)):
        if f.get(field_name):
            add(f"{s} {prop} {_lit(f[field_name])} .\n")
    if f.get("import-date") and ISO_DATE.match(f["import-date"]):
        add(f"{s} {T_IMPORT_DATE} {_lit(f['import-date'], 'date')} .\n")
    for field_name, link in DUPLICATE_LINKS.items():
        other = iris.get(f.get(field_name, ""))
        if other is not None:  # an unknown key is a warning (check_records), not a dangling link
            add(f"{s} <{link}> <{other}> .\n")
    if f.get("duplicate-match"):
        add(f"{s} {T_DUPLICATE_MATCH} {_lit(f['duplicate-match'])} .\n")

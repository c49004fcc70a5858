"""Imported records as BibTeX entries, in the layout of data/references.bib.

Text fields are written as plain UTF-8 when BibTeX reads them back as the same text, and LaTeX-encoded
(kg.ingest.bibtex_text.latex) when they hold a backslash, brace or tilde; names go through the same name
writer as `kg export`, so a corporate author stays one name.
"""
from __future__ import annotations

from bibtexparser.model import Block, Entry, Field

from kg.ingest.bibtex import Name
from kg.ingest.bibtex_text import bibtex_name, latex, write_blocks
from kg.ingest.importers.record import Record

# Written in this order; `extra` fields (the export's own, unmapped) go before the project's fields, sorted.
ORDER = ("author", "title", "journal", "shortjournal", "year", "month", "volume", "number", "pages", "doi", "pmid",
         "pmcid", "issn", "url", "language", "keywords", "mesh", "abstract")
PROJECT = ("verification", "screening", "possible-duplicate-of", "duplicate-match", "import-source", "import-format",
           "import-date")
VALUE_COLUMN = len("possible-duplicate-of") + len(" = ")


def text_value(value: str) -> str:
    """`value` as a BibTeX field's content that reads back as the same text."""
    if not any(ch in value for ch in "\\{}~"):
        return value
    return latex(value)


def name_value(names: list[Name]) -> str | None:
    """A name list as BibTeX: each name as printed ('Gómez-Hoyos, J.'), in plain UTF-8 when BibTeX splits it back into
    the same name, else through the exporter's name writer (braces for '{Barnes and Noble}', LaTeX for specials)."""
    parts = []
    for name in names:
        printed = name.printed
        parts_text = (name.family, name.given, name.suffix)
        # BibTeX reads 'Family, Given' back as the same name unless a part holds a comma, a brace or a word 'and', or
        # a one-part name has spaces (then 'GBD 2019 Collaborators' would be read as given names and a family name)
        plain = (not any(ch in printed for ch in "\\{}~") and not any("," in p for p in parts_text)
                 and " and " not in f" {printed.lower()} " and (bool(name.given) or " " not in name.family))
        parts.append(printed if plain else bibtex_name(name.family, name.given or None, printed))
    return " and ".join(parts) or None


def fields_of(record: Record, project: dict[str, str]) -> dict[str, str]:
    """The entry's fields, in writing order: the record's own, its export's extras, then the project's."""
    values: dict[str, str | None] = {
        "author": name_value(record.authors),
        "title": record.title, "journal": record.journal, "shortjournal": record.shortjournal, "year": record.year,
        "month": record.month, "volume": record.volume, "number": record.number, "pages": record.pages,
        "doi": record.doi, "pmid": record.pmid, "pmcid": record.pmcid, "issn": record.issn, "url": record.url,
        "language": record.language, "keywords": "; ".join(record.keywords) or None,
        "mesh": "; ".join(record.mesh) or None, "abstract": record.abstract,
    }
    fields = {name: value if name == "author" else text_value(value) for name, value in values.items() if value}
    for name in sorted(record.extra):
        if name not in fields and name not in PROJECT and record.extra[name]:
            fields[name] = text_value(record.extra[name])
    fields.update({name: text_value(project[name]) for name in PROJECT if project.get(name)})
    return fields


def entry(record: Record, key: str, project: dict[str, str]) -> Entry:
    return Entry(record.entry_type, key, [Field(name, value) for name, value in fields_of(record, project).items()])


def entries_text(entries: list[Entry]) -> str:
    """The entries as BibTeX, one blank line between them, ending in a newline ('' for none)."""
    return write_blocks(list[Block](entries), VALUE_COLUMN) if entries else ""

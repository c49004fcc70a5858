"""Where a source article's account of the studies it cites departs from their records, and which record fields
only its citation vouches for.

`fidelity_items` is a pure function of the discrepancy and unverified-field rows; `fidelity_report` reads them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from kg.analysis.evidence.model import DiscrepancyRow, FidelityItem, UnverifiedFieldRow
from kg.analysis.evidence.read import discrepancies, source_articles, unverified_fields
from kg.model.vocab import KIND_NAMES, VERIFICATION_NAMES

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

# BibTeX fields in the order a citation reads them; others follow alphabetically.
UNVERIFIED_FIELD_ORDER = ["author", "title", "journal", "year", "volume", "number", "pages", "doi"]
# Within an article's reference: the most serious departure first.
KIND_ORDER = {"misreport": 0, "stale citation": 1, "characterisation gap": 2, "unverified fields": 3}


def fidelity_report(kg: KnowledgeGraph, source: str | None = None) -> list[FidelityItem]:
    """Where a source article's account departs from the studies' records (misreports, stale citations,
    characterisation gaps), then, for each study it cites, the record's fields that only its citation vouches for.

    `source` limits the report to one article: its BibTeX key, `work:key` or IRI. An unknown source raises
    LookupError naming the known ones."""
    iri = None if source is None else source_iri(source, source_articles(kg))
    return fidelity_items(discrepancies(kg, iri), unverified_fields(kg, iri))


def source_iri(source: str, sources: Mapping[str, str]) -> str:
    """The IRI of the source article named by its key, `work:key` or IRI, among `sources` (key -> IRI)."""
    wanted = source.strip().removeprefix("work:").rsplit("/", 1)[-1]
    if wanted not in sources:
        raise LookupError(f"unknown source article '{source}'; known: {', '.join(sorted(sources))}")
    return sources[wanted]


def fidelity_items(found: Iterable[DiscrepancyRow], unverified: Iterable[UnverifiedFieldRow]) -> list[FidelityItem]:
    """One item per discrepancy and one per (source article, cited study) with unverified fields, ordered by
    article, reference number, then the most serious kind first."""
    items = [FidelityItem(
        kind=KIND_NAMES.get(d.kind, d.kind.rsplit("#", 1)[-1]), source=d.source_key or d.source,
        study=d.study_key or "", reference=d.reference, aspect=d.aspect or "", article_says=d.article_says or "",
        record_says=d.record_says or "", checked_against=d.checked_against or "", iri=d.iri) for d in found]
    # One item per article and study: the first row gives the citation, the fields are gathered from all.
    first: dict[tuple[str, str], UnverifiedFieldRow] = {}
    fields: dict[tuple[str, str], set[str]] = {}
    for u in unverified:
        group = (u.source, u.study_key or "")
        first.setdefault(group, u)
        fields.setdefault(group, set()).add(u.field)
    for (src, study), u in first.items():
        ordered = sorted(fields[(src, study)], key=lambda f: (UNVERIFIED_FIELD_ORDER.index(f)
                                                              if f in UNVERIFIED_FIELD_ORDER else 99, f))
        status = VERIFICATION_NAMES.get(u.status, "not recorded") if u.status else "not recorded"
        items.append(FidelityItem(
            kind="unverified fields", source=u.source_key or src, study=study, reference=u.reference,
            aspect=f"unverified fields: {', '.join(ordered)}", article_says=u.cited_as or "",
            record_says=u.note or "", checked_against=f"the study's bibliographic record ({status})",
            fields=ordered))
    return sorted(items, key=lambda i: (i.source, i.reference if i.reference is not None else 10**6,
                                        KIND_ORDER.get(i.kind, 9), i.aspect, i.iri or ""))

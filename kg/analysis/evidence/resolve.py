"""Which claim a user means: a full IRI, `claim:slug` or the slug alone, with close matches when none fits."""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kg.analysis.evidence.read import claim_names, is_claim
from kg.model.vocab import CLAIM

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


class UnknownClaimError(LookupError):
    """A claim reference that matches no claim; carries the closest claim names."""

    def __init__(self, text: str, suggestions: list[str]):
        self.text = text
        self.suggestions = suggestions
        hint = f"; close matches: {', '.join(suggestions)}" if suggestions else "; no claim has a similar name"
        super().__init__(f"unknown claim '{text}'{hint}")


def resolve_claim(kg: KnowledgeGraph, text: str) -> str:
    """The IRI of the claim named by `text`: a full IRI, `claim:slug`, or the slug alone.

    Raises UnknownClaimError with the closest slugs (by spelling, and by words of the label)."""
    text = text.strip()
    candidates = [text.removeprefix("<").removesuffix(">"), CLAIM + text.removeprefix("claim:")]
    for iri in candidates:  # one bound look-up each: a large graph's claims are read only to suggest some
        if is_claim(kg, iri):
            return iri
    raise UnknownClaimError(text, suggestions(text, claim_names(kg)))


def suggestions(text: str, names: Mapping[str, str], limit: int = 5) -> list[str]:
    """Slugs containing what was typed, then slugs whose slug and label hold all its words; else near spellings.

    `names` maps claim IRIs to their labels; the answer is `claim:slug` names, at most `limit` of them."""
    slugs = {iri.removeprefix(CLAIM): iri for iri in names}
    typed = text.rsplit("/", 1)[-1].removeprefix("claim:").strip().lower()
    words = {w for w in typed.replace("-", " ").split() if len(w) > 2}
    contains = sorted((slug for slug in slugs if typed and typed in slug), key=len)
    by_words = sorted((slug for slug, iri in slugs.items()
                       if words and words <= set((slug + " " + names[iri].lower()).replace("-", " ").split())),
                      key=len)
    found = list(dict.fromkeys(contains + by_words))
    if not found:  # near spellings only when nothing matches literally: they are noisier
        found = difflib.get_close_matches(typed, list(slugs), n=limit, cutoff=0.6)
    found = found[:limit]
    return [f"claim:{slug}" for slug in found]

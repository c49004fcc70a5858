"""One generation run: draw the cast, then the papers one by one, hand each to the two writers, count.

The output is a pure function of (n_papers, seed) and the shipped concept vocabulary.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from kg.synth.bibtex import BibFile
from kg.synth.corpus import draw_cast
from kg.synth.paper import CONTRADICTING, SUPPORTING, Paper
from kg.synth.sample import PaperSampler
from kg.synth.turtle import ClaimsFile

FLUSH_EVERY = 2000  # papers between buffer flushes


@dataclass
class SynthStats:
    """What a run produced (also printed by the command line)."""

    papers: int = 0
    source_articles: int = 0
    persons: int = 0
    journals: int = 0
    generated_concepts: int = 0
    claims: int = 0
    unbacked_assertions: int = 0
    evidence_lines: int = 0
    supporting: int = 0
    contradicting: int = 0
    qualifying: int = 0
    contested_claims: int = 0
    results: int = 0
    characterisations: int = 0
    discrepancies: int = 0
    seconds: float = 0.0
    bib_bytes: int = 0
    claims_bytes: int = 0

    def count(self, paper: Paper) -> None:
        for line in paper.lines:
            self.evidence_lines += 1
            if line.stance == SUPPORTING:
                self.supporting += 1
            elif line.stance == CONTRADICTING:
                self.contradicting += 1
            else:
                self.qualifying += 1
        self.results += len(paper.results)
        if paper.citation is not None:
            self.characterisations += 1
            if paper.citation.discrepancy is not None:
                self.discrepancies += 1


def generate(n_papers: int, seed: int, out_dir: Path) -> SynthStats:
    """Write `references.bib` and `claims.ttl` for `n_papers` synthetic studies into `out_dir`.

    Deterministic: the same (n_papers, seed) and shipped vocabulary give byte-identical files.
    """
    if n_papers < 1:
        raise ValueError("n_papers must be at least 1")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    stats = SynthStats(papers=n_papers)
    bib = BibFile(out_dir, n_papers)
    ttl = ClaimsFile(out_dir, n_papers)
    try:
        cast = draw_cast(rng, n_papers)
        ttl.add_concepts(cast.vocabulary.generated)
        sampler = PaperSampler(rng, cast, n_papers)
        for i in range(n_papers):
            paper = sampler.paper(i)
            bib.add_paper(paper)
            ttl.add_paper(paper)
            stats.count(paper)
            if i % FLUSH_EVERY == FLUSH_EVERY - 1:
                bib.flush()
                ttl.flush()
        for ending in sampler.source_endings():
            bib.add_source(ending)
            ttl.add_source(ending)
            stats.unbacked_assertions += len(ending.assertions)
    finally:
        bib.close()
        ttl.close()
    stats.generated_concepts = len(cast.vocabulary.generated)
    stats.persons = len(cast.people.items)
    stats.journals = len(cast.journals.items)
    stats.source_articles = len(cast.sources)
    stats.claims = len(sampler.claims)
    stats.contested_claims = sum(1 for c in sampler.claims if c.has_support and c.has_contra)
    stats.claims_bytes = ttl.finish().stat().st_size
    stats.bib_bytes = bib.finish().stat().st_size
    stats.seconds = time.perf_counter() - started
    return stats


def parse_size(text: str) -> int:
    """'1000', '10k', '1.5k', '1m' -> int."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = 1_000 if t.endswith("k") else 1_000_000 if t.endswith("m") else 1
    return int(float(t.rstrip("km")) * mult)

"""Synthetic hip-spine corpus for benchmarks: `references.bib` + `claims.ttl` in exactly the project's model.

    kg synth --papers 10000 --seed 42 --out DIR      # then: kg validate --data DIR

What it writes (docs/MODEL.md; the same SHACL shapes and integrity checks pass):

* references.bib: one @article per paper (author lists from a shared, skewed-productivity author pool with
  Unicode names, some spelled with LaTeX escapes or as initials only; ~200 journals, some with `\\&`;
  years 1990-2025; volume/issue/pages; online-first dates; DOIs, PMIDs and PMCIDs only on verified records;
  `verification`, `unverified = {...}`, `verificationnote`), and a few @online source articles.
* claims.ttl, in the sections of data/claims.ttl: generated SKOS concepts that extend the shipped vocabulary
  (kg/model/ontology/concepts.ttl) to a realistic size, study-level facts (design, level of evidence, sample size),
  PICO frames with explicit part IRIs (pf:KEY/population ..., no blank nodes), claims, evidence lines with
  stances both ways (about a fifth of the claims end up contested), measured results (sensitivity, specificity,
  accuracy, odds ratios with CIs, event rates with p-values, regression coefficients, prevalences, mean scores),
  unbacked assertions, and characterisations of cited studies by the source articles with discrepancies
  (misreports, stale online-first citations, characterisation gaps).

DOIs use the prefix 10.5555, the example prefix of the DOI Handbook: they resolve to nothing and can never be
mistaken for a real work. PMIDs start at 90,000,000 (past any real PMID for years). Every name, title and
figure is invented.

The output is a pure function of (n_papers, seed) and the shipped concept vocabulary: the same arguments give
the same bytes. Files are streamed (each claims.ttl section goes to its own temporary file and the sections
are concatenated at the end), so 100k papers take well under a minute and little memory.

Modules: pools (the data drawn from), corpus (the cast drawn once: vocabulary, authors, journals, source
articles), paper and results (what a paper is), sample (drawing papers), bibtex and turtle (the writers),
generator (one run).
"""
from __future__ import annotations

from kg.synth.generator import SynthStats, generate, parse_size
from kg.synth.pools import DOI_PREFIX

__all__ = ["DOI_PREFIX", "SynthStats", "generate", "parse_size"]

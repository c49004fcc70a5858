"""references.bib for the synthetic corpus: one @article per paper, then the @online source articles.

Entries are streamed to a temporary file that replaces references.bib once the run is complete.
"""
from __future__ import annotations

import os
from pathlib import Path

from kg.model import paths
from kg.synth.corpus import Person
from kg.synth.paper import Paper, SourceEnding
from kg.synth.pools import DOI_PREFIX
from kg.synth.stream import BufferedFile


def entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    return f"@{kind}{{{key},\n" + ",\n".join(f"  {k:<16} = {{{v}}}" for k, v in fields) + "\n}\n\n"


def tex_initial(given_tex: str) -> str:
    """The LaTeX spelling of the first letter of a given name: '{\\L}ucja' -> '{\\L}', 'S{\\o}ren' -> 'S'."""
    if not given_tex.startswith("{"):
        return given_tex[0]
    depth = 0
    for pos, ch in enumerate(given_tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return given_tex[: pos + 1]
    raise ValueError(f"unbalanced braces in {given_tex!r}")


def person_name(person: Person, full: bool, latex: bool) -> str:
    """'Family, Given M.' (`full`) or 'Family, G. M.', in LaTeX spelling where the name has one and `latex`."""
    family = person.family_tex if latex and person.family_tex else person.family
    if full:
        given = person.given_tex if latex and person.given_tex else person.given
        given = f"{given} {person.middle}." if person.middle else given
    else:
        given = person.initials_given()
        if latex and person.given_tex and not person.given[0].isascii():
            given = tex_initial(person.given_tex) + given[1:]
    return f"{family}, {given}"


def article(paper: Paper) -> str:
    record = paper.record
    fields = [("author", " and ".join(person_name(p, record.full_names, record.latex) for p in paper.authors)),
              ("title", record.title), ("journal", record.journal.title)]
    if record.short_journal:
        fields.append(("shortjournal", record.journal.short))
    fields.append(("year", str(paper.year)))
    optional = (("volume", record.volume), ("number", record.number), ("pages", record.pages),
                ("onlinedate", record.online), ("doi", record.doi), ("pmid", record.pmid), ("pmcid", record.pmcid),
                ("verification", record.status), ("unverified", record.unverified), ("verificationnote", record.note))
    fields += [(name, value) for name, value in optional if value]
    return entry("article", paper.key, fields)


def online(ending: SourceEnding) -> str:
    """A source article as @online, with the number of studies it cites."""
    s = ending.source
    names = " and ".join(person_name(p, True, latex) for p, latex in zip(s.people, ending.latex, strict=True))
    return entry("online", s.key, [
        ("contributor" if s.as_contributor else "author", names), ("title", s.title), ("organization", s.org),
        ("year", str(s.year)), ("updated", s.updated), ("note", f"Patient-facing web article; cites {ending.cites} studies."),
        ("verification", "partly"),
        ("verificationnote", "Title, authors and update date from the article text; URL not recorded.")])


class BibFile:
    """references.bib, streamed to a temporary file in `out_dir` until `finish` moves it into place."""

    def __init__(self, out_dir: Path, n_papers: int):
        self.out_dir = out_dir
        self.file = BufferedFile(out_dir / ".synth-references.bib.tmp")
        self.file.add("% Synthetic corpus written by kg.synth (benchmarks only: every record is invented).\n"
                      f"% {n_papers} studies; DOIs use the DOI Handbook's example prefix {DOI_PREFIX}.\n\n")

    def add_paper(self, paper: Paper) -> None:
        self.file.add(article(paper))

    def add_source(self, ending: SourceEnding) -> None:
        self.file.add(online(ending))

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()

    def finish(self) -> Path:
        """Close the temporary file and move it to references.bib; return that path."""
        self.close()
        target = self.out_dir / paths.BIB_NAME
        os.replace(self.file.path, target)
        return target

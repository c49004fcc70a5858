"""Entry types a reference manager exports (chapters, books, conference papers, reports, theses, preprints as
@misc) build as studies to screen, each typed with its FaBiO class, and the BibTeX export gives the type back;
each type's required fields are checked and an entry type the build does not read is an error naming the entry."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import load
from kg.export.bibtex import to_bibtex
from kg.ingest.bibtex import ENTRY_CLASSES, check_records, parse_bib
from kg.model.namespace import FABIO

ENTRIES = """\
@incollection{chapter2019,
  author = {Doe, Jane}, title = {A chapter}, booktitle = {A book}, year = {2019}, publisher = {A Press}
}

@book{book2018,
  editor = {Roe, Richard}, title = {An edited book}, year = {2018}
}

@inproceedings{paper2020,
  author = {Poe, Ann}, title = {A conference paper}, booktitle = {Proceedings}, year = {2020}
}

@techreport{report2017,
  title = {A report}, institution = {An agency}, year = {2017}
}

@phdthesis{thesis2016,
  author = {Moe, Max}, title = {A thesis}, school = {A university}, year = {2016}
}

@misc{preprint2021,
  author = {Loe, Lee}, title = {A preprint}, year = {2021}
}
"""
CLASSES = {"chapter2019": FABIO.BookChapter, "book2018": FABIO.Book, "paper2020": FABIO.ConferencePaper,
           "report2017": FABIO.ReportDocument, "thesis2016": FABIO.DoctoralThesis, "preprint2021": FABIO.Expression}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    (tmp_path / "references.bib").write_text(ENTRIES, encoding="utf-8")
    (tmp_path / "claims.ttl").write_text("", encoding="utf-8")
    return tmp_path


def test_common_entry_types_build_as_studies_to_screen(library: Path) -> None:
    graph = load(library)
    rows = graph.select("SELECT ?key ?class ?status WHERE { ?p hs:bibKey ?key ; a ?class ; "
                        "hs:screeningStatus/rdfs:label ?status FILTER(STRSTARTS(STR(?class), STR(fabio:))) }")
    assert {str(r["key"]): (str(r["class"]), str(r["status"])) for r in rows} == {
        key: (str(cls), "to screen") for key, cls in CLASSES.items()}
    studies = {str(r["key"]) for r in graph.select(
        "SELECT ?key WHERE { ?p hs:bibKey ?key MINUS { ?p a hs:SourceArticle } }")}
    assert studies == set(CLASSES)


def test_every_class_is_a_fabio_expression_term() -> None:
    # FaBiO's fabio:Report is the work; its printed realisation, the record we hold, is fabio:ReportDocument.
    assert {str(c).removeprefix(str(FABIO)) for c in ENTRY_CLASSES.values()} == {
        "JournalArticle", "WebContent", "BookChapter", "Book", "ConferencePaper", "ReportDocument", "Thesis",
        "DoctoralThesis", "MastersThesis", "Manuscript", "Expression"}


def test_required_fields_follow_the_type(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text("@incollection{nobook, author = {Doe, J.}, title = {A chapter}, year = {2019}}\n\n"
                   "@book{noyear, title = {A book}}\n\n@patent{patent2020, title = {A patent}, year = {2020}}\n",
                   encoding="utf-8")
    errors = {(p.record, p.message) for p in check_records(parse_bib(bib)) if p.severity == "error"}
    assert errors == {("nobook", "missing required field 'booktitle'"), ("noyear", "missing required field 'year'"),
                      ("patent2020", "entry type @patent is not used here")}


def test_the_export_gives_back_each_entry_type_and_booktitle(library: Path) -> None:
    exported = library / "exported.bib"
    exported.write_text(to_bibtex(load(library)), encoding="utf-8")
    records = {r.key: r for r in parse_bib(exported)}
    assert {key: r.entry_type for key, r in records.items()} == {
        "chapter2019": "incollection", "book2018": "book", "paper2020": "inproceedings", "report2017": "report",
        "thesis2016": "phdthesis", "preprint2021": "misc"}  # @techreport comes back as its synonym @report
    assert records["chapter2019"].fields["booktitle"] == "A book"
    assert [p for p in check_records(list(records.values())) if p.severity == "error"] == []

"""`kg import`: real export files of each format (tests/resources/import/), deduplication, and the safety of the
write (a failed or dry run leaves references.bib byte-identical)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli.main import main
from kg.ingest import files
from kg.ingest.bibtex import BibRecord, Name, parse_bib
from kg.ingest.importers import bibtex_in, reflist
from kg.ingest.importers.dedupe import STRICT_THRESHOLD, TITLE_THRESHOLD, compare, known
from kg.ingest.importers.keys import base_key, unique_key
from kg.ingest.importers.record import Record, clean_pages, normalise_doi
from kg.model import paths

RESOURCES = Path(__file__).parent / "resources" / "import"
LOG_KEYS = {"date", "source", "format", "records", "added", "duplicates", "possible_duplicates", "unreadable"}


def run(*args: str | Path, data: Path) -> Result:
    return CliRunner().invoke(main, ["import", *map(str, args), "--data", str(data)])


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    directory = tmp_path / "lib"
    directory.mkdir()
    (directory / paths.BIB_NAME).write_text("", encoding="utf-8")
    return directory


@pytest.fixture
def curated(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copyfile(paths.DEFAULT_DATA_DIR / paths.BIB_NAME, directory / paths.BIB_NAME)
    return directory


def entries(directory: Path) -> dict[str, BibRecord]:
    return {r.key: r for r in parse_bib(directory / paths.BIB_NAME)}


def log_lines(directory: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (directory / "import-log.jsonl").read_text(encoding="utf-8").splitlines()]


# Per file: the keys it adds to an empty library, and fields of some of them exactly as they must arrive.
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "zotero.bib": {
        "prather2017hip": {"title": "Hip and Lumbar Spine Physical Examination Findings in People Presenting With Low Back "
                                    "Pain, With or Without Lower Extremity Pain",
                           "journal": "Journal of Orthopaedic & Sports Physical Therapy", "year": "2017", "month": "3",
                           "volume": "47", "number": "3", "pages": "163--172", "doi": "10.2519/jospt.2017.6567",
                           "pmid": "28158964", "pmcid": "PMC8898168", "language": "eng",
                           "keywords": "low back pain; hip; physical examination",
                           "url": "https://www.jospt.org/doi/10.2519/jospt.2017.6567"},
        "gomezhoyos2017hipspine": {"author": "Gómez-Hoyos, J. and Khoury, A. and Schröder, R. and Johnson, E. and "
                                             "Palmer, I. J. and Martin, H. D.", "shorttitle": "The Hip-Spine Effect"},
        "gbd2020corporate": {"author": "GBD 2019 Hip and Spine Collaborators", "note": "Publisher: Fixture Press"},
    },
    "betterbiblatex.bib": {
        "kameda2020low": {"journal": "Journal of Physical Therapy Science", "shortjournal": "J Phys Ther Sci",
                          "year": "2020", "month": "2", "pmid": "32158082", "doi": "10.1589/jpts.32.173",
                          "language": "english",
                          "keywords": "Gluteus medius syndrome; Hip osteoarthritis; Lumbar degenerative disease"},
        "onggo2021comparable": {"doi": "10.1007/s00586-020-06635-w", "pages": "63--70", "number": "1"},
    },
    "jabref.bib": {
        "devin2012hipspine": {"journal": "Journal of the American Academy of Orthopaedic Surgeons", "month": "7",
                              "doi": "10.5435/JAAOS-20-07-434", "pages": "434--442"},
        "weinberg2017hipspine": {"journal": "Orthopaedics & Traumatology: Surgery & Research", "month": "5"},
    },
    "mendeley.bib": {
        "lee2019accuracy": {"pmid": "30838104", "doi": "10.4055/cios.2019.11.1.21",
                            "author": "Lee, G Y and Kim, S and Baek, S H and Jang, E C and Ha, Y C"},  # as exported
        "gomezhoyos2017hipspine": {"author": "Gómez-Hoyos, J and Khoury, A and Schröder, R and Johnson, E and "
                                             "Palmer, I J and Martin, H D",
                                   "journal": "Arthroscopy: The Journal of Arthroscopic & Related Surgery"},
    },
    "zotero.ris": {
        "prather2017hip": {"journal": "Journal of Orthopaedic & Sports Physical Therapy",
                           "shortjournal": "J Orthop Sports Phys Ther", "month": "3", "pages": "163--172",
                           "pmid": "28158964", "keywords": "low back pain; hip; physical examination"},
        "annabell2018hip": {"doi": "10.1186/s13018-018-0832-z", "pages": "127",
                            "note": "Fixture note: imported from a RIS file."},
        "fixture2019book": {"booktitle": "A Fixture Book on the Hip and Spine", "publisher": "Fixture Press",
                            "address": "Boston", "pages": "1--20"},
    },
    "pubmed.nbib": {
        "prather2017hip": {"title": "Hip and Lumbar Spine Physical Examination Findings in People Presenting With Low "
                                    "Back Pain, With or Without Lower Extremity Pain.",
                           "journal": "The Journal of orthopaedic and sports physical therapy",
                           "shortjournal": "J Orthop Sports Phys Ther", "month": "3", "pages": "163--172",
                           "doi": "10.2519/jospt.2017.6567", "pmid": "28158964", "language": "eng",
                           "mesh": "Humans; Low Back Pain/*diagnosis; Hip Joint/physiopathology; Physical Examination",
                           "keywords": "hip; low back pain", "pubtype": "Journal Article"},
        "lee2019accuracy": {"pmcid": "PMC6389537", "pages": "21--27"},
        "kameda2020low": {"pmcid": "PMC7032979", "pubtype": "Journal Article; Review", "pages": "173--191"},
    },
    "zotero.json": {
        "maldonado2020hipspine": {"doi": "10.3928/01477447-20191223-05", "pages": "e65--e71", "volume": "43",
                                  "number": "2", "month": "3", "language": "en"},
        "rajeev2017validity": {"pmid": "28762158", "shortjournal": "Eur J Orthop Surg Traumatol",
                               "journal": "European Journal of Orthopaedic Surgery & Traumatology"},
        "fixture2021script": {"title": "<script>alert('x')</script> & a title that must keep its text",
                                        "keywords": "hip; spine"},
    },
    "ama-references.txt": {
        "prather2017hip": {"journal": "J Orthop Sports Phys Ther", "volume": "47", "number": "3", "pages": "163--172",
                           "doi": "10.2519/jospt.2017.6567"},
        "eneqvist2017lumbar": {"volume": "99-B", "number": "6", "pages": "759--765"},
        "haskel2020concomitant": {"title": "Does concomitant lumbar spine disease adversely affect the outcomes of "
                                           "patients undergoing hip arthroscopy?", "journal": "Am J Sports Med"},
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_record_arrives_with_its_fields(name: str, empty: Path) -> None:
    result = run(RESOURCES / name, data=empty)
    assert result.exit_code == 0, result.output
    found = entries(empty)
    for key, fields in EXPECTED[name].items():
        assert key in found, f"{key} not imported from {name}: {sorted(found)}"
        record = found[key]
        for field, value in fields.items():
            actual = " and ".join(n.printed for n in record.authors) if field == "author" else record.fields.get(field)
            assert actual == value, f"{name} {key}.{field}"
        assert record.fields["verification"] == "unverified"
        assert record.fields["screening"] == "to screen"
        assert record.fields["import-source"] == str(RESOURCES / name)
        assert record.fields["import-date"] == log_lines(empty)[0]["date"]
    assert len(found) == len(log_lines(empty)[0]["added"])  # type: ignore[arg-type]


def test_the_format_is_read_from_the_content(empty: Path, tmp_path: Path) -> None:
    for name, kind in (("zotero.ris", "ris"), ("pubmed.nbib", "medline"), ("zotero.json", "csl-json"),
                       ("jabref.bib", "bibtex"), ("ama-references.txt", "reference-list")):
        renamed = tmp_path / f"export-{kind}.txt"  # a misleading extension
        shutil.copyfile(RESOURCES / name, renamed)
        result = CliRunner().invoke(main, ["import", str(renamed), "--data", str(empty), "--dry-run", "--format", "json"])
        assert json.loads(result.stdout)["sources"][0]["format"] == kind


def test_the_same_study_in_two_formats_is_one_record_and_one_duplicate(empty: Path) -> None:
    result = run(RESOURCES / "zotero.ris", RESOURCES / "pubmed.nbib", data=empty)
    assert result.exit_code == 0, result.output
    found = entries(empty)
    assert sum(1 for r in found.values() if r.fields.get("doi") == "10.2519/jospt.2017.6567") == 1
    ris_line, nbib_line = log_lines(empty)
    assert ris_line["added"] == ["prather2017hip", "annabell2018hip", "fixture2019book"]
    assert nbib_line["duplicates"] == [{"record": 1, "title": found["prather2017hip"].fields["title"] + ".",
                                        "matched": "prather2017hip", "by": "doi"}]
    assert nbib_line["added"] == ["lee2019accuracy", "kameda2020low"]
    assert 'record 1 "Hip and Lumbar Spine' in result.output and "is prather2017hip (same doi)" in result.output


def test_a_broken_record_is_named_and_the_rest_imported(empty: Path) -> None:
    result = run(RESOURCES / "endnote.ris", data=empty)
    assert result.exit_code == 1
    assert "endnote.ris:17: record 2 record has no 'ER  -' line before the next 'TY  -'" in result.output
    assert "Traceback" not in result.output
    assert set(entries(empty)) == {"barry2017early", "haskel2020concomitant"}
    assert entries(empty)["barry2017early"].fields["journal"] == "The Journal of Arthroplasty"  # CRLF read as lines
    assert log_lines(empty)[0]["unreadable"] == [{"record": 2, "line": 17, "why": "record has no 'ER  -' line before "
                                                  "the next 'TY  -' (truncated?)"}]


def test_existing_entries_and_formatting_are_kept_byte_for_byte(curated: Path) -> None:
    before = (curated / paths.BIB_NAME).read_bytes()
    result = run(RESOURCES / "zotero.json", data=curated)
    assert result.exit_code == 0, result.output
    after = (curated / paths.BIB_NAME).read_bytes()
    assert after.startswith(before) and after[len(before):].startswith(b"\n@")
    crlf = curated / paths.BIB_NAME
    crlf.write_bytes(before.replace(b"\n", b"\r\n"))
    assert run(RESOURCES / "jabref.bib", data=curated).exit_code == 0
    grown = crlf.read_bytes()
    assert grown.startswith(before.replace(b"\n", b"\r\n")) and b"\n" not in grown.replace(b"\r\n", b"")


def test_against_the_curated_library_doi_duplicates_are_not_added_and_fuzzy_ones_are_linked(curated: Path) -> None:
    result = run(RESOURCES / "seed-references.txt", data=curated)
    assert result.exit_code == 0, result.output
    (line,) = log_lines(curated)
    assert line["duplicates"] == [{"record": 11, "title": "Hip pathology: the diagnostic accuracy of magnetic resonance "
                                   "imaging", "matched": "annabell2018hip", "by": "doi"}]
    linked = {p["matched"] for p in line["possible_duplicates"]}  # type: ignore[attr-defined, union-attr]
    assert len(linked) == 12 and "onggo2021comparable" in linked and "maldonado2020hipspine" in linked
    found = entries(curated)
    onggo = next(r for r in found.values() if r.fields.get("possible-duplicate-of") == "onggo2021comparable")
    assert onggo.fields["duplicate-match"] == "title 100, year ±1 (2020/2021), first author"
    assert onggo.key == "onggo2020comparable"
    assert found["devin2012hipspinea"].fields["title"] == "Hip\u2010spine syndrome"  # a Unicode hyphen joins the key word
    # a third copy of a study links to the library's record, not to the copy imported a moment ago
    assert run(RESOURCES / "endnote.ris", data=curated).exit_code == 1
    assert entries(curated)["haskel2020concomitantb"].fields["possible-duplicate-of"] == "haskel2020concomitant"


def test_a_probable_duplicate_within_one_batch_is_linked_to_the_first(empty: Path, tmp_path: Path) -> None:
    text = (RESOURCES / "ama-references.txt").read_text(encoding="utf-8")
    twice = tmp_path / "twice.txt"
    twice.write_text(text + "5. Lee GY, Kim S, Baek SH, Jang EC, Ha YC. Accuracy of MRI and computed tomography "
                     "arthrography in diagnosing acetabular labral tears and chondral lesions. Clin Orthop Surg. "
                     "2019;11(1):21-27.\n", encoding="utf-8")
    assert run(twice, data=empty).exit_code == 0
    (line,) = log_lines(empty)
    # the same study, 'MRI' for 'magnetic resonance imaging': added, and linked to the first for review
    assert line["possible_duplicates"] == [{"key": "lee2019accuracya", "matched": "lee2019accuracy", "score": 90.6,
                                            "how": "title 91, year, first author"}]
    assert entries(empty)["lee2019accuracya"].fields["possible-duplicate-of"] == "lee2019accuracy"


def test_dry_run_writes_nothing(curated: Path) -> None:
    before = (curated / paths.BIB_NAME).read_bytes()
    result = CliRunner().invoke(main, ["import", str(RESOURCES / "zotero.json"), "--data", str(curated), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: 1 record(s) would be added" in result.output
    assert (curated / paths.BIB_NAME).read_bytes() == before
    assert sorted(p.name for p in curated.iterdir()) == [paths.BIB_NAME]


def test_json_report(empty: Path) -> None:
    result = CliRunner().invoke(main, ["import", str(RESOURCES / "zotero.ris"), str(RESOURCES / "pubmed.nbib"),
                                       "--data", str(empty), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["added"] == 5 and report["dry_run"] is False
    ris, nbib = report["sources"]
    assert LOG_KEYS <= set(ris) and ris["format"] == "ris" and ris["records"] == 3
    assert ris["unmapped_fields"] == ["address", "month", "publisher"]
    assert ris["dropped_fields"] == ["DP", "L1", "Y2"]
    assert not any("kg build reads only" in note for note in ris["notes"])  # a chapter builds as a study
    assert nbib["duplicates"][0]["matched"] == "prather2017hip"
    assert "OWN" in nbib["dropped_fields"] and "pubtype" in nbib["unmapped_fields"]
    for line in log_lines(empty):
        assert set(line) == LOG_KEYS


def test_a_failed_write_leaves_references_bib_byte_identical(curated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (curated / paths.BIB_NAME).read_bytes()

    def full_disk(path: Path, data: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "write_atomic", full_disk)
    result = run(RESOURCES / "zotero.json", data=curated)
    assert result.exit_code == 1
    assert "cannot write (No space left on device); nothing imported, the file is unchanged" in result.output
    assert (curated / paths.BIB_NAME).read_bytes() == before
    assert not (curated / "import-log.jsonl").exists()


def test_a_file_that_cannot_be_read_stops_the_whole_run(curated: Path, tmp_path: Path) -> None:
    before = (curated / paths.BIB_NAME).read_bytes()
    binary = tmp_path / "export.ris"
    binary.write_bytes(b"TY  - JOUR\nTI  - a\x00b\nER  - \n")
    result = run(RESOURCES / "zotero.json", binary, tmp_path / "missing.nbib", data=curated)
    assert result.exit_code == 1
    assert f"{binary}:2: holds a NUL byte" in result.output
    assert f"{tmp_path / 'missing.nbib'}: file not found" in result.output
    assert (curated / paths.BIB_NAME).read_bytes() == before


def test_a_broken_library_is_not_written_to(curated: Path) -> None:
    bib = curated / paths.BIB_NAME
    bib.write_bytes(bib.read_bytes() + b"\n@article{broken,\n  title = {unclosed\n")
    before = bib.read_bytes()
    result = run(RESOURCES / "zotero.json", data=curated)
    assert result.exit_code == 1 and "must be readable before records are added" in result.output
    assert bib.read_bytes() == before


# ------------------------------------------------------------------ dedupe rule, keys, readers


def _pair(a: tuple[str, str, str], b: tuple[str, str, str]) -> float | None:
    match = compare(known("a", a[0], a[1], a[2]), known("b", b[0], b[1], b[2]))
    return match.score if match else None


@pytest.mark.parametrize(("a", "b"), [
    # a preprint and its journal version: reworded title, one year apart
    (("Lumbar surgery before total hip arthroplasty is associated with worse patient-reported outcomes", "2016",
      "Eneqvist"),
     ("Lumbar surgery prior to total hip arthroplasty is associated with worse patient-reported outcomes", "2017",
      "Eneqvist")),
    # a title with and without its subtitle
    (("Hip-spine syndrome", "2017", "Weinberg"),
     ("Hip-Spine Syndrome: a cadaveric analysis between osteoarthritis of the lumbar spine and hip joints", "2017",
      "Weinberg")),
    # accents stripped, punctuation and case changed
    (("The Hip-Spine Effect: A Biomechanical Study of Ischiofemoral Impingement Effect on Lumbar Facet Joints", "2017",
      "Gómez-Hoyos"),
     ("The hip spine effect - a biomechanical study of ischiofemoral impingement effect on lumbar facet joints.", "2017",
      "Gomez Hoyos")),
])
def test_near_duplicates_are_found(a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
    score = _pair(a, b)
    assert score is not None and score >= TITLE_THRESHOLD


@pytest.mark.parametrize(("a", "b"), [
    # different studies by one author in one year
    (("Hip-spine syndrome: a cadaveric analysis", "2017", "Weinberg"),
     ("Hip-spine syndrome: a radiographic analysis", "2017", "Weinberg")),
    # same title, other first author (a reply, an erratum by another group)
    (("Hip-spine syndrome", "2012", "Devin"), ("Hip-spine syndrome", "2012", "Offierski")),
    # same title and author, three years apart (an update)
    (("Hip-spine syndrome", "2012", "Devin"), ("Hip-spine syndrome", "2015", "Devin")),
    # a short title is not the subtitle-less form of a longer one unless the main title matches
    (("Hip pain", "2017", "Smith"), ("Hip pain in athletes: a review", "2017", "Smith")),
])
def test_different_studies_are_not_duplicates(a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
    assert _pair(a, b) is None


def test_a_missing_author_or_year_needs_a_near_identical_title() -> None:
    assert _pair(("Hip-spine syndrome: a cadaveric analysis of the joints", "2017", ""),
                 ("Hip-spine syndrome: a cadaveric analysis of the joint", "2017", "Weinberg")) == 99.0
    no_year = ("Hip-spine syndrome in older adults", "", "Weinberg")
    assert _pair(no_year, ("Hip-spine syndrome in older adults", "2017", "Weinberg")) == 100.0
    similar = ("Hip-spine syndrome in the older adult", "2017", "Weinberg")  # 93: enough with a year, not without
    assert TITLE_THRESHOLD <= 93 < STRICT_THRESHOLD and _pair(no_year, similar) is None
    assert _pair(("Hip-spine syndrome in older adults", "2017", "Weinberg"), similar) == pytest.approx(93.0, abs=0.1)


def test_dois_are_normalised() -> None:
    assert normalise_doi("https://doi.org/10.2519/JOSPT.2017.6567") == "10.2519/jospt.2017.6567"
    assert normalise_doi("doi:10.2519/jospt.2017.6567.") == "10.2519/jospt.2017.6567"
    assert normalise_doi("http://dx.doi.org/10.2519/jospt.2017.6567") == "10.2519/jospt.2017.6567"
    assert normalise_doi("jospt.2017.6567") is None


def test_keys_are_lower_case_ascii_and_unique() -> None:
    record = Record("x", "ris", 1, title="The Hip-Spine Effect", year="2017")
    record.authors = [Name("Gómez-Hoyos", "J.")]
    assert base_key(record) == "gomezhoyos2017hipspine"
    taken = {"gomezhoyos2017hipspine", "gomezhoyos2017hipspinea"}
    assert unique_key("GomezHoyos2017hipspine", taken) == "GomezHoyos2017hipspineb"
    assert unique_key("nd", {f"nd{c}" for c in "abcdefghijklmnopqrstuvwxyz"} | {"nd"}) == "ndaa"


def test_bibtex_macros_months_and_concatenation() -> None:
    records, bad = bibtex_in.read("@string{j = {J Test}}\n@string{jj = j # \" Surg\"}\n"
                                  "@article{a, title = \"A \" # {B}, journal = jj, month = sep, year = 2020}\n"
                                  "@article{b, title = {x}, journal = nosuch}\n", "m.bib")
    assert (records[0].title, records[0].journal, records[0].month, records[0].year) == ("A B", "J Test Surg", "9", "2020")
    assert [str(u) for u in bad] == ["m.bib:4: record 2 entry 'b': @string 'nosuch' is used but not defined"]


def test_a_reference_list_never_guesses_an_identifier() -> None:
    records, _ = reflist.read("1. Devin CJ, Kang JD. Hip-spine syndrome. J Am Acad Orthop Surg. 2012;20(7):434-42. "
                              "10.5435/JAAOS-20-07-434\n", "r.txt")
    assert records[0].doi is None and records[0].pmid is None  # an unlabelled number is not taken for a DOI
    assert records[0].pages == "434--442"
    assert clean_pages("e65-e71") == "e65--e71" and clean_pages("1189-93") == "1189--1193"


def test_csl_json_wrappers_and_ris_accession_numbers() -> None:
    from kg.ingest.importers import csl_json, ris

    item = {"type": "article-journal", "title": "One item", "issued": {"raw": "2019-05"}, "DOI": "doi:10.1000/X"}
    for text in (json.dumps(item), json.dumps({"items": [item]})):
        (record,), bad = csl_json.read(text, "c.json")
        assert not bad and (record.title, record.year, record.doi) == ("One item", "2019", "10.1000/X")
    (record,), _ = ris.read("TY  - JOUR\nTI  - A\nAN  - WOS:000123\nER  - \n", "r.ris")
    assert record.pmid is None and record.extra["accession"] == "WOS:000123"  # AN is a PMID only from PubMed
    (record,), _ = ris.read("TY  - JOUR\nTI  - A\nDO  - not a doi\nER  - \n", "r.ris")
    assert record.doi is None and record.notes == ["DOI 'not a doi' is not a DOI; left out"]


def test_a_reference_list_pasted_on_standard_input(empty: Path) -> None:
    text = (RESOURCES / "ama-references.txt").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "-", "--data", str(empty)], input=text)
    assert result.exit_code == 0, result.output
    assert "stdin (reference-list): 4 record(s): 4 added" in result.output
    assert entries(empty)["eneqvist2017lumbar"].fields["import-source"] == "stdin"

"""BibTeX parsing: LaTeX decoding, names, people merged across records, located errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest.bibtex import Name, check_records, decode_latex, parse_bib, people, split_names
from kg.ingest.errors import InputError


def test_latex_is_decoded_to_unicode() -> None:
    assert decode_latex(r"G{\'o}mez-Hoyos") == "Gómez-Hoyos"
    assert decode_latex(r'Schr{\"o}der') == "Schröder"
    assert decode_latex(r"Orthopaedics \& Traumatology") == "Orthopaedics & Traumatology"
    assert decode_latex("plain title") == "plain title"


def test_names_split_in_both_forms() -> None:
    assert split_names("Kang, J. D. and Ross Hauser") == [Name("Kang", "J. D."), Name("Hauser", "Ross")]


def test_person_ids_merge_initials_and_full_names() -> None:
    assert Name("Kang", "J. D.").person_id == Name("Kang", "James D.").person_id == "kang-jd"
    assert Name("Gómez-Hoyos", "J.").person_id == "gomez-hoyos-j"


def test_fullest_spelling_wins(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text("@article{a, author={Kang, J. D.}, title={T}, journal={J}, year={2012}, verification={verified}}\n"
                   "@online{b, contributor={Kang, James D.}, title={W}, verification={partly}}\n")
    assert people(parse_bib(bib))["kang-jd"].display == "James D. Kang"


def test_duplicate_doi_and_bad_identifiers_are_reported(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text("@article{a, author={A, B}, title={T}, journal={J}, year={2012}, doi={10.1000/x}, verification={verified}}\n"
                   "@article{b, author={A, B}, title={U}, journal={J}, year={20x2}, doi={10.1000/X}, pmid={PMC1},\n"
                   "  verification={maybe}, colour={red}}\n")
    problems = check_records(parse_bib(bib))
    text = "\n".join(str(p) for p in problems)
    assert "[b] (doi) DOI 10.1000/X is also given to 'a'" in text
    assert "invalid PMID 'PMC1'" in text and "year '20x2'" in text and "verification 'maybe'" in text
    assert any(p.severity == "warning" and p.prop == "colour" for p in problems)  # kept, but never silently
    assert all(p.line for p in problems)


def test_unverified_identifier_is_refused(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text("@article{a, author={A, B}, title={T}, journal={J}, year={2012}, pmid={123}, "
                   "unverified={pmid}, verification={partly}}\n")
    assert any("unverified identifiers must be left out" in p.message for p in check_records(parse_bib(bib)))


def test_malformed_entry_names_line_and_key(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text("@article{ok, title={T}}\n\n@article{broken, title = {unclosed,\n year = {2020}}\n")
    with pytest.raises(InputError) as info:
        parse_bib(bib)
    text = str(info.value)
    assert "r.bib:3" in text and "[broken]" in text and "malformed entry" in text


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_bytes("@article{a, title={Gómez}}".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        parse_bib(bib)

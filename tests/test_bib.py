"""BibTeX parsing: LaTeX decoding, names, people merged across records, located errors."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.ingest.bibtex import Name, check_records, parse_bib, people, split_names
from kg.ingest.errors import InputError
from kg.ingest.latex import _full_decode, decode_latex
from kg.ingest.records_nt import record_ntriples


def test_latex_is_decoded_to_unicode() -> None:
    assert decode_latex(r"G{\'o}mez-Hoyos") == "Gómez-Hoyos"
    assert decode_latex(r'Schr{\"o}der') == "Schröder"
    assert decode_latex(r"Orthopaedics \& Traumatology") == "Orthopaedics & Traumatology"
    assert decode_latex("plain title") == "plain title"


# Pieces of BibTeX field text: plain characters (including TeX's ligatures, & and %), the escapes the table
# decodes, and LaTeX only pylatexenc knows.
LATEX_PIECES = ["a", "B", "z", " ", "  ", "\n", ",", ".", "-", "'", "`", "!", "?", "&", "%", "(", "1", "é", "ø", "$",
                "--", "---", "``", "''", r"\'e", r"{\'e}", r"\'{e}", r'\"o', r'{\"O}', r"\c c", r"\c{c}", r"{\c{C}}",
                r"\v{s}", r"{\v{s}}", r"\'{\i}", r"{\'\i}", r"\'\i", r"\^{\j}", r"{\o}", r"\o", r"\ss", r"{\ss}", r"\aa",
                r"{\AA}", r"\L", r"\L{}", r"\&", "{", "}", "{MRI}", "~", r"\textit{x}", r"\emph{", r"{\em x}", "$x$", r"\%",
                "\\\\", "\\\\%", r"\i", r"\^o", r"\~n", r"\=a", r"\.z", r"\u{g}", r"\H{o}", r"\k{a}", r"\r u", r"\`a",
                "\\'", r"\v", r"\' e", r"\ss x", r"\#", r"\_"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LATEX_PIECES), min_size=1, max_size=10).map("".join))
def test_table_decoding_is_pylatexenc_decoding(value: str) -> None:
    """The fast path (tables) gives what pylatexenc, configured to the module's rule, gives; plain text (no
    backslash, brace or tilde) comes back exactly as typed."""
    if not any(ch in value for ch in "\\{~"):
        assert decode_latex(value) == value
    else:
        assert decode_latex(value) == _full_decode(value)


@pytest.mark.parametrize("value", ["Hip--spine", "Hip--spine {MRI}", r"Hip--spine \textit{MRI}", r"Hip--spine G{\"o}del"])
def test_tex_ligatures_stay_as_typed_whatever_else_the_field_holds(value: str) -> None:
    assert decode_latex(value).startswith("Hip--spine")
    assert decode_latex(r"``quoted'' and a---b, 50% \& more \textit{x}") == "``quoted'' and a---b, 50% & more x"


def test_names_split_in_both_forms() -> None:
    assert split_names("Kang, J. D. and Ross Hauser") == [Name("Kang", "J. D."), Name("Hauser", "Ross")]


def test_braces_protect_a_corporate_author_from_the_split() -> None:
    assert split_names("{Barnes and Noble} and van Beethoven, Ludwig") == [Name("Barnes and Noble", ""),
                                                                            Name("van Beethoven", "Ludwig")]
    assert split_names("{GBD 2019 Collaborators} and Smith, A.") == [Name("GBD 2019 Collaborators", ""), Name("Smith", "A.")]
    assert split_names("Ludwig van Beethoven") == [Name("van Beethoven", "Ludwig")]  # the von part is family name


def test_a_suffix_is_kept_apart_from_the_given_names() -> None:
    [smith] = split_names("Smith, Jr., John")
    assert smith == Name("Smith", "John", "Jr.")
    assert (smith.display, smith.printed, smith.person_id) == ("John Smith Jr.", "Smith, Jr., John", "smith-jr-j")
    assert smith.person_id != Name("Smith", "John").person_id


def test_names_are_split_before_latex_is_decoded(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text("@article{a, author={{Barnes and Noble} and G{\\'o}mez-Hoyos, J. and Smith, Jr., John and "
                   "{GBD 2019 Collaborators}}, title={T}, journal={J}, year={2012}, verification={verified}}\n")
    [record] = parse_bib(bib)
    assert [n.printed for n in record.authors] == ["Barnes and Noble", "Gómez-Hoyos, J.", "Smith, Jr., John",
                                                   "GBD 2019 Collaborators"]
    nt = record_ntriples([record])
    assert '<https://w3id.org/hipspine/id/person/barnes-and-noble> <http://xmlns.com/foaf/0.1/familyName> ' \
           '"Barnes and Noble" .' in nt
    assert '<https://w3id.org/hipspine/id/person/smith-jr-j> <http://xmlns.com/foaf/0.1/name> "John Smith Jr." .' in nt
    assert '<https://w3id.org/hipspine/id/authors/a/3> <http://www.w3.org/2000/01/rdf-schema#label> ' \
           '"Smith, Jr., John" .' in nt
    assert "gbd-2019-collaborators" in nt and "collaborators-g2" not in nt


def test_a_name_read_leniently_is_a_located_warning(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text("@article{a, author={Smith, J., Jr., X}, title={T}, journal={J}, year={2012}, verification={verified}}\n")
    [problem] = check_records(parse_bib(bib))
    assert (problem.severity, problem.prop, problem.line) == ("warning", "author", 1)
    assert "Too many commas" in problem.message


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

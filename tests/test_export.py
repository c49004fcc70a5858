"""Exports round-trip: BibTeX back to references.bib's fields, JSON-LD/Turtle/N-Triples back to the same
triples (rdflib), GraphML back to the same network (networkx); the CSV is the flat evidence table."""
from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from kg import KnowledgeGraph, load
from kg.export.bibtex import bibtex_entry, latex, to_bibtex
from kg.export.exporter import EXTENSIONS, FORMATS, export, export_bytes
from kg.export.tables import evidence_csv
from kg.ingest.bibtex import BibRecord, parse_bib
from kg.ingest.latex import decode_latex

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "resources" / "mini"


@pytest.fixture(scope="module")
def mini_kg() -> KnowledgeGraph:
    return load(MINI)


def records(path: Path, text: str | None = None) -> dict[str, BibRecord]:
    return {r.key: r for r in parse_bib(path, text)}


def person_keys(record: BibRecord, field: str) -> list[tuple[str, str]]:
    """Family names and initials: what the graph keeps of a person, whatever the spelling of the given name."""
    return [(n.family, n.initials) for n in (record.authors if field == "author" else record.contributors)]


@pytest.mark.parametrize("bib", [REPO / "data" / "references.bib", MINI / "references.bib"], ids=["data", "mini"])
def test_bibtex_round_trips_every_field(tmp_path: Path, bib: Path) -> None:
    graph = load(bib.parent)
    original = records(bib)
    exported = records(tmp_path / "export.bib", to_bibtex(graph))
    assert set(exported) == set(original)
    merged_spellings = []
    for key, before in original.items():
        after = exported[key]
        assert after.entry_type == before.entry_type, key
        assert set(after.fields) == set(before.fields), f"{key}: fields differ"
        for field, value in before.fields.items():  # parse_bib decodes LaTeX in both
            if field in ("author", "contributor") and after.fields[field] != value:
                assert person_keys(after, field) == person_keys(before, field), f"{key}: {field} differs"
                merged_spellings.append(key)
            else:
                assert after.fields[field] == value, f"{key}.{field}: {after.fields[field]!r} != {value!r}"
    # Each author-list cell keeps the spelling its entry used, so nothing is lost (Kang, J. D. stays so in
    # Devin 2012 although the person node is named James D. Kang).
    assert merged_spellings == []


def test_corporate_authors_and_suffixes_survive_bibtex(tmp_path: Path) -> None:
    """A braced corporate author is braced again on export (else it would come back as several people), and a
    suffix stays in its place."""
    shutil.copytree(MINI, tmp_path / "data")
    with (tmp_path / "data" / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@article{corporate2022,\n  author = {{Barnes and Noble} and {GBD 2019 Collaborators} and "
                  "Smith, Jr., John and Ludwig van Beethoven},\n  title = {T}, journal = {J}, year = {2022},\n"
                  "  verification = {verified}\n}\n")
    text = to_bibtex(load(tmp_path / "data"))
    assert "author           = {{Barnes and Noble} and {GBD 2019 Collaborators} and Smith, Jr., John and " \
           "van Beethoven, Ludwig}" in text
    after = records(tmp_path / "export.bib", text)["corporate2022"]
    assert [n.printed for n in after.authors] == ["Barnes and Noble", "GBD 2019 Collaborators", "Smith, Jr., John",
                                                  "van Beethoven, Ludwig"]


def test_hostile_title_survives_bibtex(tmp_path: Path, mini_kg: KnowledgeGraph) -> None:
    text = to_bibtex(mini_kg)
    assert r"{<script>alert(1)</script> \& " in text
    assert records(tmp_path / "m.bib", text)["script2021test"].fields["title"] == '<script>alert(1)</script> & "quotes"'


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_latex_decodes_back_to_the_text(value: str) -> None:
    """Whatever a field holds, writing it with latex() and reading it back gives the same text, unless the
    text itself is LaTeX source (backslash, braces, tilde), which cannot always be told apart."""
    if any(ch in value for ch in "\\{}~"):
        return
    assert decode_latex(latex(value)) == value


def test_latex_escapes_specials() -> None:
    assert latex("Orthopaedics & Traumatology") == r"Orthopaedics \& Traumatology"
    assert latex("Gómez-Hoyos") == r"G{\'o}mez-Hoyos"
    assert latex("50% of $5") == r"50\% of \$5"


def test_evidence_csv_is_the_flat_table(real_kg: KnowledgeGraph) -> None:
    rows = list(csv.DictReader(io.StringIO(evidence_csv(real_kg))))
    assert list(rows[0]) == ["study", "claim", "stance", "design", "n", "year"]
    assert len(rows) == 32  # one per evidence line
    eneqvist = [r for r in rows if r["study"] == "eneqvist2017lumbar"
                and r["claim"].endswith("/lumbar-disease-worsens-hip-surgery")]
    assert eneqvist == [{"study": "eneqvist2017lumbar",
                         "claim": "https://w3id.org/hipspine/id/claim/lumbar-disease-worsens-hip-surgery",
                         "stance": "supports", "design": "register-based matched cohort", "n": "1994", "year": "2017"}]
    haskel = next(r for r in rows if r["study"] == "haskel2020concomitant")
    assert haskel["n"] == ""  # unknown sample size stays empty


def test_jsonld_reimports_with_the_same_triples(real_kg: KnowledgeGraph) -> None:
    reference = rdflib.Graph().parse(data=export_bytes(real_kg, "nt").decode(), format="nt")
    reimported = rdflib.Graph().parse(data=export_bytes(real_kg, "jsonld").decode(), format="json-ld")
    assert len(reimported) == len(real_kg) == len(reference)
    assert isomorphic(reimported, reference)


def same_values(graph: rdflib.Graph) -> set[tuple[object, object, object]]:
    """The triples with xsd:decimal literals compared by value: rdflib's Turtle writer prints the decimal
    the store holds as "70" in the shorthand 70.0, the same number in another lexical form."""
    decimal = rdflib.XSD.decimal
    return {(s, p, Decimal(str(o)).normalize() if isinstance(o, rdflib.Literal) and o.datatype == decimal else o)
            for s, p, o in graph}


def test_turtle_reimports_with_the_same_triples(real_kg: KnowledgeGraph) -> None:
    reference = rdflib.Graph().parse(data=export_bytes(real_kg, "nt").decode(), format="nt")
    turtle = rdflib.Graph().parse(data=export_bytes(real_kg, "ttl").decode(), format="turtle")
    assert len(turtle) == len(real_kg) and same_values(turtle) == same_values(reference)


def test_graphml_reimports_with_the_same_nodes_and_edges(tmp_path: Path, real_kg: KnowledgeGraph) -> None:
    from kg.analysis.network import evidence_network

    path = export(real_kg, "graphml", tmp_path / "evidence.graphml")
    reimported = nx.read_graphml(path)
    network = evidence_network(real_kg)
    assert (reimported.number_of_nodes(), reimported.number_of_edges()) == \
        (network.number_of_nodes(), network.number_of_edges())
    assert reimported.number_of_edges() > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_atomically(tmp_path: Path, mini_kg: KnowledgeGraph, fmt: str) -> None:
    target = tmp_path / "out" / f"graph{EXTENSIONS[fmt]}"
    export(mini_kg, fmt, target)
    assert target.read_bytes() == export_bytes(mini_kg, fmt)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left behind


def test_unknown_format_is_refused(mini_kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes(mini_kg, "xml")


def test_one_bibtex_entry_is_the_exported_one(real_kg: KnowledgeGraph) -> None:
    blocks = [b.strip() + "\n" for b in to_bibtex(real_kg).split("\n\n") if b.lstrip().startswith("@")]
    keys = [b.split("{", 1)[1].split(",", 1)[0] for b in blocks]
    assert len(keys) == 15  # 13 studies and 2 source articles
    assert [bibtex_entry(real_kg, k) for k in keys] == blocks
    assert bibtex_entry(real_kg, "no-such-key") is None

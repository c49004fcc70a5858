"""The bad-input corpus: every broken input fails with a located message, no traceback and no output file.

Each case is the curated data/ with one mutation: a file in tests/resources/bad/turtle/ is appended to
claims.ttl, one in tests/resources/bad/bibtex/ to references.bib (its first line, `# expect: REGEX` or
`% expect: REGEX`, is what the message must contain); the cases that are bytes or sizes rather than text
(NUL and other control characters, invalid UTF-8, a 50 MB field, 1,000-deep braces and blank nodes,
5,000-item lists) are generated here. Every case runs through `kg validate` and `kg build -o OUT` as
subprocesses, all at once in a small pool, each with a timeout (a bound against a hang, not a timed
assertion). Good-but-unusual inputs (tests/resources/bad/good/, CRLF, a BOM, a 5,000-item list, deep but
allowed nesting) must validate, build and keep their text.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.ingest.build import DataSources
from kg.model import paths
from kg.quality.validate import validate

BAD = Path(__file__).parent / "resources" / "bad"
KG = Path(sys.executable).with_name("kg")
TIMEOUT = 120  # seconds per command: a bound against a hang, far above the ~0.5 s a case takes
WORKERS = 3
# A line or a key; a problem with the whole file (missing, not UTF-8) names the file and what is wrong with it.
LOCATED = re.compile(r"(references\.bib|claims\.ttl)(:\d+|: error: \[[^\]]+\]|: error: (file not found|not UTF-8 text))")


@dataclass(frozen=True)
class Case:
    """One mutation of the good data, and what its message must contain."""

    name: str
    mutate: Callable[[Path], None]  # edits references.bib / claims.ttl in the given directory
    expect: str  # a regex the combined output must match


def _append(file_name: str, text: bytes) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        with (directory / file_name).open("ab") as out:
            out.write(b"\n" + text)
    return mutate


def _replace(file_name: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        path = directory / file_name
        data = path.read_bytes()
        assert old in data, f"{old!r} is no longer in data/{file_name}: update the case"
        path.write_bytes(data.replace(old, new, 1))
    return mutate


def _file_cases(folder: str, target: str, comment: str) -> list[Case]:
    cases = []
    for path in sorted((BAD / folder).iterdir()):
        text = path.read_bytes()
        header = text.split(b"\n", 1)[0].decode()
        assert header.startswith(f"{comment} expect: "), f"{path} must start with '{comment} expect: REGEX'"
        cases.append(Case(f"{folder}/{path.stem}", _append(target, text), header.split("expect: ", 1)[1]))
    return cases


def _article(key: str, **fields: str) -> bytes:
    base = {"author": "{Doe, J.}", "title": "{A study}", "journal": "{J Test}", "year": "{2020}", "verification": "{unverified}"}
    base.update(fields)
    return (f"@article{{{key},\n" + ",\n".join(f"  {k} = {v}" for k, v in base.items()) + "\n}\n").encode()


def _long_list(count: int, last: str) -> bytes:
    """A statement whose object is a Turtle list `( ... )` of `count` items, the last one written as `last`."""
    items = " ".join(f'"item {i}"' for i in range(count - 1))
    return f"<urn:x:listholder> rdfs:comment ( {items} {last} ) .\n".encode()


def _nested(levels: int) -> bytes:
    """A statement whose object is `levels` blank nodes `[ ... ]`, each inside the one before."""
    return b"<urn:x:a> rdfs:comment " + b"[ rdfs:comment " * levels + b"1" + b" ]" * levels + b" .\n"


GENERATED = [
    Case("generated/bib-nul-byte", _append(paths.BIB_NAME, _article("nul2020", title="{A \x00 title}")),
         r"references\.bib:\d+: error: \[nul2020\] \(title\) control character U\+0000"),
    Case("generated/bib-control-character", _append(paths.BIB_NAME, _article("bell2020", journal="{J \x07 Test}")),
         r"references\.bib:\d+: error: \[bell2020\] \(journal\) control character U\+0007"),
    Case("generated/bib-invalid-utf8", _append(paths.BIB_NAME, _article("utf2020").replace(b"A study", b"A \xff\xfe study")),
         r"references\.bib: error: not UTF-8 text"),
    Case("generated/bib-50mb-field", _append(paths.BIB_NAME, _article("huge2020", note="{" + "x" * 50_000_000 + "}")),
         r"references\.bib:\d+: error: \[huge2020\] \(note\) field is 50,000,000 characters long"),
    Case("generated/bib-1000-deep-braces", _append(paths.BIB_NAME, _article("deep2020", title="{" * 1000 + "x" + "}" * 1000)),
         r"references\.bib:\d+: error: \[deep2020\] \(title\) braces nested 999 deep inside the value \(at most 50\)"),
    Case("generated/bib-1000-deep-braces-in-author",
         _append(paths.BIB_NAME, _article("deepname2020", author="{" * 1000 + "Doe" + "}" * 1000)),
         r"references\.bib:\d+: error: \[deepname2020\] \(author\) braces nested 999 deep"),
    Case("generated/bib-1001-open-1000-closed-braces",
         _append(paths.BIB_NAME, _article("open2020", title="{" * 1001 + "x" + "}" * 1000)),
         r"references\.bib:\d+: error: \[open2020\] malformed entry"),
    Case("generated/ttl-nul-byte", _append(paths.CLAIMS_NAME, b'ref:weinberg2017hipspine rdfs:comment "a \x00 b" \x00 .\n'),
         r"claims\.ttl:\d+: error: control character U\+0000"),
    Case("generated/ttl-nul-in-string", _append(paths.CLAIMS_NAME, b'ref:weinberg2017hipspine rdfs:comment "a \x00 b" .\n'),
         r"claims\.ttl:\d+: error: control character U\+0000"),
    Case("generated/ttl-invalid-utf8", _append(paths.CLAIMS_NAME, b'ref:weinberg2017hipspine rdfs:comment "a \xff b" .\n'),
         r"claims\.ttl: error: not UTF-8 text"),
    Case("generated/ttl-ill-typed-result-value",
         _replace(paths.CLAIMS_NAME, b"qudt:value 84.0", b'qudt:value "abc"^^xsd:decimal'),
         r"claims\.ttl:\d+: error: \[res:rajeev2017-labral-sensitivity\] \(qudt:value\) ill-typed literal: \"abc\""),
    Case("generated/ttl-deep-nesting", _append(paths.CLAIMS_NAME, _nested(1000)[:-3] + b' ;\n  qudt:value "deep"^^xsd:decimal .'),
         r"claims\.ttl:\d+: error: \[urn:x:a\] blank nodes are nested 1000 levels deep \(at most 100\)"),
    Case("generated/ttl-nesting-one-too-deep", _append(paths.CLAIMS_NAME, _nested(101)),
         r"claims\.ttl:\d+: error: \[urn:x:a\] blank nodes are nested 101 levels deep"),
    Case("generated/ttl-ill-typed-in-5000-item-list", _append(paths.CLAIMS_NAME, _long_list(5000, '"x"^^xsd:integer')),
         r"claims\.ttl:\d+: error: .*ill-typed literal: \"x\" is not a valid xsd:integer"),
    Case("generated/claims-missing", lambda d: (d / paths.CLAIMS_NAME).unlink(), r"claims\.ttl: error:.*file not found"),
    Case("generated/bib-missing", lambda d: (d / paths.BIB_NAME).unlink(), r"references\.bib: error:.*not found"),
]
CASES = _file_cases("turtle", paths.CLAIMS_NAME, "#") + _file_cases("bibtex", paths.BIB_NAME, "%") + GENERATED


def _prepare(directory: Path, mutate: Callable[[Path], None]) -> Path:
    directory.mkdir(parents=True)
    for name in (paths.BIB_NAME, paths.CLAIMS_NAME):
        shutil.copyfile(paths.DEFAULT_DATA_DIR / name, directory / name)
    mutate(directory)
    return directory


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KG), *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, cwd=Path.cwd(),
                          errors="replace")


Outcome = tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every case's `kg validate` and `kg build -o OUT`, run concurrently once for the module."""
    root = tmp_path_factory.mktemp("bad")

    def one(index: int, case: Case) -> tuple[str, Outcome]:
        directory = _prepare(root / f"case{index}", case.mutate)
        out = directory / "out.nt"
        return case.name, (_run("validate", "--data", directory), _run("build", "--data", directory, "-o", out), out)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(lambda pair: one(*pair), enumerate(CASES)))


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_fails_located_without_traceback_or_output(case: Case, outcomes: dict[str, Outcome]) -> None:
    checked, built, out = outcomes[case.name]
    for command, result in (("validate", checked), ("build", built)):
        text = result.stdout + result.stderr
        assert result.returncode != 0, f"kg {command} accepted {case.name}:\n{text}"
        assert "Traceback" not in text, f"kg {command} on {case.name}:\n{text}"
        assert LOCATED.search(text), f"kg {command} on {case.name} names no file with a line or key:\n{text}"
        assert re.search(case.expect, text), f"kg {command} on {case.name} lacks {case.expect!r}:\n{text}"
    assert not out.exists(), f"kg build wrote {out} for {case.name}"


@dataclass(frozen=True)
class Good:
    """An unusual but valid mutation, and texts that must reach the graph unchanged as objects of `predicate`."""

    name: str
    mutate: Callable[[Path], None]
    predicate: rdflib.URIRef | None  # None: any predicate
    texts: tuple[str, ...]


def _good_cases() -> list[Good]:
    """good/*.bib start with `% title: TEXT` (a dcterms:title), good/*.ttl with `# keeps: TEXT` (any literal)."""
    cases = []
    for path in sorted((BAD / "good").iterdir()):
        text = path.read_bytes()
        header = text.split(b"\n", 1)[0].decode()
        if path.suffix == ".bib":
            cases.append(Good(f"good/{path.stem}", _append(paths.BIB_NAME, text), DCTERMS.title,
                              (header.removeprefix("% title: "),)))
        else:
            cases.append(Good(f"good/{path.stem}", _append(paths.CLAIMS_NAME, text), None, (header.removeprefix("# keeps: "),)))
    deep = "Fifty levels of braces"
    return cases + [
        Good("generated/bib-50-deep-braces", _append(paths.BIB_NAME, _article("braces2021", title="{" * 50 + deep + "}" * 50)),
             DCTERMS.title, (deep,)),
        Good("generated/ttl-5000-item-list", _append(paths.CLAIMS_NAME, _long_list(5000, '"item 4999"')), RDF.first,
             tuple(f"item {i}" for i in range(5000))),
        Good("generated/ttl-100-levels-of-blank-nodes", _append(paths.CLAIMS_NAME, _nested(100)), None, ("1",)),
    ]


GOOD = _good_cases()


@pytest.mark.parametrize("case", GOOD, ids=lambda c: c.name)
def test_unusual_but_good_input_builds_and_keeps_its_text(case: Good, tmp_path: Path) -> None:
    directory = _prepare(tmp_path / "data", case.mutate)
    out = tmp_path / "out.nt"
    # Without SHACL: an added paper has no evidence line or design yet, which the shapes report as curation to do.
    for result in (_run("validate", "--no-shacl", "--data", directory), _run("build", "--data", directory, "-o", out)):
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    graph = rdflib.Graph().parse(out, format="nt")
    kept = {str(o) for o in graph.objects(None, case.predicate) if isinstance(o, rdflib.Literal)}
    missing = [text for text in case.texts if text not in kept]
    assert not missing, f"{case.name} lost {missing[:3]}"


def test_a_long_list_builds_flat_and_in_order(tmp_path: Path) -> None:
    """A 5,000-item list is one level deep, not 5,000: its cells are named by position, its items keep their order."""
    directory = _prepare(tmp_path / "data", _append(paths.CLAIMS_NAME, _long_list(5000, '"item 4999"')))
    out = tmp_path / "out.nt"
    result = _run("build", "--data", directory, "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    graph = rdflib.Graph().parse(out, format="nt")
    head = graph.value(rdflib.URIRef("urn:x:listholder"), RDFS.comment)
    assert head == rdflib.URIRef("urn:x:listholder/comment")
    assert [str(item) for item in Collection(graph, head)] == [f"item {i}" for i in range(5000)]
    assert graph.value(head, RDF.rest) == rdflib.URIRef("urn:x:listholder/comment/2")


@pytest.fixture(scope="module")
def plain_build(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("plain") / "out.nt"
    result = _run("build", "--data", paths.DEFAULT_DATA_DIR, "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out.read_bytes()


def _crlf(directory: Path) -> None:
    for name in (paths.BIB_NAME, paths.CLAIMS_NAME):
        (directory / name).write_bytes((directory / name).read_bytes().replace(b"\n", b"\r\n"))


def _bom(directory: Path) -> None:
    for name in (paths.BIB_NAME, paths.CLAIMS_NAME):
        (directory / name).write_bytes(b"\xef\xbb\xbf" + (directory / name).read_bytes())


@pytest.mark.parametrize("mutate", [_crlf, _bom], ids=["crlf", "bom"])
def test_line_ends_and_a_byte_order_mark_change_nothing(mutate: Callable[[Path], None], plain_build: bytes,
                                                        tmp_path: Path) -> None:
    """Both files with Windows line ends, or with a UTF-8 byte-order mark: the same graph, byte for byte."""
    directory = _prepare(tmp_path / "data", mutate)
    out = tmp_path / "out.nt"
    for result in (_run("validate", "--data", directory), _run("build", "--data", directory, "-o", out)):
        assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes() == plain_build


def test_owl_imports_are_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation (parse, integrity and SHACL) with every socket refused: nothing tries the network."""
    directory = _prepare(tmp_path / "data", _append(paths.CLAIMS_NAME, (BAD / "turtle" / "owl-imports-remote.ttl").read_bytes()))

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the build opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    report = validate(DataSources.resolve(directory), shacl=True)
    assert any("owl:imports" in p.message and "example.org/remote.ttl" in (p.record or "") for p in report.errors), report.text()

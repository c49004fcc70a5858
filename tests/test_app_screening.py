"""The Screening page and the PRISMA diagram under AppTest, on a copy of data/ with imported records: include and
exclude write references.bib and the page shows the new status; the duplicate review decides a pair; the
Overview page draws the flow diagram with the graph's counts; the Studies page shows the status."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.ingest.bibtex import parse_bib
from kg.model import paths
from tests.support.apptest import app_data, ok, open_page, plain
from tests.support.review_data import review_data


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with app_data(review_data(tmp_path / "data"), monkeypatch) as directory:
        yield directory


def _fields(directory: Path, key: str) -> dict[str, str]:
    return {r.key: r for r in parse_bib(directory / paths.BIB_NAME)}[key].fields


def _metrics(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


def test_screening_page_lists_the_records_to_screen_with_counts(data_dir: Path) -> None:
    at = open_page("screening")
    assert _metrics(at) == {"To screen": "2", "Included": "14", "Excluded": "1", "Possible duplicates": "1"}
    shown = plain(" ".join(m.value for m in at.markdown))
    assert "Hip-spine syndrome: a cohort" in shown and "We followed patients" in shown
    assert "Gait in healthy runners" not in shown  # excluded: not in the "to screen" list
    excluded = open_page("screening", status="excluded")
    assert "Gait in healthy runners" in " ".join(m.value for m in excluded.markdown)


def test_include_and_exclude_write_the_file(data_dir: Path) -> None:
    before = (data_dir / paths.BIB_NAME).read_text(encoding="utf-8")
    at = open_page("screening")
    at.button(key="include_smith2019hipspine").click().run()
    ok(at)
    assert _fields(data_dir, "smith2019hipspine")["screening"] == "included"
    assert _metrics(at)["Included"] == "15" and _metrics(at)["To screen"] == "1"
    assert any("marked included" in s.value for s in at.success)
    at.selectbox(key="reason_lee2020mriagain").set_value("wrong population").run()
    at.button(key="exclude_lee2020mriagain").click().run()
    ok(at)
    fields = _fields(data_dir, "lee2020mriagain")
    assert (fields["screening"], fields["screening-reason"]) == ("excluded", "wrong population")
    assert _metrics(at)["Excluded"] == "2"
    after = (data_dir / paths.BIB_NAME).read_text(encoding="utf-8")
    assert len(after.splitlines()) == len(before.splitlines()) + 3  # three field lines, nothing else


def test_exclude_needs_a_reason(data_dir: Path) -> None:
    at = open_page("screening")
    assert at.button(key="exclude_smith2019hipspine").disabled
    at.selectbox(key="reason_smith2019hipspine").set_value("other (type it)").run()
    at.text_input(key="other_smith2019hipspine").input("a narrative review").run()
    at.button(key="exclude_smith2019hipspine").click().run()
    ok(at)
    assert _fields(data_dir, "smith2019hipspine")["screening-reason"] == "a narrative review"


def test_duplicate_review_decides_the_pair(data_dir: Path) -> None:
    at = open_page("screening")
    tables = [t.value for t in at.dataframe]
    pair = next(t for t in tables if "lee2020mriagain" in t.columns)
    assert list(pair.columns) == ["", "lee2020mriagain", "lee2020mri"]
    at.button(key="same_lee2020mriagain").click().run()
    ok(at)
    fields = _fields(data_dir, "lee2020mriagain")
    assert fields["duplicate-of"] == "lee2020mri" and "possible-duplicate-of" not in fields
    assert _metrics(at)["Possible duplicates"] == "0"


def test_overview_draws_the_prisma_diagram(data_dir: Path) -> None:
    at = open_page("overview")
    url = next(str(i.proto.imgs[0].url) for i in at.get("image"))
    assert url.startswith("data:image/svg+xml;base64,")  # an image, so nothing in it runs as page markup
    svg = base64.b64decode(url.split(",", 1)[1]).decode("utf-8")
    for expected in ("Records identified (n = 21)", "Records screened (n = 15)", "Studies included in review (n = 14)",
                     "not about the hip or spine: n = 1"):
        assert expected in svg
    assert any(b.label == "Download the diagram (SVG)" for b in at.get("download_button"))


def test_studies_page_shows_the_screening_status(data_dir: Path) -> None:
    at = open_page("studies")
    table = at.dataframe[0].value
    status = dict(zip(table["key"], table["screening"], strict=True))
    assert (status["smith2019hipspine"], status["kim2021gait"], status["barry2017early"]) == \
        ("to screen", "excluded", "included")

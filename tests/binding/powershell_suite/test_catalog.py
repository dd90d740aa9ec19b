"""Keeps the suite's documents in step with its code."""

from __future__ import annotations

import re
from pathlib import Path

from . import catalog, marks

HERE = Path(__file__).parent


def test_not_expressible_md_is_written_from_the_catalog():
    assert (HERE / "NOT_EXPRESSIBLE.md").read_text(encoding="utf-8") == catalog.render_markdown(), (
        "regenerate: cd tests/binding && python -m powershell_suite.catalog > powershell_suite/NOT_EXPRESSIBLE.md"
    )


def test_catalog_entries_are_unique_and_from_known_files():
    keys = [(entry.source, entry.case) for entry in catalog.NOT_EXPRESSIBLE]
    assert len(keys) == len(set(keys))
    assert {entry.source for entry in catalog.NOT_EXPRESSIBLE} <= set(catalog.FOUND)
    for source, found in catalog.FOUND.items():
        assert catalog.not_expressible_count(source) <= found


def test_every_disagreement_reason_is_explained():
    text = (HERE / "DISAGREEMENTS.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (D\d\d) ", text, flags=re.MULTILINE))
    used = {value.split(":", 1)[0] for name, value in vars(marks).items() if re.fullmatch(r"D\d\d_[A-Z_]+", name)}
    assert used == headings
    assert all(re.search(rf"^\| {d} \|", text, flags=re.MULTILINE) for d in used)


def test_every_missing_feature_is_proposed():
    text = (HERE / "SPEC_PROPOSALS.md").read_text(encoding="utf-8")
    for syntax in ("remaining_arguments: true", "not_null_or_white_space: true", "range: Positive",
                   "flags: true, values:", "allow_null: true"):
        assert syntax in text
    for name in ("DateTime", "UInt32", "UInt64", "Float", "Hashtable", "PSObject", "PSCustomObject", "Byte[]"):
        assert f"`{name}`" in text
    features = [value for name, value in vars(marks).items() if name.startswith("F_")]
    assert features and all(isinstance(feature, str) for feature in features)


def test_readme_counts_table_is_written_from_the_catalog():
    text = (HERE / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- counts:start -->\n", 1)[1].split("<!-- counts:end -->", 1)[0]
    assert table == catalog.render_counts_table()


def test_no_case_is_left_xfail():
    # The counts table says every expressible case passes; an xfail mark must update it (and DISAGREEMENTS.md).
    for path in HERE.glob("test_*.py"):
        if path.name == "test_catalog.py":
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(differs|missing)\(|mark\.xfail", source), path.name

"""``pyopenai-ps``'s output choices, in this process: the streaming table, ``--property``, ``--list``.

The terminal-only behaviour (wrapping at the terminal's width, colours, the pager) is in
test_cli_terminal.py.
"""

from __future__ import annotations

import io
import json
import re
import sys
import weakref

import pytest

from pyopenai_ps.spec.load import bundled_specs_dir
from cli_support import EXAMPLE_1, EXAMPLE_2, SEED_RUNS, json_lines, run_main

from pyopenai_ps.cli.streams import NO_PROGRESS
from pyopenai_ps.cli.writers import make_writer
from pyopenai_ps.runtime.views import SAMPLE_ROWS

# --- the table streams --------------------------------------------------------------------------


class _WatchedOut(io.StringIO):
    """stdout that notes how many requests the server had seen when each line was written."""

    def __init__(self, server) -> None:
        super().__init__()
        self.server = server
        self.seen: list[tuple[int, str]] = []

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self.seen.append((len(self.server.requests), line))
        return super().write(text)


def test_table_rows_are_written_before_the_listing_ends(srv, monkeypatch):
    srv.store.add_runs("thread_abc456", 250)  # three pages
    out = _WatchedOut(srv)
    real_stdout = sys.stdout

    def main_with_watched_stdout(*args):
        from pyopenai_ps.cli import main

        monkeypatch.setattr(sys, "stdout", out)
        try:
            return main(list(args))
        finally:
            monkeypatch.setattr(sys, "stdout", real_stdout)

    monkeypatch.setenv("OPENAI_API_BASE", srv.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-table-0123456789")
    monkeypatch.setenv("COLUMNS", "120")
    assert main_with_watched_stdout("--format", "table", "Get-ThreadRun", "thread_abc456", "-All") == 0
    header = out.seen[0]
    assert header[1].split() == ["id", "status", "created_at", "model"]
    assert header[0] == 1  # the header and the first rows came while only the first page was read
    rows = [line for _, line in out.seen[2:]]
    assert len(rows) == 250 and rows[0].startswith("run_") and rows[-1].startswith("run_")
    assert [count for count, _ in out.seen[:2 + SAMPLE_ROWS]] == [1] * (2 + SAMPLE_ROWS)
    assert out.seen[-1][0] == 3


class _Row(dict):
    """A dict that can be watched with a weak reference."""

    __hash__ = object.__hash__  # type: ignore[assignment]


def test_the_table_holds_at_most_its_sample(monkeypatch):
    alive: weakref.WeakSet[_Row] = weakref.WeakSet()
    most = 0
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    writer = make_writer("table", NO_PROGRESS, columns=("id", "status"))
    for n in range(2000):
        row = _Row(id=f"run_{n}", status="completed", blob="x" * 1000)
        alive.add(row)
        writer.write(row)
        del row
        most = max(most, len(alive))
    writer.close()
    text = sys.stdout.getvalue()
    assert most <= SAMPLE_ROWS  # memory stays flat in the number of rows
    assert len(text.splitlines()) == 2 + 2000
    assert text.splitlines()[0].split() == ["id", "status"]


def test_a_short_table_is_written_when_the_listing_ends(srv):
    done = run_main(srv, "--format", "table", "Get-ThreadRun", "thread_abc123", "-Limit", "3")
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["id", "--", "run_abc116", "run_abc117",
                                                                      "run_abc118"]


def test_a_table_without_a_spec_view_takes_the_first_objects_properties(srv):
    done = run_main(srv, "--format", "table", "Get-Thread", "thread_abc123")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split()[:3] == ["id", "object", "created_at"]


# --- --property ---------------------------------------------------------------------------------


@pytest.mark.parametrize("option", [["--property", "id,status,created_at"], ["--property=id,status,created_at"],
                                    ["--property", "id", "--property", "Status,CREATED_AT"]])
def test_property_chooses_the_fields_of_json_lines(srv, option):
    done = run_main(srv, *option, *EXAMPLE_2)
    assert done.returncode == 0, done.stderr
    records = json_lines(done.stdout)
    assert [list(r) for r in records] == [["id", "status", "created_at"]] * len(SEED_RUNS)
    assert records[-1] == {"id": "run_abc123", "status": "completed", "created_at": "2023-11-14T22:21:20+00:00"}


def test_property_in_every_format(srv):
    done = run_main(srv, "--format", "json", "--property", "id,status", *EXAMPLE_2)
    assert json.loads(done.stdout)[0] == {"id": "run_abc116", "status": "expired"}
    done = run_main(srv, "--format", "list", "--property", "status,id", *EXAMPLE_1)
    assert done.stdout == "status : completed\nid     : run_abc123\n"
    done = run_main(srv, "--format", "table", "--property", "id,model", *EXAMPLE_2)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["id", "model"] and lines[2].split() == ["run_abc116", "gpt-4o-mini"]


def test_property_wildcards_and_missing_names(srv):
    done = run_main(srv, "--property", "id,*_at,nothing_here", *EXAMPLE_1)
    [record] = json_lines(done.stdout)
    assert list(record) == ["id", "created_at", "expires_at", "started_at", "cancelled_at", "failed_at",
                            "completed_at", "nothing_here"]
    assert record["nothing_here"] is None  # as Select-Object adds a property it does not find


def test_property_in_a_line(srv):
    done = run_main(srv, "--property", "id", "-c", "Get-ThreadRun thread_abc123 -Limit 2")
    assert json_lines(done.stdout) == [{"id": "run_abc116"}, {"id": "run_abc117"}]


@pytest.mark.parametrize("args, message", [
    (["--property"], "pyopenai-ps: --property needs a value"),
    (["--property", ",", *EXAMPLE_1], "pyopenai-ps: --property needs property names"),
    ([*EXAMPLE_1, "--property", "id"], "Get-ThreadRun: A positional parameter cannot be found"),
])
def test_property_usage_errors(srv, args, message):
    done = run_main(srv, *args)
    assert done.returncode == 2 and done.stderr.startswith(message)
    assert srv.requests == []


# --- --list -------------------------------------------------------------------------------------


#: The bundled cmdlets, as --list orders them.
BUNDLED = sorted((p.stem for p in bundled_specs_dir().glob("*.yaml") if not p.name.startswith("_")), key=str.lower)


def test_list_shows_each_cmdlets_synopsis(srv):
    done = run_main(srv, "--list")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == BUNDLED
    assert any(re.fullmatch(r"Get-Batch +Gets a batch, or lists the batches\.", line) for line in lines)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("format_first", [True, False])
def test_list_honours_the_format(srv, fmt, format_first):
    args = ["--format", fmt, "--list"] if format_first else ["--list", "--format", fmt]
    done = run_main(srv, *args)
    assert done.returncode == 0
    entries = json.loads(done.stdout) if fmt == "json" else json_lines(done.stdout)
    assert {"Name": "Get-Thread", "Synopsis": "Gets a thread."} in entries
    assert len(entries) == len(BUNDLED)


def test_list_takes_no_cmdlet_name(srv):
    done = run_main(srv, "--list", "Get-Thread")
    assert done.returncode == 2 and "--list takes no cmdlet name" in done.stderr


@pytest.mark.parametrize("other", [["--version"], ["-c", "Get-Thread thread_abc123"]])
def test_list_is_not_combined_with_a_line_or_the_version(srv, other):
    done = run_main(srv, "--list", *other)
    assert done.returncode == 2 and f"--list cannot be combined with {other[0]}" in done.stderr
    assert srv.requests == [] and done.stdout == ""


def test_list_as_a_table_and_with_property(srv):
    done = run_main(srv, "--format", "table", "--property", "Name", "--list")
    assert done.stdout.splitlines()[:3] == ["Name", "----", BUNDLED[0]]

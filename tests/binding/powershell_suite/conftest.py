"""Registers this suite's markers and prints, after a run, how PowerShell's cases fared.

The table counts cases (an ``It`` block or one TestCases row) per PowerShell test file:
found (catalog.FOUND), not expressible (catalog.NOT_EXPRESSIBLE), expressible (distinct
``ps_source`` cases among the collected tests), and of those: passing, xfail because our
binder differs, xfail because a spec feature is missing.  A case with several pytest items
counts as passing only when all of them pass.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from . import catalog
from .marks import MISSING_PREFIX

_CASE_OF: dict[str, tuple[str, str, str]] = {}  # nodeid -> (kind, source, case)
_OUTCOME: dict[str, str] = {}  # nodeid -> passed | differs | missing | failed | skipped


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ps_source(source, case): the PowerShell test file and It title translated")
    config.addinivalue_line("markers", "cs_source(source, function): a rule confirmed in PowerShell's C# source")
    config.addinivalue_line("markers", "spec_proposal(feature, source): a case of a proposed spec feature")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for kind in ("ps_source", "cs_source", "spec_proposal"):
            marker = item.get_closest_marker(kind)
            if marker is not None:
                if kind == "ps_source":
                    _CASE_OF[item.nodeid] = (kind, *marker.args)
                else:  # one case per test function
                    _CASE_OF[item.nodeid] = (kind, marker.args[0], f"{marker.args[1]} :: {item.originalname}")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _CASE_OF:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if hasattr(report, "wasxfail"):
            outcome = "missing" if report.wasxfail.startswith(MISSING_PREFIX) else "differs"
            if report.passed:  # strict xfail that passed is reported as failed by pytest already
                outcome = "failed"
        elif report.skipped:
            outcome = "skipped"
        else:
            outcome = "passed" if report.passed else "failed"
        previous = _OUTCOME.get(report.nodeid)
        if previous is None or report.when == "call":
            _OUTCOME[report.nodeid] = outcome


def _case_outcome(outcomes: list[str]) -> str:
    for worst in ("failed", "skipped", "missing", "differs"):
        if worst in outcomes:
            return worst
    return "passed"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if not _OUTCOME:
        return
    per_case: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for nodeid, outcome in _OUTCOME.items():
        per_case[_CASE_OF[nodeid]].append(outcome)
    write = terminalreporter.write_line
    write("")
    write("PowerShell binding suite: cases per source file")
    header = f"{'source':<72} {'found':>5} {'n/e':>4} {'expr':>4} {'pass':>4} {'diff':>4} {'miss':>4} {'fail':>4}"
    write(header)
    totals = defaultdict(int)
    ran_everything = len({src for (kind, src, _c) in per_case if kind == "ps_source"}) == len(catalog.FOUND)
    for source, found in catalog.FOUND.items():
        cases = {key: outs for key, outs in per_case.items() if key[0] == "ps_source" and key[1] == source}
        not_expressible = catalog.not_expressible_count(source)
        counts = defaultdict(int)
        for outs in cases.values():
            counts[_case_outcome(outs)] += 1
        row = (found, not_expressible, len(cases), counts["passed"], counts["differs"], counts["missing"],
               counts["failed"] + counts["skipped"])
        for name, value in zip(("found", "ne", "expr", "pass", "diff", "miss", "fail"), row):
            totals[name] += value
        flag = "" if not cases or found == not_expressible + len(cases) else "  <- found != n/e + expr"
        write(f"{source:<72} " + " ".join(f"{v:>{w}}" for v, w in zip(row, (5, 4, 4, 4, 4, 4, 4))) + flag)
    if ran_everything:
        names = ("found", "ne", "expr", "pass", "diff", "miss", "fail")
        widths = (5, 4, 4, 4, 4, 4, 4)
        write(f"{'total':<72} " + " ".join(f"{totals[n]:>{w}}" for n, w in zip(names, widths)))
    for kind, label in (("cs_source", "C#-confirmed rules without a PowerShell test"),
                        ("spec_proposal", "Cases of the spec proposals")):
        extra = {key: outs for key, outs in per_case.items() if key[0] == kind}
        if not extra:
            continue
        counts = defaultdict(int)
        for outs in extra.values():
            counts[_case_outcome(outs)] += 1
        write(
            f"{label}: {len(extra)} cases, {counts['passed']} pass, "
            f"{counts['differs']} xfail (binder differs), {counts['missing']} xfail (spec feature missing), "
            f"{counts['failed'] + counts['skipped']} fail"
        )
    items = defaultdict(int)
    for outcome in _OUTCOME.values():
        items[outcome] += 1
    write("pytest items: " + ", ".join(f"{k} {v}" for k, v in sorted(items.items())))

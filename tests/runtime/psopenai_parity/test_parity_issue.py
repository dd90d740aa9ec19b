"""The issue's parity bullets for the six cmdlets, each checked against PSOpenAI 3.7.0's source.

Source lines are cited as ``Public/<dir>/<Cmdlet>.ps1:<line>`` of the reference copy.  Where
today's package does not do what 3.7.0 does, the test is ``xfail(strict=True)`` with the
difference as its reason, so it turns into a failure (and the mark comes off) once fixed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from parity_support import assistant_obj, batch_obj, message_obj, page, run_obj, step_obj, thread_obj

import pyopenai_ps as ps

SIX = ["Get-ThreadRun", "Get-Thread", "Get-ThreadMessage", "Get-ThreadRunStep", "Get-Assistant", "Get-Batch"]
LISTING = ["Get-ThreadRun", "Get-ThreadMessage", "Get-ThreadRunStep", "Get-Assistant", "Get-Batch"]

RUN = {"id": "run_abc123", "thread_id": "thread_abc123"}

# What each listing cmdlet needs besides the listing options, as a line fragment and as a pipeline record.
TARGET_LINE = {
    "Get-ThreadRun": "-Thread thread_abc123",
    "Get-ThreadMessage": "-Thread thread_abc123",
    "Get-ThreadRunStep": "",  # the run comes through the pipeline (3.7.0 takes only a run object)
    "Get-Assistant": "",
    "Get-Batch": "",
}
LIST_PATH = {
    "Get-ThreadRun": "/threads/thread_abc123/runs",
    "Get-ThreadMessage": "/threads/thread_abc123/messages",
    "Get-ThreadRunStep": "/threads/thread_abc123/runs/run_abc123/steps",
    "Get-Assistant": "/assistants",
    "Get-Batch": "/batches",
}
MAKE = {
    "Get-ThreadRun": lambda i: run_obj(id=f"run_{i:04d}"),
    "Get-ThreadMessage": lambda i: message_obj(id=f"msg_{i:04d}"),
    "Get-ThreadRunStep": lambda i: step_obj(id=f"step_{i:04d}"),
    "Get-Assistant": lambda i: assistant_obj(id=f"asst_{i:04d}"),
    "Get-Batch": lambda i: batch_obj(id=f"batch_{i:04d}"),
}
SINGLE = {  # (keyword arguments, path) of a one-object call
    "Get-ThreadRun": ({"thread_id": "thread_abc123", "run_id": "run_abc123"}, "/threads/thread_abc123/runs/run_abc123"),
    "Get-Thread": ({"thread_id": "thread_abc123"}, "/threads/thread_abc123"),
    "Get-ThreadMessage": ({"thread_id": "thread_abc123", "message_id": "msg_abc123"},
                          "/threads/thread_abc123/messages/msg_abc123"),
    "Get-ThreadRunStep": ({"run": dict(RUN), "step_id": "step_abc123"},
                          "/threads/thread_abc123/runs/run_abc123/steps/step_abc123"),
    "Get-Assistant": ({"assistant": "asst_abc123"}, "/assistants/asst_abc123"),
    "Get-Batch": ({"batch_id": "batch_abc123"}, "/batches/batch_abc123"),
}
SINGLE_BODY = {
    "Get-ThreadRun": run_obj(), "Get-Thread": thread_obj(), "Get-ThreadMessage": message_obj(),
    "Get-ThreadRunStep": step_obj(), "Get-Assistant": assistant_obj(), "Get-Batch": batch_obj(),
}


def xfail(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def case(name: str, reason: str | None = None):
    """One cmdlet as a parameter, xfail with ``reason`` when today's package differs from 3.7.0."""
    return pytest.param(name, id=name, marks=[xfail(reason)] if reason else [])


def _line(name: str, rest: str) -> str:
    return " ".join(part for part in (name, TARGET_LINE[name], rest) if part)


def _bind(name: str, rest: str):
    """Bind a line; Get-ThreadRunStep gets its run object as the pipeline record."""
    if name == "Get-ThreadRunStep":
        return ps.bind(_line(name, rest), input=[dict(RUN)])[0]
    return ps.bind(_line(name, rest))


def _run(name: str, rest: str):
    if name == "Get-ThreadRunStep":
        return ps.invoke(_line(name, rest), input=[dict(RUN)])
    return ps.invoke(_line(name, rest))


# ======================================================================================
# Bullet 1: -All is not mandatory in ListAll (Public/*: [Parameter(ParameterSetName = 'ListAll')] [switch]$All)
# ======================================================================================

ALL_MANDATORY = ("-All is mandatory in our ListAll set; 3.7.0 declares it [Parameter(ParameterSetName = 'ListAll')] "
                 "without Mandatory ({src})")


class TestAllNotMandatory:
    @xfail(ALL_MANDATORY.format(src="Public/Runs/Get-ThreadRun.ps1:20") + ", so the issue's example fails with "
           "MissingMandatoryParameter All instead of binding ListAll")
    def test_issue_example_binds_listall(self):
        """The issue: ``Get-ThreadRun -Thread t -After run_x`` binds ListAll."""
        binding = ps.bind("Get-ThreadRun -Thread t -After run_x")
        assert binding.parameter_set == "ListAll"
        assert dict(binding.bound) == {"InputObject": "t", "After": "run_x"}

    @pytest.mark.parametrize("name", [
        case("Get-ThreadRun", ALL_MANDATORY.format(src="Public/Runs/Get-ThreadRun.ps1:20")),
        case("Get-ThreadMessage", ALL_MANDATORY.format(src="Public/Threads/Get-ThreadMessage.ps1:20")
             + "; and -After does not exist"),
        case("Get-ThreadRunStep", ALL_MANDATORY.format(src="Public/Runs/Get-ThreadRunStep.ps1:19")
             + "; and -After does not exist"),
        case("Get-Assistant", ALL_MANDATORY.format(src="Public/Assistants/Get-Assistant.ps1:15")
             + "; and -After does not exist"),
        case("Get-Batch", "-After does not exist on Get-Batch (Public/Batch/Get-Batch.ps1:17-18 declares it)"),
    ])
    def test_after_alone_binds_listall(self, name):
        """A ListAll-only parameter without -All picks ListAll (PowerShell's set resolution, All optional)."""
        binding = _bind(name, "-After x_cursor")
        assert binding.parameter_set == "ListAll"
        assert "All" not in binding.bound

    @xfail(ALL_MANDATORY.format(src="Public/Runs/Get-ThreadRun.ps1:20") + ": without -All the request is never sent")
    def test_after_alone_requests_as_listall(self, rec):
        """``-After`` without ``-All``: 3.7.0's ListAll branch (Get-ThreadRun.ps1:116-128): limit=100, order, after."""
        rec.object("/threads/thread_abc123/runs", page([run_obj()]))
        ps.invoke("Get-ThreadRun -Thread thread_abc123 -After run_0001")
        assert rec.only().query == {"limit": "100", "order": "asc", "after": "run_0001"}

    @pytest.mark.parametrize("name", LISTING)
    def test_all_false_still_listall(self, name):
        """``-All:$false`` binds the switch, so the set is ListAll (3.7.0 then pages by set, not by value)."""
        binding = _bind(name, "-All:$false")
        assert binding.parameter_set == "ListAll"

    @pytest.mark.parametrize("name", LISTING)
    def test_no_listing_option_is_the_default_list(self, name):
        assert _bind(name, "").parameter_set == "List"


# ======================================================================================
# Bullet 1 (help): -? renders SYNTAX as the declaration implies
# ======================================================================================


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("pyopenai-ps")
    if script.exists():
        return [str(script)]
    found = shutil.which("pyopenai-ps")
    return [found] if found else [sys.executable, "-m", "pyopenai_ps"]


_HELP: dict[str, str] = {}


def help_text(name: str) -> str:
    """``pyopenai-ps help <name> -Full`` (the package's help for a cmdlet, with the syntax blocks as
    the help files lay them out), run once per cmdlet."""
    if name not in _HELP:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        done = subprocess.run([*_cli(), "help", name, "-Full"], capture_output=True, text=True, timeout=60, env=env,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        _HELP[name] = done.stdout
    return _HELP[name]


def syntax_blocks(name: str) -> dict[str, list[str]]:
    """The SYNTAX section as {set name: [lines]} ('' when the cmdlet has one set)."""
    text = help_text(name)
    section = text.split("\nSYNTAX\n", 1)[1]
    section = re.split(r"\n(?=[A-Z][A-Z ]+\n)", section, maxsplit=1)[0]
    blocks: dict[str, list[str]] = {}
    current = ""
    for raw in section.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("### "):
            current = line[4:].replace(" (Default)", "")
            continue
        blocks.setdefault(current, []).append(line)
    return blocks


class TestHelpSyntax:
    @pytest.mark.parametrize("name", [
        case("Get-ThreadRun", ALL_MANDATORY.format(src="Public/Runs/Get-ThreadRun.ps1:20")
             + "; -? shows '-All' (the help's SYNTAX) instead of '[-All]'"),
        case("Get-ThreadMessage", ALL_MANDATORY.format(src="Public/Threads/Get-ThreadMessage.ps1:20")
             + "; -? shows '-All' instead of '[-All]'"),
        case("Get-ThreadRunStep", ALL_MANDATORY.format(src="Public/Runs/Get-ThreadRunStep.ps1:19")
             + "; -? shows '-All' instead of '[-All]'"),
        case("Get-Assistant", ALL_MANDATORY.format(src="Public/Assistants/Get-Assistant.ps1:15")
             + "; -? shows '-All' instead of '[-All]'"),
        case("Get-Batch"),
    ])
    def test_listall_shows_all_as_optional(self, name):
        block = syntax_blocks(name)["ListAll"]
        assert "[-All]" in block
        assert "-All" not in block

    @pytest.mark.parametrize("name", SIX)
    def test_additional_query_and_headers_are_shown(self, name):
        for set_name, block in syntax_blocks(name).items():
            assert "[-AdditionalQuery <IDictionary>]" in block, set_name
            assert "[-AdditionalHeaders <IDictionary>]" in block, set_name

    @pytest.mark.parametrize("name", SIX)
    def test_additional_body_is_shown(self, name):
        for set_name, block in syntax_blocks(name).items():
            assert "[-AdditionalBody <Object>]" in block, set_name

    @pytest.mark.parametrize("name", SIX)
    def test_dontshow_parameters_stay_hidden(self, name):
        """-After, -Before, -Primitive, -ApiVersion are DontShow in 3.7.0: never in SYNTAX."""
        text = "\n".join(line for block in syntax_blocks(name).values() for line in block)
        for hidden in ("-After", "-Before", "-Primitive", "-ApiVersion"):
            assert hidden not in text


# ======================================================================================
# Bullet 2: hidden -After/-Before on every listing cmdlet (Get-Batch: -After only)
# ======================================================================================

NO_CURSORS = "{p} does not exist on {n}; 3.7.0 declares [Parameter(ParameterSetName = 'ListAll', DontShow)] [string]${p2} ({src})"


class TestCursors:
    @pytest.mark.parametrize("name", [
        case("Get-ThreadRun"),
        case("Get-ThreadMessage", NO_CURSORS.format(p="-After/-Before", n="Get-ThreadMessage", p2="After/$Before",
                                                    src="Public/Threads/Get-ThreadMessage.ps1:23-27")),
        case("Get-ThreadRunStep", NO_CURSORS.format(p="-After/-Before", n="Get-ThreadRunStep", p2="After/$Before",
                                                    src="Public/Runs/Get-ThreadRunStep.ps1:22-26")),
        case("Get-Assistant", NO_CURSORS.format(p="-After/-Before", n="Get-Assistant", p2="After/$Before",
                                                src="Public/Assistants/Get-Assistant.ps1:18-22")),
    ])
    def test_after_and_before_reach_the_first_request(self, rec, name):
        """ListAll's first request: limit=100, order, after, before (e.g. Get-ThreadRun.ps1:117-126)."""
        rec.listing(LIST_PATH[name], [MAKE[name](i) for i in range(1, 4)])
        _run(name, "-All -After x_after -Before x_before")
        assert rec.requests[0].query == {"limit": "100", "order": "asc", "after": "x_after", "before": "x_before"}

    @xfail(NO_CURSORS.format(p="-After", n="Get-Batch", p2="After", src="Public/Batch/Get-Batch.ps1:17-18"))
    def test_batch_after_reaches_the_first_request(self, rec):
        """Get-Batch.ps1:93-102: limit=100 and after (no order, no before)."""
        rec.listing("/batches", [batch_obj(id=f"batch_{i:04d}") for i in range(1, 4)])
        ps.invoke("Get-Batch -All -After batch_0001")
        assert rec.requests[0].query == {"limit": "100", "after": "batch_0001"}

    def test_batch_has_no_before(self):
        """Get-Batch.ps1:20-21: $Before is commented out."""
        with pytest.raises(ps.ParameterBindingError) as caught:
            ps.bind("Get-Batch -All -Before batch_0001")
        assert caught.value.error_id == "NamedParameterNotFound"

    @pytest.mark.parametrize("name", [
        case("Get-ThreadRun"),
        case("Get-ThreadMessage", NO_CURSORS.format(p="-Before", n="Get-ThreadMessage", p2="Before",
                                                    src="Public/Threads/Get-ThreadMessage.ps1:26-27")),
        case("Get-ThreadRunStep", NO_CURSORS.format(p="-Before", n="Get-ThreadRunStep", p2="Before",
                                                    src="Public/Runs/Get-ThreadRunStep.ps1:25-26")),
        case("Get-Assistant", NO_CURSORS.format(p="-Before", n="Get-Assistant", p2="Before",
                                                src="Public/Assistants/Get-Assistant.ps1:21-22")),
    ])
    def test_next_page_keeps_before_and_moves_after(self, rec, name):
        """3.7.0 pages by calling itself with $PSBoundParameters and After = last_id: Before stays in every request."""
        items = [MAKE[name](i) for i in range(1, 206)]
        rec.listing(LIST_PATH[name], items)
        out = _run(name, "-All -Before x_end")
        assert len(out) == 205
        assert [r.query for r in rec.requests] == [
            {"limit": "100", "order": "asc", "before": "x_end"},
            {"limit": "100", "order": "asc", "before": "x_end", "after": items[99]["id"]},
            {"limit": "100", "order": "asc", "before": "x_end", "after": items[199]["id"]},
        ]

    @pytest.mark.parametrize("name", LISTING)
    def test_all_follows_last_id(self, rec, name):
        """-All follows ``after=<last_id>`` while has_more (Get-Batch too: 3.7.0 calls the misspelt
        ``PSOpenAI\\Get-Bacth`` there, Get-Batch.ps1:158, and fails; not reproduced, deliberately)."""
        items = [MAKE[name](i) for i in range(1, 151)]
        rec.listing(LIST_PATH[name], items)
        out = _run(name, "-All")
        assert len(out) == 150
        assert [r.query.get("after") for r in rec.requests] == [None, items[99]["id"]]
        assert all(r.query["limit"] == "100" for r in rec.requests)


# ======================================================================================
# Bullet 3: -AdditionalQuery, -AdditionalHeaders visible (see TestHelpSyntax), -AdditionalBody, -Primitive
# ======================================================================================



class TestAdditionalParameters:
    @pytest.mark.parametrize("name", SIX)
    def test_additional_query_is_added(self, rec, name):
        """Invoke-OpenAIAPIRequest.ps1:84-92 adds each AdditionalQuery entry to the query."""
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs, additional_query={"include": "x"})
        assert rec.only().query == {"include": "x"}

    @pytest.mark.parametrize("name", SIX)
    def test_additional_headers_are_added_and_win(self, rec, name):
        """Invoke-OpenAIAPIRequest.ps1:95-101: the cmdlet's headers, then AdditionalHeaders over them."""
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs, additional_headers={"X-Extra": "1", "OpenAI-Beta": "assistants=v9"})
        sent = rec.only()
        assert sent.header("X-Extra") == "1"
        assert sent.header("OpenAI-Beta") == "assistants=v9"

    @pytest.mark.parametrize("name", SIX)
    def test_additional_body_is_accepted_and_sends_nothing_on_get(self, rec, name):
        """A GET has no $Body, and Invoke-OpenAIAPIRequest.ps1:109-134 merges AdditionalBody only into a body."""
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs, additional_body={"extra": 1})
        sent = rec.only()
        assert (sent.method, sent.path, sent.body) == ("GET", path, b"")

    @pytest.mark.parametrize("name", [
        case("Get-ThreadRun", "-Primitive does not exist on Get-ThreadRun; 3.7.0 declares "
                              "[Parameter(DontShow)] [switch]$Primitive (Public/Runs/Get-ThreadRun.ps1:61-62)"),
        case("Get-Thread", "-Primitive does not exist on Get-Thread; 3.7.0 declares "
                           "[Parameter(DontShow)] [switch]$Primitive (Public/Threads/Get-Thread.ps1:38-39)"),
    ])
    def test_primitive_exists_where_370_has_it(self, rec, name):
        """With -Primitive 3.7.0 adds no derived property that needs a request (ObjectParser.ps1:169-174)."""
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs, primitive=True)
        assert rec.only().path == path

    @pytest.mark.parametrize("name", ["Get-ThreadMessage", "Get-ThreadRunStep", "Get-Assistant", "Get-Batch"])
    def test_no_primitive_where_370_has_none(self, name):
        with pytest.raises(ps.ParameterBindingError) as caught:
            _bind(name, "-Primitive")
        assert caught.value.error_id == "NamedParameterNotFound"


# ======================================================================================
# Bullet 5: -Debug sends OpenAI-Debug: true; the organization is trimmed
# ======================================================================================


class TestDebugAndOrganization:
    @pytest.mark.parametrize("name", SIX)
    def test_debug_sends_openai_debug_header(self, rec, name, capsys):
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs, debug=True)
        assert rec.only().header("OpenAI-Debug") == "true"

    @pytest.mark.parametrize("name", SIX)
    def test_no_debug_no_header(self, rec, name):
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs)
        assert rec.only().header("OpenAI-Debug") is None

    @pytest.mark.parametrize("name", SIX)
    def test_organization_parameter_is_trimmed(self, rec, name):
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs, organization="  org-parity  ")
        assert rec.only().header("OpenAI-Organization") == "org-parity"

    def test_global_organization_is_trimmed(self, rec, monkeypatch):
        monkeypatch.setattr(ps, "OPENAI_ORGANIZATION", "org-parity \t", raising=False)
        rec.object("/threads/thread_abc123", thread_obj())
        ps.get_thread("thread_abc123")
        assert rec.only().header("OpenAI-Organization") == "org-parity"

    @pytest.mark.parametrize("name", SIX)
    def test_blank_organization_is_not_sent(self, rec, name):
        """``[string]::IsNullOrWhiteSpace($Organization)``: no header (Invoke-OpenAIAPIRequest.ps1:190)."""
        kwargs, path = SINGLE[name]
        rec.object(path, SINGLE_BODY[name])
        ps.get_command(name)(**kwargs, organization="   ")
        assert rec.only().header("OpenAI-Organization") is None

    def test_organization_as_given_otherwise(self, rec):
        rec.object("/threads/thread_abc123", thread_obj())
        ps.get_thread("thread_abc123", org_id="org-parity")
        sent = rec.only()
        assert sent.header("OpenAI-Organization") == "org-parity"
        assert sent.header("Authorization") == "Bearer " + ps.OPENAI_API_KEY

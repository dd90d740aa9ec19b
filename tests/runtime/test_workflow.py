"""The workflow of PSOpenAI's guide (Guides/How_to_use_Assistants.md) end to end against the bundled server:
New-Assistant, New-Thread, Add-ThreadMessage, Start-ThreadRun, Wait-ThreadRun, Receive-ThreadRun, then
``$Thread.Messages.SimpleContent`` and the run's steps; from Python with objects passed along, and as one
``invoke`` line. (The command line's pipe of processes is in tests/cli/test_cli_runs.py.)
"""

from __future__ import annotations

import pytest

import pyopenai_ps as ps

pytestmark = pytest.mark.skipif(
    not {"New-Assistant", "Add-ThreadMessage"} <= set(ps.get_commands()),
    reason="needs New-Assistant/Add-ThreadMessage")

QUESTION = "Please make a graph of y=3x+14 and output it as a PNG image."


def simple_content(thread) -> list[tuple[str, str, str]]:
    """``$Thread.Messages.SimpleContent``: every part of every message, as (Role, Type, Content)."""
    return [(part.Role, part.Type, part.Content) for message in thread.Messages for part in message.SimpleContent]


def test_the_guide_from_python(api):
    # Step 1: an assistant
    assistant = ps.new_assistant(name="Math Teacher", model="gpt-3.5-turbo-0613", use_code_interpreter=True,
                                 instructions="You are a personal math tutor. Write and run code to answer "
                                              "math questions.")
    # Step 2: a thread with a first message
    thread = ps.new_thread()
    thread = ps.get_command("Add-ThreadMessage").pipe([thread], message=QUESTION, pass_thru=True)[0]
    assert [m.role for m in thread.Messages] == ["user"]
    # Step 3: a run, queued
    run = ps.start_thread_run(thread_id=thread, assistant=assistant)
    assert run.status == "queued" and run.assistant_id == assistant.id
    # Step 4: wait for it, then receive the thread
    run = ps.get_command("Wait-ThreadRun").pipe([run])[0]
    assert run.status == "completed"
    thread = ps.get_command("Receive-ThreadRun").pipe([run])[0]
    # Step 5: the messages, read simply
    assert simple_content(thread) == [("user", "text", QUESTION), ("assistant", "text", f"You said: {QUESTION}")]
    # Step 7: the steps of the run
    steps = ps.get_command("Get-ThreadRunStep").pipe([run])
    assert [s.type for s in steps] == ["message_creation"]
    assert steps[0].SimpleContent[0].Content == f"You said: {QUESTION}"
    assert api.slept == [0.2, 0.4]  # the wait's delays, recorded rather than slept


def test_the_guide_as_one_line(api):
    assistant = ps.new_assistant(model="gpt-4o")
    threads = ps.invoke(f"New-Thread | Add-ThreadMessage -Message 'What is 2 + 2?' -PassThru | "
                        f"Start-ThreadRun -Assistant {assistant.id} | Receive-ThreadRun -Wait")
    assert len(threads) == 1
    assert simple_content(threads[0])[-1] == ("assistant", "text", "You said: What is 2 + 2?")
    methods = [f"{r.method} {r.path.split('/')[-1]}" for r in api.requests]
    assert methods[:4] == ["POST assistants", "POST threads", "POST messages", "GET " + threads[0].id]


def test_streaming_the_answer_instead(api):
    assistant = ps.new_assistant(model="gpt-4o")
    thread = ps.get_command("Add-ThreadMessage").pipe([ps.new_thread()], message="Hello", pass_thru=True)[0]
    pieces = ps.get_command("Start-ThreadRun").stream(thread, assistant=assistant, stream=True)
    assert "".join(pieces) == "You said: Hello"
    assert simple_content(ps.get_thread(thread))[-1] == ("assistant", "text", "You said: Hello")

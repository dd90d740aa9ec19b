"""Runs made through the API: progression, tool calls, cancel, scripted outcomes, knobs."""

from __future__ import annotations

import json

import pytest

from pyopenai_ps.server import LocalServer, ManualClock, Outcome, Progression
from server_helpers import Api

ASSISTANT = "asst_abc123"
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "parameters": {
        "type": "object", "required": ["city", "days", "unit"],
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"},
                       "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}}
CLOCK_TOOL = {"type": "function", "function": {"name": "get_time"}}


def new_thread(api: Api, text: str = "Hello, world") -> str:
    return api.ok("POST", "/v1/threads", {"messages": [{"role": "user", "content": text}]})["id"]


def start(api: Api, thread_id: str, **body: object) -> dict:
    return api.ok("POST", f"/v1/threads/{thread_id}/runs", {"assistant_id": ASSISTANT, **body})


def poll(api: Api, run: dict) -> dict:
    return api.ok("GET", f"/v1/threads/{run['thread_id']}/runs/{run['id']}")


def statuses(api: Api, run: dict, polls: int) -> list[str]:
    return [poll(api, run)["status"] for _ in range(polls)]


# --- the plain lifecycle ------------------------------------------------------------------------

def test_a_run_moves_one_status_per_poll_and_answers_with_a_message(api):
    thread_id = new_thread(api, "What is 2 + 2?")
    run = start(api, thread_id, metadata={"case": "1"})
    assert (run["id"], run["status"], run["thread_id"], run["assistant_id"]) == \
        ("run_00000001", "queued", thread_id, ASSISTANT)
    assert run["started_at"] is None and run["expires_at"] == run["created_at"] + 600
    assert (run["model"], run["instructions"]) == ("gpt-4o-mini", "You are a personal math tutor.")
    assert run["tools"] == [{"type": "code_interpreter"}] and run["metadata"] == {"case": "1"}
    assert statuses(api, run, 3) == ["in_progress", "completed", "completed"]
    done = poll(api, run)
    assert done["completed_at"] is not None and done["expires_at"] is None
    assert set(done["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}

    messages = api.ok("GET", f"/v1/threads/{thread_id}/messages")["data"]
    reply = messages[0]
    assert (reply["role"], reply["run_id"], reply["assistant_id"]) == ("assistant", run["id"],
                                                                        ASSISTANT)
    assert reply["content"][0]["text"]["value"] == "You said: What is 2 + 2?"
    assert api.ok("GET", f"/v1/threads/{thread_id}/messages?run_id={run['id']}")["data"] == [reply]
    (step,) = api.ok("GET", f"/v1/threads/{thread_id}/runs/{run['id']}/steps")["data"]
    assert (step["type"], step["status"]) == ("message_creation", "completed")
    assert step["step_details"]["message_creation"]["message_id"] == reply["id"]
    assert api.ok("GET", f"/v1/threads/{thread_id}/runs/{run['id']}/steps/{step['id']}") == step


def test_lists_do_not_move_runs_and_seeded_runs_never_move(api):
    thread_id = new_thread(api)
    run = start(api, thread_id)
    for _ in range(3):
        assert api.ok("GET", f"/v1/threads/{thread_id}/runs")["data"][0]["status"] == "queued"
    seeded = {"thread_id": "thread_abc123", "id": "run_abc122"}
    assert statuses(api, seeded, 3) == ["queued"] * 3
    assert poll(api, run)["status"] == "in_progress"


def test_an_unfinished_run_blocks_new_messages_and_runs_on_its_thread(api):
    thread_id = new_thread(api)
    run = start(api, thread_id)
    reply = api.post(f"/v1/threads/{thread_id}/messages", {"role": "user", "content": "more"})
    assert reply.status == 400 and run["id"] in reply.error["message"]
    assert api.post(f"/v1/threads/{thread_id}/runs", {"assistant_id": ASSISTANT}).status == 400
    statuses(api, run, 2)
    assert api.post(f"/v1/threads/{thread_id}/messages",
                    {"role": "user", "content": "more"}).status == 200
    assert start(api, thread_id)["id"] == "run_00000002"


def test_run_fields_come_from_the_request_then_the_assistant(api):
    thread_id = new_thread(api)
    run = start(api, thread_id, model="gpt-4o", instructions="Talk like a pirate.",
                additional_instructions="Be short.", temperature=0.2, top_p=0.9,
                max_prompt_tokens=1000, max_completion_tokens=500,
                truncation_strategy={"type": "last_messages", "last_messages": 3},
                tool_choice="none", parallel_tool_calls=False,
                response_format={"type": "json_object"}, tools=[CLOCK_TOOL],
                additional_messages=[{"role": "user", "content": "And also this."}])
    assert run["instructions"] == "Talk like a pirate.\n\nBe short."
    assert (run["model"], run["temperature"], run["top_p"]) == ("gpt-4o", 0.2, 0.9)
    assert (run["max_prompt_tokens"], run["max_completion_tokens"]) == (1000, 500)
    assert run["truncation_strategy"] == {"type": "last_messages", "last_messages": 3}
    assert (run["tool_choice"], run["parallel_tool_calls"]) == ("none", False)
    assert run["tools"] == [CLOCK_TOOL] and run["response_format"] == {"type": "json_object"}
    statuses(api, run, 2)  # tool_choice "none": no calls, straight to completed
    texts = [m["content"][0]["text"]["value"]
             for m in api.ok("GET", f"/v1/threads/{thread_id}/messages")["data"]]
    assert texts == ["You said: And also this.", "And also this.", "Hello, world"]


def test_modify_run_metadata(api):
    run = start(api, new_thread(api))
    path = f"/v1/threads/{run['thread_id']}/runs/{run['id']}"
    assert api.ok("POST", path, {"metadata": {"k": "v"}})["metadata"] == {"k": "v"}
    assert api.post(path, {"status": "completed"}).error["param"] == "status"


@pytest.mark.parametrize("body, status, param", [
    ({}, 400, "assistant_id"),
    ({"assistant_id": 7}, 400, "assistant_id"),
    ({"assistant_id": "asst_nope"}, 404, "assistant_id"),
    ({"assistant_id": ASSISTANT, "stream": "yes"}, 400, "stream"),
    ({"assistant_id": ASSISTANT, "max_completion_tokens": 10}, 400, "max_completion_tokens"),
    ({"assistant_id": ASSISTANT, "tool_choice": "sometimes"}, 400, "tool_choice"),
    ({"assistant_id": ASSISTANT, "truncation_strategy": {"type": "middle"}}, 400,
     "truncation_strategy.type"),
    ({"assistant_id": ASSISTANT, "additional_messages": [{"role": "user"}]}, 400,
     "additional_messages[0].content"),
])
def test_bad_create_run_bodies(api, body, status, param):
    reply = api.post("/v1/threads/thread_abc456/runs", body)
    assert (reply.status, reply.error["param"]) == (status, param)
    assert api.server.store.counts()["run"] == 8


def test_run_on_a_missing_thread_is_404(api):
    reply = api.post("/v1/threads/thread_nope/runs", {"assistant_id": ASSISTANT})
    assert reply.status == 404 and "thread_nope" in reply.error["message"]


def test_create_thread_and_run(api):
    run = api.ok("POST", "/v1/threads/runs", {
        "assistant_id": ASSISTANT, "thread": {
            "messages": [{"role": "user", "content": "Plan a trip"}], "metadata": {"a": "1"}}})
    thread = api.ok("GET", f"/v1/threads/{run['thread_id']}")
    assert thread["metadata"] == {"a": "1"} and run["status"] == "queued"
    statuses(api, run, 2)
    text = api.ok("GET", f"/v1/threads/{thread['id']}/messages")["data"][0]
    assert text["content"][0]["text"]["value"] == "You said: Plan a trip"
    assert api.post("/v1/threads/runs", {"assistant_id": ASSISTANT,
                                         "thread": {"messages": [{}]}}).status == 400


# --- function calls -----------------------------------------------------------------------------

def test_function_tool_stops_at_requires_action_until_outputs_arrive(api):
    thread_id = new_thread(api, "Paris")
    run = start(api, thread_id, tools=[WEATHER_TOOL])
    assert statuses(api, run, 3) == ["in_progress", "requires_action", "requires_action"]
    waiting = poll(api, run)
    (call,) = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert waiting["required_action"]["type"] == "submit_tool_outputs"
    assert call == {"id": "call_00000001_1", "type": "function", "function": {
        "name": "get_weather", "arguments": '{"city":"Paris","days":1,"unit":"celsius"}'}}
    path = f"/v1/threads/{thread_id}/runs/{run['id']}"
    (step,) = api.ok("GET", path + "/steps")["data"]
    assert (step["type"], step["status"]) == ("tool_calls", "in_progress")
    assert step["step_details"]["tool_calls"][0]["function"]["output"] is None

    for wrong in ([], [{"tool_call_id": "call_x", "output": "1"}],
                  [{"tool_call_id": call["id"], "output": "1"}] * 2):
        reply = api.post(path + "/submit_tool_outputs", {"tool_outputs": wrong})
        assert (reply.status, reply.error["param"]) == (400, "tool_outputs")
    assert api.post(path + "/submit_tool_outputs", {"outputs": []}).status == 400

    resumed = api.ok("POST", path + "/submit_tool_outputs",
                     {"tool_outputs": [{"tool_call_id": call["id"], "output": "18C, sunny"}]})
    assert (resumed["status"], resumed["required_action"]) == ("queued", None)
    assert statuses(api, run, 2) == ["in_progress", "completed"]
    steps = api.ok("GET", path + "/steps?order=asc")["data"]
    assert [(s["type"], s["status"]) for s in steps] == [("tool_calls", "completed"),
                                                          ("message_creation", "completed")]
    assert steps[0]["step_details"]["tool_calls"][0]["function"]["output"] == "18C, sunny"
    answer = api.ok("GET", f"/v1/threads/{thread_id}/messages")["data"][0]
    assert answer["content"][0]["text"]["value"] == "Tool output: 18C, sunny"
    again = api.post(path + "/submit_tool_outputs", {"tool_outputs": []})
    assert again.status == 400


def test_assistant_tools_parallel_calls_and_tool_choice(api):
    api.ok("POST", "/v1/assistants/asst_abc121", {"tools": [WEATHER_TOOL, CLOCK_TOOL]})
    names = []
    for body in ({}, {"parallel_tool_calls": False},
                 {"tool_choice": {"type": "function", "function": {"name": "get_time"}}}):
        run = start(api, new_thread(api), **{"assistant_id": "asst_abc121", **body})
        statuses(api, run, 2)
        calls = poll(api, run)["required_action"]["submit_tool_outputs"]["tool_calls"]
        names.append([c["function"]["name"] for c in calls])
        assert calls[-1]["id"] == f"call_{run['id'].removeprefix('run_')}_{len(calls)}"
    assert names == [["get_weather", "get_time"], ["get_weather"], ["get_time"]]
    assert json.loads(poll(api, run)["required_action"]["submit_tool_outputs"]["tool_calls"][0]
                      ["function"]["arguments"]) == {}


# --- cancel ----------------------------------------------------------------------------------

def test_cancel_moves_through_cancelling(api):
    run = start(api, new_thread(api))
    path = f"/v1/threads/{run['thread_id']}/runs/{run['id']}"
    assert api.ok("POST", path + "/cancel")["status"] == "cancelling"
    assert statuses(api, run, 2) == ["cancelled", "cancelled"]
    assert poll(api, run)["cancelled_at"] is not None
    reply = api.post(path + "/cancel")
    assert reply.status == 400 and "cancelled" in reply.error["message"]


def test_cancel_a_run_waiting_for_tool_outputs_cancels_its_step(api):
    run = start(api, new_thread(api), tools=[CLOCK_TOOL])
    statuses(api, run, 2)
    path = f"/v1/threads/{run['thread_id']}/runs/{run['id']}"
    assert api.ok("POST", path + "/cancel")["required_action"] is None
    assert poll(api, run)["status"] == "cancelled"
    assert api.ok("GET", path + "/steps")["data"][0]["status"] == "cancelled"


def test_cancel_finished_or_seeded_runs_is_400_and_unknown_is_404(api):
    assert api.post("/v1/threads/thread_abc123/runs/run_abc123/cancel").status == 400
    assert api.post("/v1/threads/thread_abc123/runs/run_nope/cancel").status == 404
    assert api.post("/v1/threads/thread_abc123/runs/run_abc122/cancel", {"x": 1}).status == 400


# --- scripted outcomes ---------------------------------------------------------------------------

def test_scripted_failure_expiry_and_incompleteness(api):
    store = api.server.store
    store.push_outcome(Outcome.run("failed", code="rate_limit_exceeded", message="Slow down."),
                       Outcome.run("expired"), Outcome.run("incomplete"))
    assert store.pending_outcomes == {"run": 3}
    thread_ids = [new_thread(api) for _ in range(4)]
    runs = [start(api, t) for t in thread_ids]
    assert statuses(api, runs[0], 2) == ["in_progress", "failed"]
    failed = poll(api, runs[0])
    assert failed["last_error"] == {"code": "rate_limit_exceeded", "message": "Slow down."}
    assert failed["failed_at"] is not None
    assert statuses(api, runs[1], 2) == ["expired", "expired"]
    assert statuses(api, runs[2], 2) == ["in_progress", "incomplete"]
    assert poll(api, runs[2])["incomplete_details"] == {"reason": "max_completion_tokens"}
    message = api.ok("GET", f"/v1/threads/{thread_ids[2]}/messages")["data"][0]
    assert (message["status"], message["incomplete_details"]) == ("incomplete",
                                                                  {"reason": "max_tokens"})
    assert statuses(api, runs[3], 2) == ["in_progress", "completed"]
    assert store.pending_outcomes == {}


def test_outcomes_through_the_control_api(api):
    queued = api.control("outcomes", [{"kind": "run", "status": "failed", "times": 2},
                                      {"kind": "batch", "status": "expired"}])
    assert queued == {"queued": 3, "pending": {"run": 2, "batch": 1}}
    run = start(api, new_thread(api))
    statuses(api, run, 2)
    assert poll(api, run)["last_error"]["code"] == "server_error"
    assert api.control("outcomes") == {"pending": {"run": 1, "batch": 1}}
    assert api.control("outcomes", method="DELETE") == {"pending": {}}
    for bad in ({"kind": "run", "status": "exploded"}, {"kind": "nope", "status": "failed"},
                {"kind": "run", "status": "failed", "times": 0}, "text"):
        reply = api.request("POST", "/__control/outcomes", bad, headers={})
        assert reply.status == 400
    assert api.control("outcomes") == {"pending": {}}


def test_outcome_constructors_check_their_arguments():
    with pytest.raises(ValueError):
        Outcome.run("cancelled")
    with pytest.raises(ValueError):
        Outcome("thread", "failed")
    assert Outcome.batch("failed").code == "batch_failed"


# --- progression modes and the clock ----------------------------------------------------------------

def test_immediate_progression(api):
    api.server.store.progression = Progression.immediate()
    run = start(api, new_thread(api))
    assert run["status"] == "queued"  # the answer shows the run as created
    assert poll(api, run)["status"] == "completed"
    tooled = start(api, new_thread(api), tools=[CLOCK_TOOL])
    assert poll(api, tooled)["status"] == "requires_action"


def test_manual_progression_and_advance(api):
    api.control("progression", {"mode": "manual"})
    run = start(api, new_thread(api))
    assert statuses(api, run, 3) == ["queued"] * 3
    assert api.server.store.advance("run", run["thread_id"], run["id"]) == 1
    assert poll(api, run)["status"] == "in_progress"
    assert api.control("advance", {"kind": "run", "ids": [run["thread_id"], run["id"]]}) == \
        {"moves": 1}
    assert poll(api, run)["status"] == "completed"
    assert api.control("advance", {}) == {"moves": 0}
    for bad in ({"steps": 0}, {"ids": "x"}, {"kind": 3}):
        assert api.request("POST", "/__control/advance", bad, headers={}).status == 400


def test_after_seconds_progression_follows_the_manual_clock():
    clock = ManualClock(1_800_000_000)
    with LocalServer(clock=clock) as server:
        api = Api(server)
        server.store.progression = Progression.after_seconds(5)
        run = start(api, new_thread(api))
        assert run["created_at"] == 1_800_000_000
        assert statuses(api, run, 2) == ["queued", "queued"]
        clock.advance(4.9)
        assert poll(api, run)["status"] == "queued"
        clock.advance(5.2)  # 10.1 s after creation: two moves are due
        done = poll(api, run)
        assert (done["status"], done["started_at"], done["completed_at"]) == \
            ("completed", 1_800_000_005, 1_800_000_010)


def test_clock_and_progression_control_endpoints(api):
    assert api.control("clock") == {"now": 1_700_086_400.0, "manual": True}
    assert api.control("clock", {"advance": 30}) == {"now": 1_700_086_430.0, "manual": True}
    assert api.control("clock", {"set": 1_800_000_000})["now"] == 1_800_000_000
    assert api.request("POST", "/__control/clock", {"set": 5}, headers={}).status == 400
    assert api.control("progression") == {"mode": "per_poll", "seconds": 1.0}
    assert api.control("progression", {"mode": "after_seconds", "seconds": 3}) == \
        {"mode": "after_seconds", "seconds": 3.0}
    for bad in ({"mode": "whenever"}, {"mode": "after_seconds", "seconds": 0},
                {"mode": "manual", "speed": 2}):
        assert api.request("POST", "/__control/progression", bad, headers={}).status == 400
    run = start(api, new_thread(api))
    api.control("clock", {"advance": 3})
    assert poll(api, run)["status"] == "in_progress"
    api.control("reset", {})
    assert api.control("progression") == {"mode": "per_poll", "seconds": 1.0}


def test_real_clock_cannot_be_moved_through_control():
    import time

    with LocalServer(clock=time.time) as server:
        api = Api(server)
        assert api.control("clock")["manual"] is False
        assert api.request("POST", "/__control/clock", {"advance": 1}, headers={}).status == 400
        run = start(api, new_thread(api))
        assert abs(run["created_at"] - time.time()) < 5


def test_progression_given_to_the_server_survives_reset():
    with LocalServer(progression=Progression.immediate()) as server:
        api = Api(server)
        server.store.progression = Progression.manual()
        api.control("reset", {})
        assert api.control("progression")["mode"] == "immediate"
        run = start(api, new_thread(api))
        assert poll(api, run)["status"] == "completed"

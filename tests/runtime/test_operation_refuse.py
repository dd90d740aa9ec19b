"""``refuse:`` in a set's operation: a call the spec declares but cannot make yet is an error before
anything is sent (spec/operation.py, runtime/plan.py)."""

from __future__ import annotations

import pytest

import pyopenai_ps as ps
from pyopenai_ps import ConfigurationError, SpecError
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.spec.load import load_spec_file

SPEC = """
name: Stop-Gadget
synopsis: Stops a gadget of a test endpoint.
parameters:
  - {name: GadgetId, type: String, position: 0, mandatory: true, pipeline: [ByValue]}
  - {name: Wait, type: Switch}
  - {name: Mode, type: String, default: soft}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /vector_stores/{gadget_id}
      path_values: {gadget_id: {parameter: GadgetId}}
      body: {}
      returns: object
      refuse:
        - when: Wait
          message: -Wait is not supported yet.
        - when: {equals: {Mode: [hard, brutal]}}
          message: "  Only a soft stop is served.  "
"""


def command(tmp_path, text: str = SPEC) -> Command:
    path = tmp_path / "Stop-Gadget.yaml"
    path.write_text(text, encoding="utf-8")
    return Command(load_spec_file(path))


def test_a_refused_call_sends_nothing(api, tmp_path):
    stop = command(tmp_path)
    with pytest.raises(ConfigurationError) as info:
        stop("vs_abc123", wait=True)
    assert (str(info.value), info.value.setting) == ("-Wait is not supported yet.", "Wait")
    with pytest.raises(ConfigurationError, match=r"^Only a soft stop is served\.$") as info:
        stop.pipe(["vs_abc123"], mode="HARD")
    assert info.value.setting is None  # an equals condition names no switch
    assert api.requests == []


def test_a_call_whose_conditions_do_not_hold_is_made(api, tmp_path):
    stop = command(tmp_path)
    assert stop("vs_abc123", wait=False, mode="soft").id == "vs_abc123"
    assert [(r.method, r.path, r.body) for r in api.requests] == [("POST", "/v1/vector_stores/vs_abc123", b"{}")]


def test_the_refusal_comes_before_the_key_is_looked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(ps, "OPENAI_API_KEY", None)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="not supported yet"):
        command(tmp_path)("vs_abc123", wait=True)


@pytest.mark.parametrize("refuse, message", [
    ("refuse: []", "refuse is a non-empty list"),
    ("refuse: {when: Wait, message: x}", "refuse is a non-empty list"),
    ("refuse: [{when: Wait}]", "needs 'when' and a 'message'"),
    ("refuse: [{message: x}]", "needs 'when' and a 'message'"),
    ("refuse: [{when: Wait, message: '  '}]", "needs 'when' and a 'message'"),
    ("refuse: [{when: Nope, message: x}]", "no parameter named 'Nope'"),
    ("refuse: [{when: Wait, message: x, why: y}]", "unknown key 'why'"),
])
def test_a_malformed_refusal_is_a_spec_error(tmp_path, refuse, message):
    text = SPEC.split("      refuse:")[0] + "      " + refuse + "\n"
    with pytest.raises(SpecError, match=message):
        command(tmp_path, text)

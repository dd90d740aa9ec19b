"""Shared spec fragments (``- include: _connection``) and connection roles."""

from __future__ import annotations

from pathlib import Path

import pytest

import pyopenai_ps as ps
from pyopenai_ps.errors import SpecError
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.spec.load import bundled_specs_dir, load_spec_file, load_spec_text

HEAD = """
name: Test-Fragment
parameter_sets: [One]
parameters:
  - name: Id
    type: String
    position: 0
"""
OPERATION = """
operation:
  sets:
    One: {method: GET, path: "/things/{id}", path_values: {id: {parameter: Id}}}
"""


def _names(spec) -> list[str]:
    return [p.name for p in spec.parameters]


def test_every_bundled_spec_includes_the_connection_fragment_in_place():
    fragment = load_spec_text(HEAD + "  - include: _connection\n")
    shared = _names(fragment)[1:]
    assert shared == ["TimeoutSec", "MaxRetryCount", "ApiType", "ApiBase", "ApiVersion", "AuthType", "ApiKey",
                      "Organization", "AdditionalQuery", "AdditionalHeaders", "AdditionalBody"]  # 3.7.0's order
    bundled = [path for path in bundled_specs_dir().glob("*.yaml") if not path.name.startswith("_")]
    assert len(bundled) >= 17
    for path in bundled:  # the bundled files only: other tests load specs of their own into the registry
        names = _names(load_spec_file(path))
        assert [n for n in names if n in shared] == shared, path.name
    stop = _names(ps.get_command("Stop-VectorStoreFileBatch").spec)
    assert stop[stop.index("Organization") + 1] == "Wait"  # two `only:` parts, the cmdlet's own between


def test_a_fragment_brings_the_enums_of_its_parameters():
    spec = load_spec_text(HEAD + "  - include: _connection\n")
    assert spec.type_of(spec.parameter("ApiType")).name == "OpenAIApiType"
    same = load_spec_text(HEAD + "  - include: _connection\nenums:\n  OpenAIApiType: [OpenAI, Azure]\n")
    assert same.parameter("ApiType").default == "OpenAI"
    with pytest.raises(SpecError, match="enum 'OpenAIApiType' is declared differently"):
        load_spec_text(HEAD + "  - include: _connection\nenums:\n  OpenAIApiType: [OpenAI]\n")


def test_roles_come_from_the_fragment():
    spec = load_spec_text(HEAD + "  - include: _connection\n" + OPERATION)
    assert spec.connection.api_key == "ApiKey" and spec.connection.max_retries == "MaxRetryCount"
    assert spec.parameter("ApiKey").role == "api_key" and spec.parameter("Id").role is None


def test_only_takes_a_part_and_names_what_is_missing():
    spec = load_spec_text(HEAD + "  - include: _connection\n    only: [ApiKey, ApiBase]\n")
    assert _names(spec) == ["Id", "ApiBase", "ApiKey"]  # in the fragment's order
    with pytest.raises(ps.SpecError) as info:
        load_spec_text(HEAD + "  - include: _connection\n    only: [ApiKy]\n")
    assert "ApiKy" in str(info.value)


@pytest.mark.parametrize("item, words", [
    ("  - include: _nowhere\n", "no fragment '_nowhere.yaml'"),
    ("  - include: connection\n", "not a fragment name"),
    ("  - include: ../_connection\n", "not a fragment name"),
    ("  - include: _connection\n    olny: [ApiKey]\n", "did you mean 'only'"),
])
def test_bad_includes_are_spec_errors(item, words):
    with pytest.raises(ps.SpecError) as info:
        load_spec_text(HEAD + item)
    assert words in str(info.value)


def test_a_fragment_next_to_the_spec_comes_first(tmp_path: Path):
    (tmp_path / "_connection.yaml").write_text(
        "parameters:\n  - {name: Token, type: SecureString, role: api_key}\n", encoding="utf-8")
    path = tmp_path / "Test-Fragment.yaml"
    path.write_text(HEAD + "  - include: _connection\n" + OPERATION, encoding="utf-8")
    spec = load_spec_file(path, cache=False)
    assert _names(spec) == ["Id", "Token"] and spec.connection.api_key == "Token"


def test_a_role_given_twice_is_refused():
    with pytest.raises(ps.SpecError) as info:
        load_spec_text(HEAD + "  - {name: A, type: SecureString, role: api_key}\n"
                              "  - {name: B, type: SecureString, role: api_key}\n")
    assert "role 'api_key' is also given to 'A'" in str(info.value)


def test_an_unknown_role_is_refused():
    with pytest.raises(ps.SpecError) as info:
        load_spec_text(HEAD + "  - {name: A, type: String, role: api_keys}\n")
    assert "unknown role 'api_keys'" in str(info.value)


def test_a_spec_without_roles_still_gets_them_by_the_fragment_names():
    """Specs written before roles existed keep their connection parameters working."""
    spec = load_spec_text(HEAD + "  - {name: ApiKey, type: SecureString}\n  - {name: ApiBase, type: Uri}\n"
                          + OPERATION)
    assert spec.connection.api_key == "ApiKey" and spec.connection.api_base == "ApiBase"
    assert spec.connection.timeout is None


def test_the_runtime_finds_renamed_connection_parameters_by_role(api, monkeypatch):
    """A spec may call the key and base anything: the runtime reads them by role."""
    monkeypatch.setattr(ps, "OPENAI_API_KEY", None)
    text = """
name: Get-RunRenamed
parameter_sets: [One]
parameters:
  - {name: Thread, type: String, position: 0, mandatory: true}
  - {name: Secret, type: SecureString, role: api_key}
  - {name: Endpoint, type: Uri, role: api_base}
operation:
  headers: {OpenAI-Beta: assistants=v2}
  sets:
    One: {method: GET, path: "/threads/{t}/runs", path_values: {t: {parameter: Thread}}, returns: page}
"""
    command = Command(load_spec_text(text))
    runs = command("thread_abc123", secret="sk-renamed-0123456789", endpoint=api.base_url)
    assert len(runs) == 8
    assert api.requests[-1].headers["authorization"].startswith("Bearer sk-ren")
    with pytest.raises(ps.ConfigurationError) as info:
        command("thread_abc123", endpoint=api.base_url)
    assert "Give -Secret" in str(info.value)


def test_the_bundled_fragment_ships_with_the_package():
    assert (bundled_specs_dir() / "_connection.yaml").is_file()
    assert "_connection" not in [n.lower() for n in ps.get_commands()]

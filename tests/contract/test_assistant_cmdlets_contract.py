"""New-Assistant, Set-Assistant and Remove-Assistant against OpenAI's official OpenAPI document,
served by Prism (opt-in; see conftest.py).  Prism answers 422 to a body its schema refuses
(CreateAssistantRequest, ModifyAssistantRequest), so each call that succeeds shows the body fits.
"""

from __future__ import annotations

import pytest
from prism_env import skip_reason

import pyopenai_ps as ps

pytestmark = pytest.mark.contract

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

WEATHER = ("@{name='get_weather'; description='The weather in a city.'; "
           "parameters=@{type='object'; properties=@{city=@{type='string'}}}}")


def sent(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "pyopenai_ps" and r.getMessage().split(" ", 1)[0] in ("GET", "POST", "DELETE")]


@pytest.mark.parametrize("line, path", [
    ('New-Assistant -Model gpt-4o -Instructions "You are a math teacher." -UseCodeInterpreter', "/assistants"),
    ("New-Assistant -Name 'Librarian' -UseFileSearch -VectorStoresForFileSearch 'vs_abc123' -MetaData @{team='docs'}",
     "/assistants"),
    (f"New-Assistant -Name 'Weather' -Functions {WEATHER}", "/assistants"),
    ("New-Assistant", "/assistants"),
    ("New-Assistant -Name 'Full' -Model gpt-4o -Description 'd' -Instructions 'i' -UseCodeInterpreter -UseFileSearch "
     "-FileIdsForCodeInterpreter 'file-a' -FileIdsForFileSearch 'file-b' -Temperature 0.5 -TopP 0.9 "
     "-Format json_object",
     "/assistants"),
    ("New-Assistant -Format auto", "/assistants"),
    ("New-Assistant -Format text", "/assistants"),
    ('Set-Assistant -Assistant "asst_abc123" -Instructions "You are a math teacher." -UseCodeInterpreter',
     "/assistants/asst_abc123"),
    ("Set-Assistant -Assistant 'asst_abc123' -Model gpt-4o -VectorStoresForFileSearch 'vs_abc123' -Format auto",
     "/assistants/asst_abc123"),
    ("Set-Assistant -Assistant 'asst_abc123'", "/assistants/asst_abc123"),
])
def test_assistant_bodies_fit(contract, caplog, line, path):
    out = ps.invoke(f"{line} -Verbose -TimeoutSec 30")
    assert len(out) == 1 and out[0].type_names[0] == "PSOpenAI.Assistant"
    assert sent(caplog) == [f"POST {contract}{path}"]


def test_raw_response(contract):
    (text,) = ps.invoke("New-Assistant -Model gpt-4o -Format raw_response -TimeoutSec 30")
    assert isinstance(text, str) and text.lstrip().startswith("{")


def test_remove_assistant(contract, caplog):
    assert ps.invoke("Remove-Assistant -Assistant 'asst_abc123' -Verbose -TimeoutSec 30") == []
    assert sent(caplog) == [f"DELETE {contract}/assistants/asst_abc123"]


def test_control_a_body_the_schema_refuses(contract):
    with pytest.raises(ps.APIRequestError) as info:
        ps.new_assistant(additional_body={"tools": [{"type": "no_such_tool"}]}, timeout_sec=30)
    assert info.value.status_code == 422

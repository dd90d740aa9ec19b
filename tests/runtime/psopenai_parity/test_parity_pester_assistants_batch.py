"""PSOpenAI 3.7.0's Pester tests of Get-Assistant and Get-Batch, against our recording server.

Sources: Tests/Assistants/Get-Assistant.tests.ps1, Tests/Batch/Get-Batch.tests.ps1 and the
"STEP4: Get Batch" It of Tests/Batch/Batch.E2E.tests.ps1.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from parity_support import assistant_obj, batch_obj, page

import pyopenai_ps as ps

ASSISTANT_PATH = "/assistants/asst_abc123"
ASSISTANTS_PATH = "/assistants"
BATCH_PATH = "/batches/batch_abc123"
BATCHES_PATH = "/batches"


def _today() -> datetime:
    return datetime.combine(datetime.now().date(), datetime.min.time())


# ======================================================================================
# Tests/Assistants/Get-Assistant.tests.ps1
# ======================================================================================


class TestGetAssistantPester:
    """Describe 'Get-Assistant' / Context 'Unit tests (offline)'."""

    def test_get_single_assistant_with_id(self, rec):
        """Get-Assistant.tests.ps1 / Get Single Assistant / It 'Get a single object with assistant ID'."""
        rec.object(ASSISTANT_PATH, assistant_obj())
        result = ps.get_assistant(input_object="asst_abc123", error_action="Stop")
        sent = rec.only()
        assert (sent.method, sent.path, sent.query) == ("GET", ASSISTANT_PATH, {})
        assert sent.header("OpenAI-Beta") == "assistants=v2"
        assert result.type_names[0] == "PSOpenAI.Assistant"
        assert result.id == "asst_abc123"
        assert result.object == "assistant"
        assert isinstance(result.created_at, datetime)

    def test_pipeline_input(self, rec):
        """Get-Assistant.tests.ps1 / Get Single Assistant / It 'Pipeline input'."""
        rec.object(ASSISTANT_PATH, assistant_obj())
        ps.get_command("Get-Assistant").pipe([{"id": "asst_abc123", "object": "assistant"}], error_action="Stop")
        assert rec.only().path == ASSISTANT_PATH

    @pytest.fixture
    def twenty(self, rec):
        rec.object(ASSISTANTS_PATH, page([assistant_obj()] * 20))
        return rec

    def test_list_assistants(self, twenty):
        """Get-Assistant.tests.ps1 / List Assistants / It 'List assistants.'."""
        result = ps.get_assistant(error_action="Stop")
        sent = twenty.only()
        assert (sent.method, sent.path, sent.query) == ("GET", ASSISTANTS_PATH, {"limit": "20", "order": "asc"})
        assert len(result) == 20
        assert all(a.type_names[0] == "PSOpenAI.Assistant" for a in result)

    def test_get_all_assistants(self, twenty):
        """Get-Assistant.tests.ps1 / List Assistants / It 'Get all assistants.'."""
        result = ps.get_assistant(all=True, error_action="Stop")
        sent = twenty.only()
        assert (sent.path, sent.query) == (ASSISTANTS_PATH, {"limit": "100", "order": "asc"})
        assert len(result) == 20

    def test_error_on_invalid_input(self, rec):
        """Get-Assistant.tests.ps1 / List Assistants / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Get-Assistant").pipe([_today()], error_action="Stop")
        assert rec.requests == []


# ======================================================================================
# Tests/Batch/Get-Batch.tests.ps1
# ======================================================================================


class TestGetBatchPester:
    """Describe 'Get-Batch' / Context 'Unit tests (offline)'."""

    @pytest.fixture
    def batches(self, rec):
        rec.object(BATCH_PATH, batch_obj())
        rec.object(BATCHES_PATH, page([batch_obj("batch_abc123"), batch_obj("batch_abc456"), batch_obj("batch_abc789")]))
        return rec

    def test_list_batch_objects(self, batches):
        """Get-Batch.tests.ps1 / It 'List batch objects'."""
        result = ps.get_batch(error_action="Stop")
        sent = batches.only()
        assert (sent.method, sent.path) == ("GET", BATCHES_PATH)
        assert "limit" in sent.query
        assert sent.header("OpenAI-Beta") is None  # not an Assistants API call
        assert len(result) == 3
        assert all(b.id.startswith("batch_abc") for b in result)
        assert isinstance(result[0].created_at, datetime)
        assert result[0].type_names[0] == "PSOpenAI.Batch"

    def test_get_single_batch_object(self, batches):
        """Get-Batch.tests.ps1 / It 'Get single batch object'."""
        result = ps.get_batch(batch_id="batch_abc123", error_action="Stop")
        sent = batches.only()
        assert (sent.method, sent.path, sent.query) == ("GET", BATCH_PATH, {})
        assert not isinstance(result, list)  # one object, not an array
        assert result.type_names[-2:] == ("System.Management.Automation.PSCustomObject", "System.Object")
        assert result.id == "batch_abc123"
        assert isinstance(result.created_at, datetime)


class TestBatchE2EGetBatch:
    """Batch.E2E.tests.ps1 / It 'STEP4: Get Batch' (online there; served here)."""

    def test_get_batch_lists_the_started_batch(self, rec):
        """Batch.E2E.tests.ps1 / It 'STEP4: Get Batch'."""
        rec.object(BATCHES_PATH, page([batch_obj("batch_started1", status="in_progress"), batch_obj("batch_older")]))
        result = ps.get_batch(timeout_sec=10, error_action="Stop")
        assert len(result) >= 1
        assert "batch_started1" in [b.id for b in result]

"""PSOpenAI 3.7.0's Pester tests of the vector store cmdlets, against our recording server.

Sources, all under Tests/VectorStores/: New-VectorStore.tests.ps1, Set-VectorStore.tests.ps1,
Remove-VectorStore.tests.ps1, Add-VectorStoreFile.tests.ps1, Get-VectorStore.tests.ps1 (their
offline Contexts: Invoke-OpenAIAPIRequest was mocked to answer a fixed object, here the server
answers it) and VectorSrore.E2E.tests.ps1 (online: the steps ran against the real API one after
the other; here a small stateful set of routes plays the API). 3.7.0 has no Pester tests for
Get-/Remove-VectorStoreFile or the file batch cmdlets.

Each test names its file and It. The E2E's uploads (STEP1) and their clean-up (the second half of
STEP7) are Register-OpenAIFile and Remove-OpenAIFile, the files family: here the server holds the
uploads. STEP4 starts a file batch and waits for it with Wait-VectorStoreFileBatch.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import count

import pytest
from parity_support import page

import pyopenai_ps as ps

T_CREATED = 1698107661


def store_obj(id: str = "vs_123", **extra):
    """The store the Pester mocks answer (shape of the API reference)."""
    obj = {"id": id, "object": "vector_store", "created_at": T_CREATED, "usage_bytes": 123456,
           "last_active_at": T_CREATED, "name": "my_vector_store", "status": "completed",
           "file_counts": {"in_progress": 0, "completed": 100, "cancelled": 0, "failed": 0, "total": 100},
           "metadata": {}, "last_used_at": T_CREATED}
    obj.update(extra)
    return obj


def store_file_obj(id: str = "file-abc123", vector_store_id: str = "vs_abcd", **extra):
    obj = {"id": id, "object": "vector_store.file", "created_at": 1699061776, "usage_bytes": 1234,
           "vector_store_id": vector_store_id, "status": "completed", "last_error": None}
    obj.update(extra)
    return obj


def answer(method: str, rec, path: str, body) -> None:
    rec.route(method, re.escape(path), lambda request, match: (200, {}, body))


def one_call(rec, method: str, path: str):
    request = rec.only()
    assert (request.method, request.path) == (method, path)
    assert request.header("OpenAI-Beta") == "assistants=v2"
    return request


# ======================================================================================
# Tests/VectorStores/New-VectorStore.tests.ps1
# ======================================================================================


class TestNewVectorStorePester:
    @pytest.fixture
    def created(self, rec):
        answer("POST", rec, "/vector_stores", store_obj())
        return rec

    def test_create_vector_store(self, created):
        """New-VectorStore.tests.ps1 / offline / It 'Create vector store'."""
        result = ps.new_vector_store(error_action="Stop")
        assert one_call(created, "POST", "/vector_stores").body == b"{}"
        assert result.type_names[0] == "PSOpenAI.VectorStore"
        assert result.id == "vs_123" and result.status == "completed"
        assert isinstance(result.created_at, datetime)

    def test_create_vector_store_full_param(self, created):
        """New-VectorStore.tests.ps1 / offline / It 'Create vector store (full param)'."""
        ps.new_vector_store(file_id=["file-abc123", "file-abc456"], name="My Store", expires_after_days=7,
                            meta_data={"meta_id": "id-0000"}, error_action="Stop")
        request = one_call(created, "POST", "/vector_stores")
        assert json.loads(request.body) == {
            "file_ids": ["file-abc123", "file-abc456"], "name": "My Store",
            "expires_after": {"anchor": "last_active_at", "days": 7}, "metadata": {"meta_id": "id-0000"}}


# ======================================================================================
# Tests/VectorStores/Set-VectorStore.tests.ps1
# ======================================================================================


class TestSetVectorStorePester:
    @pytest.fixture
    def modified(self, rec):
        answer("POST", rec, "/vector_stores/vs_abc123", store_obj())
        return rec

    def test_modify_vector_store_id(self, modified):
        """Set-VectorStore.tests.ps1 / offline / It 'Modify vector store (id)'."""
        result = ps.invoke("Set-VectorStore -vector_store_id 'vs_abc123' -ErrorAction Stop")[0]
        one_call(modified, "POST", "/vector_stores/vs_abc123")
        assert result.id == "vs_123" and result.status == "completed"
        assert isinstance(result.created_at, datetime)

    def test_modify_vector_store_object(self, modified):
        """Set-VectorStore.tests.ps1 / offline / It 'Modify vector store (object)'."""
        ps.set_vector_store(input_object={"id": "vs_abc123", "object": "vector_store"}, error_action="Stop")
        one_call(modified, "POST", "/vector_stores/vs_abc123")

    def test_modify_vector_store_object_pipeline(self, modified):
        """Set-VectorStore.tests.ps1 / offline / It 'Modify vector store (object, pipeline)'."""
        ps.get_command("Set-VectorStore").pipe([{"id": "vs_abc123", "object": "vector_store"}], error_action="Stop")
        one_call(modified, "POST", "/vector_stores/vs_abc123")

    def test_modify_vector_store_full_param(self, modified):
        """Set-VectorStore.tests.ps1 / offline / It 'Modify vector store (full param)'."""
        ps.set_vector_store(input_object="vs_abc123", name="My New Store", expires_after_days=10,
                            meta_data={"meta_id": "id-0001"}, error_action="Stop")
        request = one_call(modified, "POST", "/vector_stores/vs_abc123")
        assert json.loads(request.body) == {"name": "My New Store",
                                            "expires_after": {"anchor": "last_active_at", "days": 10},
                                            "metadata": {"meta_id": "id-0001"}}

    def test_invalid_input(self, modified):
        """Set-VectorStore.tests.ps1 / offline / It 'Invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.set_vector_store(input_object={"id": "hoge_abc123", "object": "invalid_object"}, error_action="Stop")
        assert modified.requests == []


# ======================================================================================
# Tests/VectorStores/Remove-VectorStore.tests.ps1
# ======================================================================================


class TestRemoveVectorStorePester:
    @pytest.fixture
    def removed(self, rec):
        body = {"id": "vs_abc123", "object": "vector_store.deleted", "deleted": True}
        answer("DELETE", rec, "/vector_stores/vs_abc123", body)
        return rec

    def test_remove_vector_store_with_id(self, removed):
        """Remove-VectorStore.tests.ps1 / offline / It 'Remove vector store with ID'."""
        assert ps.remove_vector_store(input_object="vs_abc123", error_action="Stop") is None
        assert one_call(removed, "DELETE", "/vector_stores/vs_abc123").body == b""

    def test_remove_vector_store_with_object(self, removed):
        """Remove-VectorStore.tests.ps1 / offline / It 'Remove vector store with object'."""
        ps.remove_vector_store(input_object={"id": "vs_abc123", "object": "vectore_store"}, error_action="Stop")
        one_call(removed, "DELETE", "/vector_stores/vs_abc123")

    def test_pipeline_input_with_id(self, removed):
        """Remove-VectorStore.tests.ps1 / offline / It 'Pipeline input with ID'."""
        assert ps.get_command("Remove-VectorStore").pipe("vs_abc123", error_action="Stop") == []
        one_call(removed, "DELETE", "/vector_stores/vs_abc123")

    def test_pipeline_input_with_object(self, removed):
        """Remove-VectorStore.tests.ps1 / offline / It 'Pipeline input with Object'."""
        ps.get_command("Remove-VectorStore").pipe([{"id": "vs_abc123", "object": "vectore_store"}],
                                                  error_action="Stop")
        one_call(removed, "DELETE", "/vector_stores/vs_abc123")

    def test_error_on_invalid_input(self, removed):
        """Remove-VectorStore.tests.ps1 / offline / It 'Error on invalid input'."""
        today = datetime.combine(datetime.now().date(), datetime.min.time())
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Remove-VectorStore").pipe([today], error_action="Stop")
        assert removed.requests == []


# ======================================================================================
# Tests/VectorStores/Add-VectorStoreFile.tests.ps1
# ======================================================================================


class TestAddVectorStoreFilePester:
    @pytest.fixture
    def added(self, rec):
        answer("POST", rec, "/vector_stores/vs_abcd/files", store_file_obj())
        # The Pester test mocks Get-VectorStore itself; here its request is answered instead.
        answer("GET", rec, "/vector_stores/vs_abcd", {"id": "vs_abc123", "object": "vector_Store", "status": "completed"})
        return rec

    def test_add_file_to_vector_store(self, added):
        """Add-VectorStoreFile.tests.ps1 / offline / It 'Add file to vector store'."""
        result = ps.add_vector_store_file(vector_store="vs_abcd", file_id="file-abc123", error_action="Stop")
        assert one_call(added, "POST", "/vector_stores/vs_abcd/files").body == b'{"file_id":"file-abc123"}'
        assert result is None

    def test_add_file_to_vector_store_pipeline_input(self, added):
        """Add-VectorStoreFile.tests.ps1 / offline / It 'Add file to vector store (pipeline input)'."""
        result = ps.get_command("Add-VectorStoreFile").pipe("vs_abcd", file_id="file-abc123", error_action="Stop")
        one_call(added, "POST", "/vector_stores/vs_abcd/files")
        assert result == []

    def test_add_file_to_vector_store_passthru(self, added):
        """Add-VectorStoreFile.tests.ps1 / offline / It 'Add file to vector store (PassThru)'."""
        result = ps.add_vector_store_file(vector_store="vs_abcd", file_id="file-abc123", pass_thru=True,
                                          error_action="Stop")
        assert [(r.method, r.path) for r in added.requests] == [("POST", "/vector_stores/vs_abcd/files"),
                                                                 ("GET", "/vector_stores/vs_abcd")]
        assert result.type_names[0] == "PSOpenAI.VectorStore" and result.id == "vs_abc123"

    def test_invalid_input(self, added):
        """Add-VectorStoreFile.tests.ps1 / offline / It 'Invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.add_vector_store_file(vector_store=datetime(2024, 1, 1), file_id="file-abc123", error_action="Stop")
        assert added.requests == []


# ======================================================================================
# Tests/VectorStores/Get-VectorStore.tests.ps1
# ======================================================================================


class TestGetVectorStorePester:
    @pytest.fixture
    def stores(self, rec):
        answer("GET", rec, "/vector_stores/vs_abc123",
               {"id": "vs_abc123", "object": "vector_store", "created_at": 1699061776})
        listed = [{"id": i, "object": "vector_store", "created_at": 1699061776, "name": n, "bytes": 139920,
                   "file_counts": {}} for i, n in (("vs_abc123", "Support FAQ"), ("vs_abc456", "Support FAQ v2"))]
        answer("GET", rec, "/vector_stores", page(listed))
        return rec

    def test_list_vector_store_objects(self, stores):
        """Get-VectorStore.tests.ps1 / offline / It 'List vectore store objects'."""
        result = ps.get_vector_store(error_action="Stop")
        request = one_call(stores, "GET", "/vector_stores")
        assert request.query == {"limit": "20", "order": "asc"}
        assert len(result) == 2 and all(r.id.startswith("vs_abc") for r in result)
        assert isinstance(result[0].created_at, datetime)

    def test_get_single_vector_store_object(self, stores):
        """Get-VectorStore.tests.ps1 / offline / It 'Get single vectore store object'."""
        result = ps.invoke("Get-VectorStore 'vs_abc123' -ea Stop")[0]
        assert one_call(stores, "GET", "/vector_stores/vs_abc123").query == {}
        assert result.id == "vs_abc123" and isinstance(result.created_at, datetime)

    def test_get_single_vector_store_object_pipeline_input(self, stores):
        """Get-VectorStore.tests.ps1 / offline / It 'Get single vectore store object (pipeline input)'."""
        result = ps.get_command("Get-VectorStore").pipe([{"id": "vs_abc123", "object": "vector_store"}],
                                                        error_action="Stop")
        one_call(stores, "GET", "/vector_stores/vs_abc123")
        assert [r.id for r in result] == ["vs_abc123"] and isinstance(result[0].created_at, datetime)

    def test_invalid_input(self, stores):
        """Get-VectorStore.tests.ps1 / offline / It 'Invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Get-VectorStore").pipe([{"id": "hoge_abc123", "object": "invalid_object"}],
                                                   error_action="Stop")
        assert stores.requests == []


# ======================================================================================
# Tests/VectorStores/VectorSrore.E2E.tests.ps1 (Describe 'Set-VectorStore', online)
# ======================================================================================


class FakeVectorStoreAPI:
    """Just enough of the API, kept in memory, for the E2E's steps."""

    def __init__(self, rec, uploads):
        self.stores: dict[str, dict] = {}
        self.files: dict[str, list[str]] = {}
        self.batches: dict[str, list[str]] = {}
        self.numbers = count(1)
        routes = [("POST", r"/vector_stores", self.create), ("GET", r"/vector_stores/([^/]+)", self.get),
                  ("DELETE", r"/vector_stores/([^/]+)", self.delete),
                  ("POST", r"/vector_stores/([^/]+)/files", self.add_file),
                  ("POST", r"/vector_stores/([^/]+)/file_batches", self.start_batch),
                  ("GET", r"/vector_stores/([^/]+)/file_batches/([^/]+)", self.get_batch),
                  ("GET", r"/vector_stores/([^/]+)/file_batches/([^/]+)/files", self.batch_files)]
        for method, path, handler in routes:
            rec.route(method, path, lambda request, match, handler=handler: (200, {}, handler(request, *match.groups())))
        self.uploads = uploads

    def _store(self, store_id):
        total = len(self.files[store_id])
        counts = {"in_progress": 0, "completed": total, "cancelled": 0, "failed": 0, "total": total}
        return {**self.stores[store_id], "file_counts": counts}

    def create(self, request):
        store_id = f"vs_e2e{next(self.numbers)}"
        self.stores[store_id] = {"id": store_id, "object": "vector_store", "created_at": T_CREATED,
                                 "name": json.loads(request.body).get("name"), "status": "completed"}
        self.files[store_id] = []
        return self._store(store_id)

    def get(self, request, store_id):
        return self._store(store_id)

    def delete(self, request, store_id):
        del self.stores[store_id]
        return {"id": store_id, "object": "vector_store.deleted", "deleted": True}

    def add_file(self, request, store_id):
        file_id = json.loads(request.body)["file_id"]
        self.files[store_id].append(file_id)
        return store_file_obj(file_id, store_id)

    def _batch(self, store_id, batch_id, status):
        total = len(self.batches[batch_id])
        done = total if status == "completed" else 0
        counts = {"in_progress": total - done, "completed": done, "cancelled": 0, "failed": 0, "total": total}
        return {"id": batch_id, "object": "vector_store.files_batch", "created_at": T_CREATED,
                "vector_store_id": store_id, "status": status, "file_counts": counts}

    def start_batch(self, request, store_id):
        file_ids = json.loads(request.body)["file_ids"]
        batch_id = f"vsfb_e2e{next(self.numbers)}"
        self.batches[batch_id] = file_ids
        self.files[store_id] += file_ids
        return self._batch(store_id, batch_id, "in_progress")

    def get_batch(self, request, store_id, batch_id):
        return self._batch(store_id, batch_id, "completed")  # done by the first poll

    def batch_files(self, request, store_id, batch_id):
        return page([store_file_obj(f, store_id) for f in self.batches[batch_id]])


class TestVectorStoreE2EPester:
    """The steps share one API, in order, as the Describe block's Its do."""

    UPLOADS = ["file-e2e1", "file-e2e2", "file-e2e3"]  # STEP1: the uploads, held by the server

    @pytest.fixture
    def api(self, rec):
        return FakeVectorStoreAPI(rec, self.UPLOADS)

    def _steps_2_and_3(self, api):
        store = ps.new_vector_store(name="TestVectorStore-42", expires_after_days=2, max_retry_count=5,
                                    error_action="Stop")
        return store, ps.get_command("Add-VectorStoreFile").pipe(
            [store], file_id=self.UPLOADS[0], max_retry_count=5, pass_thru=True, error_action="Stop")[0]

    def test_step2_create_a_new_vector_store(self, api):
        """VectorSrore.E2E.tests.ps1 / online / It 'STEP2: Create a new vector store'."""
        store, _ = self._steps_2_and_3(api)
        assert store.id.startswith("vs_") and store.name == "TestVectorStore-42"
        assert isinstance(store.created_at, datetime) and store.file_counts["total"] == 0

    def test_step3_add_a_file_to_vector_store(self, api):
        """VectorSrore.E2E.tests.ps1 / online / It 'STEP3: Add a file to vector store'."""
        _, store = self._steps_2_and_3(api)
        assert store.file_counts["total"] == 1

    def test_step4_start_a_batch(self, api):
        """VectorSrore.E2E.tests.ps1 / online / It 'STEP4: ...(batch)': the batch is started."""
        _, store = self._steps_2_and_3(api)
        batch = ps.get_command("Start-VectorStoreFileBatch").pipe(
            [store], file_id=self.UPLOADS[1:], max_retry_count=5, error_action="Stop")[0]
        assert batch.id.startswith("vsfb_") and batch.file_counts["total"] == 2

    def test_step4_wait_for_the_batch(self, api):
        """VectorSrore.E2E.tests.ps1 / online / It 'STEP4: ...(batch)': the batch is waited for."""
        _, store = self._steps_2_and_3(api)
        started = ps.get_command("Start-VectorStoreFileBatch").pipe([store], file_id=self.UPLOADS[1:])
        batch = ps.get_command("Wait-VectorStoreFileBatch").pipe(started, timeout_sec=100, max_retry_count=5,
                                                                  error_action="Stop")[0]
        assert batch.id.startswith("vsfb_") and batch.status == "completed"
        assert batch.file_counts["total"] == 2 and batch.file_counts["completed"] == 2

    def _step5(self, api):
        _, store = self._steps_2_and_3(api)
        batch = ps.get_command("Start-VectorStoreFileBatch").pipe([store], file_id=self.UPLOADS[1:],
                                                                  error_action="Stop")[0]
        in_batch = ps.get_command("Get-VectorStoreFileInBatch").pipe([batch], max_retry_count=5, error_action="Stop")
        return store, in_batch

    def test_step5_get_files_info_in_batch(self, api):
        """VectorSrore.E2E.tests.ps1 / online / It 'STEP5: Get files info in batch'."""
        _, in_batch = self._step5(api)
        assert len(in_batch) == 2 and all(f.type_names[0] == "PSOpenAI.VectorStore.File" for f in in_batch)

    def test_step6_refresh_vector_store_object(self, api):
        """VectorSrore.E2E.tests.ps1 / online / It 'STEP6: Refresh vector store object'."""
        store, _ = self._step5(api)
        store = ps.get_vector_store(input_object=store, max_retry_count=5, error_action="Stop")
        assert store.file_counts["total"] == len(self.UPLOADS)

    def test_step7_clean_up(self, api, rec):
        """VectorSrore.E2E.tests.ps1 / online / It 'STEP7: Clean up' (the vector store half; the uploads'
        Remove-OpenAIFile belongs to the files family)."""
        store, _ = self._step5(api)
        assert ps.get_command("Remove-VectorStore").pipe([store], error_action="Stop") == []
        assert (rec.last.method, rec.last.path) == ("DELETE", f"/vector_stores/{store.id}") and api.stores == {}


# ======================================================================================
# Where we differ from 3.7.0 on purpose (docs/DIFFERENCES.md, "Vector stores", lists them)
# ======================================================================================


class TestDeliberate:
    def test_a_file_of_a_store_names_its_store(self, rec):
        """3.7.0 reads a store id only from `id` (Get-VectorStoreIdFromInputObject), so a file of a
        store cannot be piped; we also read `vector_store_id`: the file is read again, or removed."""
        answer("GET", rec, "/vector_stores/vs_abcd/files/file-abc123", store_file_obj())
        answer("DELETE", rec, "/vector_stores/vs_abcd/files/file-abc123",
               {"id": "file-abc123", "object": "vector_store.file.deleted", "deleted": True})
        out = ps.get_command("Get-VectorStoreFile").pipe([store_file_obj()], error_action="Stop")
        assert out[0].type_names[0] == "PSOpenAI.VectorStore.File"
        assert ps.get_command("Remove-VectorStoreFile").pipe([store_file_obj()], error_action="Stop") == []
        assert [(r.method, r.path) for r in rec.requests] == [("GET", "/vector_stores/vs_abcd/files/file-abc123"),
                                                               ("DELETE", "/vector_stores/vs_abcd/files/file-abc123")]

    def test_the_batch_cmdlets_take_a_store_object(self, rec):
        """3.7.0 binds their -InputObject by property name only (vector_store_id): a store object cannot
        be piped with -BatchId. Ours binds by value too."""
        answer("GET", rec, "/vector_stores/vs_abcd/file_batches/vsfb_1",
               {"id": "vsfb_1", "object": "vector_store.files_batch", "vector_store_id": "vs_abcd",
                "created_at": T_CREATED, "status": "completed"})
        out = ps.get_command("Get-VectorStoreFileBatch").pipe([store_obj("vs_abcd")], batch_id="vsfb_1")
        assert out[0].type_names[0] == "PSOpenAI.VectorStore.FileBatch"
        assert rec.only().path == "/vector_stores/vs_abcd/file_batches/vsfb_1"

    def test_each_piped_store_gets_its_own_file_batch(self, rec):
        """3.7.0 collects the ids of every record and sends one request, to the last store, with the
        ids repeated; ours sends one batch per store."""
        for store_id in ("vs_a", "vs_b"):
            answer("POST", rec, f"/vector_stores/{store_id}/file_batches",
                   {"id": f"vsfb_{store_id}", "object": "vector_store.files_batch", "vector_store_id": store_id,
                    "created_at": T_CREATED, "status": "in_progress"})
        out = ps.get_command("Start-VectorStoreFileBatch").pipe(["vs_a", "vs_b"], file_id=["file-1", "file-2"])
        assert [(r.path, r.body) for r in rec.requests] == [
            ("/vector_stores/vs_a/file_batches", b'{"file_ids":["file-1","file-2"]}'),
            ("/vector_stores/vs_b/file_batches", b'{"file_ids":["file-1","file-2"]}')]
        assert [b.id for b in out] == ["vsfb_vs_a", "vsfb_vs_b"]

    def test_all_files_in_a_batch_follow_their_own_pages(self, rec):
        """3.7.0 asks Get-VectorStoreFile (which has no -BatchId) for the next page: a binding error
        after the first 100 files. Ours follows the batch listing's pages."""
        files = [store_file_obj(f"file-{n:03d}") for n in range(150)]
        rec.listing("/vector_stores/vs_abcd/file_batches/vsfb_1/files", files)
        out = ps.get_vector_store_file_in_batch("vs_abcd", "vsfb_1", all=True, error_action="Stop")
        assert len(out) == 150
        assert [r.query.get("after") for r in rec.requests] == [None, "file-099"]

    def test_stop_wait_waits(self, rec):
        """3.7.0's -Wait always fails after the cancel was sent: it asks Wait-VectorStoreFileBatch to
        stop at the status 'expired', which that cmdlet's ValidateSet refuses. Ours waits until the
        batch is cancelled, completed or failed (issue 16), and -PassThru returns it."""
        batch = {"id": "vsfb_1", "object": "vector_store.files_batch", "vector_store_id": "vs_abcd",
                 "created_at": T_CREATED}
        answer("POST", rec, "/vector_stores/vs_abcd/file_batches/vsfb_1/cancel", {**batch, "status": "cancelling"})
        answer("GET", rec, "/vector_stores/vs_abcd/file_batches/vsfb_1", {**batch, "status": "cancelled"})
        out = ps.stop_vector_store_file_batch("vs_abcd", "vsfb_1", wait=True, pass_thru=True)
        assert out.status == "cancelled" and out.type_names[0] == "PSOpenAI.VectorStore.FileBatch"
        assert [(r.method, r.path) for r in rec.requests] == [
            ("POST", "/vector_stores/vs_abcd/file_batches/vsfb_1/cancel"),
            ("GET", "/vector_stores/vs_abcd/file_batches/vsfb_1")]

    def test_connection_parameters_of_new_vector_store_are_named(self):
        """3.7.0 declares no positions, so -TimeoutSec is position 6 of New-VectorStore; ours are named."""
        with pytest.raises(ps.ParameterBindingError) as info:
            ps.bind("New-VectorStore $null $null n 1 last_active_at @{} 30")
        assert info.value.error_id == "PositionalParameterNotFound"

    def test_remove_vector_store_file_takes_the_file_id_from_the_pipeline(self):
        """3.7.0's -FileId does not bind from the pipeline; ours binds a piped file's id (alias Id)."""
        binding = ps.bind("Remove-VectorStoreFile", input=[store_file_obj()])[0]
        assert binding.bound["FileId"] == "file-abc123"

"""The vector store cmdlets (stores, their files, their file batches) against the bundled server.

Each request is checked as it reached the server: method, target, headers and the JSON body byte
for byte; each output by its type name and converted dates. Calls go through the module
functions, ``invoke`` lines and the command line (in process here; one real process pipe below).
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone

import pytest
from cli_support import cli, environment, json_lines

import pyopenai_ps as ps
from pyopenai_ps import NotFoundError, ParameterBindingError
from pyopenai_ps.server import Progression

STORE = "vs_abc123"  # the seeded store: "Support FAQ", holding file-abc456
FILES = ("file-abc123", "file-out123", "file-abc456")  # the seeded uploads
BETA = "assistants=v2"


def sent(api) -> list[tuple[str, str]]:
    return [(r.method, r.target) for r in api.requests]


def json_request(request, method: str, target: str, body: bytes) -> None:
    """One JSON request, exactly: method, target, body bytes, content type and beta header."""
    assert (request.method, request.target, request.body) == (method, target, body)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["openai-beta"] == BETA


def bodiless(request, method: str, target: str) -> None:
    assert (request.method, request.target, request.body) == (method, target, b"")
    assert "content-type" not in request.headers and request.headers["openai-beta"] == BETA


def utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def start_batch(api, *file_ids: str):
    """A file batch that stays in progress (the store moves nothing by itself)."""
    api.store.progression = Progression.manual()
    return ps.start_vector_store_file_batch(STORE, list(file_ids or FILES[:2]))


class TestNewAndSet:
    def test_every_field(self, api):
        store = ps.new_vector_store(file_id=["file-abc123", "file-abc456"], name="manuals", expires_after_days=7,
                                    meta_data={"team": "support"})
        json_request(api.requests[-1], "POST", "/v1/vector_stores",
                     b'{"file_ids":["file-abc123","file-abc456"],"name":"manuals",'
                     b'"expires_after":{"anchor":"last_active_at","days":7},"metadata":{"team":"support"}}')
        assert store.type_names[0] == "PSOpenAI.VectorStore" and store.name == "manuals"
        made = api.store.get("vector_store", store.id)
        for name in ("created_at", "last_active_at", "expires_at"):
            assert getattr(store, name) == utc(made[name])

    def test_nothing_given_sends_an_empty_object(self, api):
        assert ps.invoke("New-VectorStore")[0].id.startswith("vs_")
        json_request(api.requests[-1], "POST", "/v1/vector_stores", b"{}")

    @pytest.mark.parametrize("line, body", [
        ("New-VectorStore -ExpiresAfterAnchor last_active_at", b"{}"),  # the anchor alone sends nothing
        ("New-VectorStore -ExpiresAfterDays 1 -ExpiresAfterAnchor LAST_ACTIVE_AT",
         b'{"expires_after":{"anchor":"last_active_at","days":1}}'),
        ("New-VectorStore -FileId @() -Name ''", b'{"name":""}'),  # no ids: no file_ids
        ("New-VectorStore -Name n -AdditionalBody @{ name = 'x'; chunking_strategy = @{ type = 'auto' } }",
         b'{"name":"x","chunking_strategy":{"type":"auto"}}'),
        ("New-VectorStore -Name n -AdditionalBody '{\"metadata\": {\"k\": \"v\"}}'",
         b'{"name":"n","metadata":{"k":"v"}}'),
    ])
    def test_bodies(self, api, line, body):
        ps.invoke(line)
        json_request(api.requests[-1], "POST", "/v1/vector_stores", body)

    def test_positions_are_the_automatic_ones(self):
        bound = ps.bind("New-VectorStore $null file-a manuals 3 last_active_at @{a='b'}").bound
        assert bound == {"InputObject": None, "FileId": ["file-a"], "Name": "manuals", "ExpiresAfterDays": 3,
                         "ExpiresAfterAnchor": "last_active_at", "MetaData": {"a": "b"}}
        with pytest.raises(ParameterBindingError):  # connection parameters stay named
            ps.bind("New-VectorStore $null file-a manuals 3 last_active_at @{a='b'} 30")

    def test_a_store_piped_to_new_is_modified(self, api):
        out = ps.invoke(f"Get-VectorStore {STORE} | New-VectorStore -Name renamed")
        json_request(api.requests[-1], "POST", f"/v1/vector_stores/{STORE}", b'{"name":"renamed"}')
        assert out[0].name == "renamed"

    def test_set(self, api):
        store = ps.set_vector_store(STORE, name="Support FAQ (2025)", expires_after_days=30, meta_data={"v": "2"})
        json_request(api.requests[-1], "POST", f"/v1/vector_stores/{STORE}",
                     b'{"name":"Support FAQ (2025)","expires_after":{"anchor":"last_active_at","days":30},'
                     b'"metadata":{"v":"2"}}')
        assert store.type_names[0] == "PSOpenAI.VectorStore" and store.name == "Support FAQ (2025)"
        assert store.expires_at == utc(api.store.get("vector_store", STORE)["expires_at"])
        ps.invoke(f"Set-VectorStore -vector_store_id {STORE}")
        json_request(api.requests[-1], "POST", f"/v1/vector_stores/{STORE}", b"{}")

    def test_set_every_store_piped(self, api):
        other = ps.new_vector_store(name="other")
        out = ps.invoke("Get-VectorStore -All | Set-VectorStore -ExpiresAfterDays 30")
        body = b'{"expires_after":{"anchor":"last_active_at","days":30}}'
        for request, store_id in zip(api.requests[-2:], [STORE, other.id]):
            json_request(request, "POST", f"/v1/vector_stores/{store_id}", body)
        assert [s.id for s in out] == [STORE, other.id] and all(s.expires_at for s in out)

    @pytest.mark.parametrize("line", [
        "New-VectorStore -MetaData 'team'",              # not a dictionary
        "New-VectorStore -ExpiresAfterDays 366",
        "New-VectorStore -ExpiresAfterDays soon",
        "Set-VectorStore -InputObject @{ id = 'hoge_abc123' } -Name x",
        "Set-VectorStore -Name x",                       # no store
    ])
    def test_bad_input_sends_nothing(self, api, line):
        with pytest.raises(ParameterBindingError):
            ps.invoke(line)
        assert api.requests == []

    def test_too_many_file_ids(self, api):
        with pytest.raises(ParameterBindingError) as info:
            ps.new_vector_store(file_id=[f"file-{n}" for n in range(501)])
        assert info.value.parameter_name == "FileId" and api.requests == []


class TestGetAndRemove:
    def test_get_by_id_object_or_a_file_of_the_store(self, api):
        store = ps.get_vector_store(STORE)
        assert store.type_names[0] == "PSOpenAI.VectorStore" and store.name == "Support FAQ"
        assert store.created_at == utc(api.store.get("vector_store", STORE)["created_at"])
        ps.get_vector_store({"id": STORE, "object": "vector_store"})
        ps.invoke(f"Get-VectorStoreFile {STORE} | Get-VectorStore")  # 3.7.0 cannot read vector_store_id
        assert [t for _, t in sent(api)][-1] == f"/v1/vector_stores/{STORE}"
        assert all(r.headers["openai-beta"] == BETA and r.body == b"" for r in api.requests)

    @pytest.mark.parametrize("line, target", [
        ("Get-VectorStore", "/v1/vector_stores?limit=20&order=asc"),
        ("Get-VectorStore -Limit 5 -Order DESC", "/v1/vector_stores?limit=5&order=desc"),
        ("Get-VectorStore -All", "/v1/vector_stores?limit=100&order=asc"),
        ("Get-VectorStore -After vs_0 -Before vs_9", "/v1/vector_stores?limit=100&order=asc&after=vs_0&before=vs_9"),
    ])
    def test_listing_queries(self, api, line, target):
        api.store.add_vector_store("vs_0")
        api.store.add_vector_store("vs_9")
        ps.invoke(line)
        assert api.requests[0].target == target

    def test_all_follows_the_pages(self, api):
        ids = [api.store.add_vector_store(f"vs_{n:03d}")["id"] for n in range(120)]
        out = ps.get_vector_store(all=True, order="desc")
        assert [s.id for s in out] == ids[::-1] + [STORE]
        assert [t for _, t in sent(api)] == ["/v1/vector_stores?limit=100&order=desc",
                                             f"/v1/vector_stores?limit=100&order=desc&after={ids[20]}"]

    def test_a_page_with_more_warns(self, api, caplog):
        for n in range(25):
            api.store.add_vector_store(f"vs_{n:03d}")
        assert len(ps.invoke("Get-VectorStore")) == 20
        assert "There is more data that has not been retrieved." in caplog.text

    def test_remove(self, api, caplog):
        assert ps.remove_vector_store(STORE, verbose=True) is None
        bodiless(api.requests[-1], "DELETE", f"/v1/vector_stores/{STORE}")
        assert f"The vector store {STORE} has been deleted." in caplog.text
        assert api.store.get("vector_store", STORE) is None
        assert api.store.get("file", "file-abc456") is not None  # the upload stays

    def test_remove_piped_ids_and_objects(self, api):
        other = ps.new_vector_store(name="other")
        assert ps.invoke(f"'{STORE}', '{other.id}' | Remove-VectorStore") == []
        assert sent(api)[-2:] == [("DELETE", f"/v1/vector_stores/{STORE}"), ("DELETE", f"/v1/vector_stores/{other.id}")]

    def test_a_failed_remove_says_what_was_not_removed(self, api):
        with pytest.raises(NotFoundError) as info:
            ps.remove_vector_store("vs_gone")
        assert str(info.value).endswith("The vector store vs_gone was not deleted.")

    def test_an_object_without_a_store_id_is_refused(self, api):
        with pytest.raises(ParameterBindingError):
            ps.get_command("Remove-VectorStore").pipe([datetime(2024, 1, 1)], error_action="Stop")
        assert api.requests == []


class TestStoreFiles:
    def test_add(self, api):
        assert ps.add_vector_store_file(STORE, "file-out123") is None
        json_request(api.requests[-1], "POST", f"/v1/vector_stores/{STORE}/files", b'{"file_id":"file-out123"}')
        assert len(api.requests) == 1

    def test_add_passthru_reads_the_store_again(self, api):
        out = ps.invoke(f"Get-VectorStore {STORE} | Add-VectorStoreFile -FileId file-out123 -PassThru "
                        "-AdditionalHeaders @{ 'X-Trace' = 't1' }")
        assert sent(api)[1:] == [("POST", f"/v1/vector_stores/{STORE}/files"), ("GET", f"/v1/vector_stores/{STORE}")]
        assert all(r.headers["x-trace"] == "t1" for r in api.requests[1:])  # the follow-up has the same connection
        assert [s.type_names[0] for s in out] == ["PSOpenAI.VectorStore"] and out[0].file_counts["total"] == 2

    def test_add_an_unknown_file(self, api):
        with pytest.raises(NotFoundError) as info:
            ps.add_vector_store_file(STORE, "file-nope", pass_thru=True)
        assert str(info.value).endswith(f"The file was not added to the vector store {STORE}.")
        assert len(api.requests) == 1  # no follow-up after a failure

    @pytest.mark.parametrize("line, target", [
        (f"Get-VectorStoreFile {STORE}", f"/v1/vector_stores/{STORE}/files?limit=20&order=asc"),
        (f"Get-VectorStoreFile {STORE} -Limit 3 -Order desc -Filter COMPLETED",
         f"/v1/vector_stores/{STORE}/files?limit=3&order=desc&filter=completed"),
        (f"Get-VectorStoreFile {STORE} -All -Filter failed",
         f"/v1/vector_stores/{STORE}/files?limit=100&order=asc&filter=failed"),
        (f"Get-VectorStoreFile {STORE} file-abc456", f"/v1/vector_stores/{STORE}/files/file-abc456"),
    ])
    def test_get_queries(self, api, line, target):
        for item in ps.invoke(line):
            assert item.type_names[0] == "PSOpenAI.VectorStore.File" and isinstance(item.created_at, datetime)
        assert api.requests[0].target == target and api.requests[0].headers["openai-beta"] == BETA

    def test_a_piped_file_of_a_store_is_read_again(self, api):
        ps.add_vector_store_file(STORE, "file-out123")
        out = ps.invoke(f"Get-VectorStoreFile {STORE} -All | Get-VectorStoreFile")
        assert [f.id for f in out] == ["file-abc456", "file-out123"]
        assert [t for _, t in sent(api)][2:] == [f"/v1/vector_stores/{STORE}/files/file-abc456",
                                                 f"/v1/vector_stores/{STORE}/files/file-out123"]

    def test_remove(self, api, caplog):
        assert ps.remove_vector_store_file(STORE, "file-abc456", verbose=True) is None
        bodiless(api.requests[-1], "DELETE", f"/v1/vector_stores/{STORE}/files/file-abc456")
        assert f"The file file-abc456 has been removed from the vector store {STORE}." in caplog.text
        assert api.store.get("file", "file-abc456") is not None

    def test_remove_piped_files(self, api):
        ps.add_vector_store_file(STORE, "file-out123")
        assert ps.invoke(f"Get-VectorStoreFile -VectorStore {STORE} | Remove-VectorStoreFile") == []
        assert sent(api)[-2:] == [("DELETE", f"/v1/vector_stores/{STORE}/files/file-abc456"),
                                  ("DELETE", f"/v1/vector_stores/{STORE}/files/file-out123")]
        assert api.store.ids("vector_store_file", STORE) == []

    def test_remove_failure_names_both(self, api):
        with pytest.raises(NotFoundError) as info:
            ps.invoke(f"Remove-VectorStoreFile {STORE} file-nope")
        assert str(info.value).endswith(f"The file file-nope was not removed from the vector store {STORE}.")


class TestFileBatches:
    def test_start(self, api, caplog):
        batch = ps.invoke(f"Start-VectorStoreFileBatch {STORE} file-abc123,file-out123 -Verbose")[0]
        json_request(api.requests[-1], "POST", f"/v1/vector_stores/{STORE}/file_batches",
                     b'{"file_ids":["file-abc123","file-out123"]}')
        assert batch.type_names[0] == "PSOpenAI.VectorStore.FileBatch" and batch.vector_store_id == STORE
        assert batch.created_at == utc(api.store.get("vector_store_file_batch", STORE, batch.id)["created_at"])
        assert f"The file batch {batch.id} was started; its status is in_progress." in caplog.text

    def test_each_piped_store_gets_its_batch(self, api):
        other = ps.new_vector_store(name="other")
        out = ps.get_command("Start-VectorStoreFileBatch").pipe([STORE, other], file_id=["file-abc123"])
        body = b'{"file_ids":["file-abc123"]}'
        json_request(api.requests[-2], "POST", f"/v1/vector_stores/{STORE}/file_batches", body)
        json_request(api.requests[-1], "POST", f"/v1/vector_stores/{other.id}/file_batches", body)
        assert [b.vector_store_id for b in out] == [STORE, other.id]

    @pytest.mark.parametrize("file_ids", [[], [f"file-{n}" for n in range(501)]])
    def test_start_needs_one_to_500_files(self, api, file_ids):
        with pytest.raises(ParameterBindingError):
            ps.start_vector_store_file_batch(STORE, file_ids)
        assert api.requests == []

    def test_get_by_ids_a_piped_batch_or_a_piped_store(self, api):
        batch = start_batch(api)
        target = f"/v1/vector_stores/{STORE}/file_batches/{batch.id}"
        again = ps.get_vector_store_file_batch(STORE, batch.id)
        assert again.type_names[0] == "PSOpenAI.VectorStore.FileBatch" and again.id == batch.id
        ps.get_command("Get-VectorStoreFileBatch").pipe(batch)
        ps.invoke(f"Get-VectorStore {STORE} | Get-VectorStoreFileBatch -BatchId {batch.id}")  # 3.7.0 cannot
        assert [t for _, t in sent(api)][-4:] == [target, target, f"/v1/vector_stores/{STORE}", target]

    def test_files_in_a_batch(self, api):
        batch = start_batch(api)
        out = ps.get_command("Get-VectorStoreFileInBatch").pipe(batch, filter="in_progress", limit=5)
        assert api.requests[-1].target == (f"/v1/vector_stores/{STORE}/file_batches/{batch.id}/files"
                                           "?limit=5&order=asc&filter=in_progress")
        assert [f.id for f in out] == list(FILES[:2]) and out[0].type_names[0] == "PSOpenAI.VectorStore.File"

    def test_all_files_in_a_batch_follow_the_pages(self, api):
        ids = [api.store.add_file(b"x", filename=f"{n}.txt", purpose="assistants")["id"] for n in range(130)]
        batch = start_batch(api, *ids)
        out = ps.invoke(f"Get-VectorStoreFileInBatch -VectorStore {STORE} -BatchId {batch.id} -All")
        assert [f.id for f in out] == ids  # 3.7.0 fails after the first page
        base = f"/v1/vector_stores/{STORE}/file_batches/{batch.id}/files?limit=100&order=asc"
        assert [t for _, t in sent(api)][-2:] == [base, f"{base}&after={ids[99]}"]

    def test_stop(self, api, caplog):
        batch = start_batch(api)
        assert ps.stop_vector_store_file_batch(STORE, batch.id, verbose=True) is None
        bodiless(api.requests[-1], "POST", f"/v1/vector_stores/{STORE}/file_batches/{batch.id}/cancel")
        assert f"Asked to cancel the file batch {batch.id} of the vector store {STORE}." in caplog.text

    def test_stop_passthru_gives_the_answer(self, api):
        batch = start_batch(api)
        out = ps.get_command("Stop-VectorStoreFileBatch").pipe(batch, pass_thru=True)
        assert sent(api)[-1] == ("POST", f"/v1/vector_stores/{STORE}/file_batches/{batch.id}/cancel")
        assert [b.status for b in out] == ["cancelling"] and out[0].type_names[0] == "PSOpenAI.VectorStore.FileBatch"

    def test_stop_wait_waits_until_the_cancel_is_over(self, api):
        """Issue 16: -Wait (refused before it) waits with Wait-VectorStoreFileBatch; more in test_batch_cmdlets."""
        batch = start_batch(api)
        api.store.progression = Progression.per_poll()  # the first read finds it cancelled
        count = len(api.requests)
        out = ps.invoke(f"Stop-VectorStoreFileBatch {STORE} {batch.id} -Wait -PassThru")
        assert [b.status for b in out] == ["cancelled"]
        target = f"/v1/vector_stores/{STORE}/file_batches/{batch.id}"
        assert sent(api)[count:] == [("POST", f"{target}/cancel"), ("GET", target)]
        other = start_batch(api)
        ps.invoke(f"Stop-VectorStoreFileBatch {STORE} {other.id} -Wait:$false")
        assert sent(api)[-1][0] == "POST"  # no wait

    def test_a_failed_stop_says_so(self, api):
        with pytest.raises(NotFoundError) as info:
            ps.stop_vector_store_file_batch(STORE, "vsfb_nope")
        assert str(info.value).endswith("The file batch vsfb_nope was not cancelled.")


@pytest.mark.parametrize("line", [
    "New-VectorStore", f"Set-VectorStore {STORE}", f"Get-VectorStore {STORE}", "Get-VectorStore -All",
    f"Add-VectorStoreFile {STORE} file-out123 -PassThru", f"Get-VectorStoreFile {STORE} file-abc456",
    f"Start-VectorStoreFileBatch {STORE} file-abc123", f"Get-VectorStoreFile {STORE} -All",
])
def test_the_table_view_names_properties_of_the_output(api, line):
    """The demo's table columns (view.table) are properties the objects have."""
    name = line.split()[0]
    columns = ps.get_command(name).spec.view.table
    out = ps.invoke(line)
    assert columns and out and all(set(columns) <= set(item.to_dict()) for item in out)


def test_debug_logs_the_body_without_the_key(api, caplog):
    ps.invoke("New-VectorStore -Name dbg -MetaData @{ k = 'v' } -Debug")
    logged = caplog.text
    assert 'Request body: {"name":"dbg","metadata":{"k":"v"}}' in logged and api.key not in logged


def test_help(api, capsys):
    from pyopenai_ps.cli import main

    assert main(["help", "Get-VectorStore", "-Full"]) == 0
    text = capsys.readouterr().out
    assert "### ListAll" in text and "-After" not in text and "[-All]" in text  # -After, -Before are hidden
    assert main(["help", "Stop-VectorStoreFileBatch", "-Full"]) == 0
    text = capsys.readouterr().out
    assert "[-Organization <String>]\n        [-Wait]\n        [-PassThru]" in text and "Not supported yet" not in text
    assert "Waits after the cancel until the batch is cancelled, completed or failed" in text
    assert api.requests == []


class TestCommandLine:
    def test_in_process(self, api, monkeypatch, capsys):
        from pyopenai_ps.cli import main

        monkeypatch.setenv("OPENAI_API_BASE", api.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-in-process-0123456789")
        assert main(["New-VectorStore", "-Name", "cli", "-MetaData:@{a='b'}", "-ExpiresAfterDays", "2"]) == 0
        made = json_lines(capsys.readouterr().out)
        json_request(api.requests[-1], "POST", "/v1/vector_stores",
                     b'{"name":"cli","expires_after":{"anchor":"last_active_at","days":2},"metadata":{"a":"b"}}')
        assert [m["name"] for m in made] == ["cli"]
        assert main(["-c", f"Get-VectorStore {made[0]['id']} | Add-VectorStoreFile -FileId file-abc123 -PassThru"]) == 0
        assert json_lines(capsys.readouterr().out)[0]["file_counts"]["total"] == 1
        assert main(["Remove-VectorStore", made[0]["id"]]) == 0 and capsys.readouterr().out == ""
        assert main(["Stop-VectorStoreFileBatch", STORE, "vsfb_x", "-Wait"]) == 1
        assert "The file batch vsfb_x was not cancelled." in capsys.readouterr().err  # -Wait no longer refused: sent
        assert sent(api)[-2] == ("DELETE", f"/v1/vector_stores/{made[0]['id']}")
        assert sent(api)[-1] == ("POST", f"/v1/vector_stores/{STORE}/file_batches/vsfb_x/cancel")

    def test_processes_piped(self, api):
        """Get-VectorStore | Start-VectorStoreFileBatch | Get-VectorStoreFileInBatch, three processes."""
        env = environment(api.base_url)
        first = subprocess.Popen([*cli(), "Get-VectorStore", STORE], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, env=env)
        second = subprocess.Popen([*cli(), "Start-VectorStoreFileBatch", "-FileId:@('file-abc123','file-out123')"],
                                  stdin=first.stdout, stdout=subprocess.PIPE, env=env)
        first.stdout.close()
        try:
            third = subprocess.run([*cli(), "Get-VectorStoreFileInBatch", "-All"], stdin=second.stdout,
                                   capture_output=True, text=True, env=env, timeout=60)
        finally:
            second.stdout.close()
            first.wait(timeout=30)
            second.wait(timeout=30)
        assert (first.returncode, second.returncode, third.returncode) == (0, 0, 0), third.stderr
        assert [f["id"] for f in json_lines(third.stdout)] == ["file-abc123", "file-out123"]
        create = next(r for r in api.requests if r.method == "POST")
        assert json.loads(create.body) == {"file_ids": ["file-abc123", "file-out123"]}

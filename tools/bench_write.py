"""The write side's figures of ``tools/bench.py``: a POST with a small body, a streamed upload and a
streamed download, each against what a user would write by hand (and, for the POST, the SDK).

Sizes are parameters: the full figures upload 200 MB and download 1 GB; the harness's smoke test
runs them small.  Memory figures run each contender in a child process and read its peak RSS.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
from collections.abc import Callable, Iterator

import bench_figures as figures
from bench_figures import HEADERS, KEY, Contender, _peak_mb, _skip, guarded, missing, perf

_CHUNK = 1 << 20


# --- a POST with a small body ------------------------------------------------------------------


def post_contenders(base: str, n: int) -> tuple[Contender, Contender, Contender]:
    import urllib3

    import pyopenai_ps

    pyopenai_ps.OPENAI_API_BASE = base
    pyopenai_ps.OPENAI_API_KEY = KEY
    assert pyopenai_ps.new_thread().id == "thread_bench"

    def ours(n: int) -> int:
        new_thread = pyopenai_ps.new_thread
        t0 = perf()
        for _ in range(n):
            new_thread()
        return perf() - t0

    http = urllib3.PoolManager()
    url = f"{base}/threads"
    headers = {**HEADERS, "Content-Type": "application/json"}

    def raw(n: int) -> int:
        request, loads = http.request, json.loads
        t0 = perf()
        for _ in range(n):
            loads(request("POST", url, body=b"{}", headers=headers).data)
        return perf() - t0

    assert json.loads(http.request("POST", url, body=b"{}", headers=headers).data)["id"] == "thread_bench"
    reason = missing("openai")
    sdk = _skip("openai", reason) if reason else guarded("openai", lambda: _sdk_post(base, n))
    return Contender("ours", ours, n), Contender("urllib3", raw, n), sdk


def _sdk_post(base: str, n: int) -> Contender:
    client = figures._sdk_client(base)
    assert client.beta.threads.create().id == "thread_bench"

    def sdk(n: int) -> int:
        t0 = perf()
        for _ in range(n):
            client.beta.threads.create()
        return perf() - t0

    return Contender("openai", sdk, n)


# --- a streamed upload -----------------------------------------------------------------------------


def make_file(folder: str, megabytes: int) -> str:
    path = os.path.join(folder, f"upload-{megabytes}mb.bin")
    block = os.urandom(_CHUNK)
    with open(path, "wb") as handle:
        for _ in range(megabytes):
            handle.write(block)
    return path


def _raw_upload_body(path: str) -> tuple[Iterator[bytes], int, str]:
    """What a careful hand-written client sends: multipart framing around the file, read in blocks."""
    boundary = "bench-boundary-0123456789"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{os.path.basename(path)}\""
            "\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        with open(path, "rb") as handle:
            while block := handle.read(_CHUNK):
                yield block
        yield tail

    return chunks(), len(head) + os.path.getsize(path) + len(tail), f"multipart/form-data; boundary={boundary}"


def upload_contenders(base: str, path: str) -> tuple[Contender, Contender]:
    import urllib3

    import pyopenai_ps

    size = os.path.getsize(path)
    register = pyopenai_ps.register_openai_file  # AttributeError (a skipped row) when there is no such cmdlet

    def ours(n: int) -> int:
        total = 0
        for _ in range(n):
            gc.collect()
            t0 = perf()
            uploaded = register(file=path, purpose="assistants")
            total += perf() - t0
            assert uploaded.bytes > size, uploaded
        return total

    http = urllib3.PoolManager()

    def raw(n: int) -> int:
        total = 0
        for _ in range(n):
            gc.collect()
            t0 = perf()
            body, length, content_type = _raw_upload_body(path)
            answer = http.request("POST", f"{base}/files", body=body,
                                  headers={**HEADERS, "Content-Type": content_type, "Content-Length": str(length)})
            total += perf() - t0
            assert json.loads(answer.data)["bytes"] == length
        return total

    return Contender("ours", ours, 1), Contender("urllib3", raw, 1)


# --- a streamed download ---------------------------------------------------------------------------


def download_contenders(base: str, folder: str, megabytes: int) -> tuple[Contender, Contender]:
    import urllib3

    import pyopenai_ps

    target = os.path.join(folder, "download.bin")
    expected = megabytes << 20
    content = pyopenai_ps.get_openai_file_content  # AttributeError (a skipped row) when there is no such cmdlet

    def best(once: Callable[[], None]) -> int:
        """The quickest of three: writing 1 GB of fresh page cache on a virtual machine sometimes stalls
        for seconds whoever writes (the host backing the guest's pages), which says nothing of the client."""
        times = []
        for _ in range(3):
            gc.collect()
            t0 = perf()
            once()
            times.append(perf() - t0)
            assert os.path.getsize(target) == expected
            os.unlink(target)
        return min(times)

    def ours_once() -> None:
        content("file_big", out_file=target)

    def ours(n: int) -> int:
        return sum(best(ours_once) for _ in range(n))

    http = urllib3.PoolManager()

    def raw_once() -> None:
        answer = http.request("GET", f"{base}/files/file_big/content", headers=HEADERS, preload_content=False)
        with open(target, "wb") as handle:
            for chunk in answer.stream(_CHUNK):
                handle.write(chunk)
        answer.release_conn()

    def raw(n: int) -> int:
        return sum(best(raw_once) for _ in range(n))

    return Contender("ours", ours, 1), Contender("urllib3", raw, 1)


# --- peak memory of the transfers, in child processes ---------------------------------------------------

_UPLOAD = figures._PEAK + """
import sys
import pyopenai_ps
pyopenai_ps.OPENAI_API_BASE, pyopenai_ps.OPENAI_API_KEY = sys.argv[1], sys.argv[2]
pyopenai_ps.register_openai_file(file=sys.argv[3], purpose="assistants")
print(*_peak_kib())
"""

_DOWNLOAD = figures._PEAK + """
import os, sys
import pyopenai_ps
pyopenai_ps.OPENAI_API_BASE, pyopenai_ps.OPENAI_API_KEY = sys.argv[1], sys.argv[2]
pyopenai_ps.get_openai_file_content("file_big", out_file=sys.argv[3])
os.unlink(sys.argv[3])
print(*_peak_kib())
"""


def transfer_memory_contenders(base: str, env: dict[str, str], upload_path: str, folder: str
                               ) -> tuple[Contender, Contender, Contender]:
    import pyopenai_ps

    target = os.path.join(folder, "probe-download.bin")
    idle = Contender("idle", lambda n: _peak_mb(figures._IDLE, env), 1)
    probes = []
    for name, function, code, path in (("upload", "register_openai_file", _UPLOAD, upload_path),
                                       ("download", "get_openai_file_content", _DOWNLOAD, target)):
        if not hasattr(pyopenai_ps, function):
            probes.append(_skip(name, f"skipped: no cmdlet function {function}"))
            continue
        probes.append(Contender(name, lambda n, code=code, path=path: _peak_mb(code, env, base, KEY, path), 1))
    return probes[0], probes[1], idle


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    """Where the benchmark's files go (under the system temp folder, removed at the end)."""
    return tempfile.TemporaryDirectory(prefix="pyopenai-bench-files-")


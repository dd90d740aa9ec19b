"""The streaming and polling figures of ``tools/bench.py`` (issue 16): a streamed run of 10,000 message
deltas against a raw urllib3 SSE reader and the SDK, the delay from an event's last byte to its piece, and
the CPU a five-second Wait-ThreadRun costs.

Each figure is a pair of contenders for ``bench_figures.Row`` (ours, baseline); the absolute targets are
written as ratios to a constant baseline: the delay against 1 ms (target <= 1x), the CPU per second
waited against one second (target <= 0.05x). ``python tools/bench_stream.py [--quick]`` measures them on
their own and prints the rows.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator

import bench_figures as figures
from bench_figures import HEADERS, KEY, Contender, _skip, guarded, missing, perf

STREAM_THREAD = "thread_stream"
DELTAS = 10_000
WAIT_THREAD, WAIT_RUN = "thread_wait", "run_wait"


def _text_of(delta: dict) -> str:
    return delta["delta"]["content"][0]["text"]["value"]  # type: ignore[no-any-return]


# --- 10,000 deltas: ours, a raw urllib3 line reader, the SDK --------------------------------------------


def stream_contenders(base: str, deltas: int = DELTAS) -> tuple[Contender, Contender, Contender]:
    """One streamed run read to its end per operation: Start-ThreadRun -Stream, a hand-written urllib3
    SSE reader (the same events, ``json.loads`` of each delta, its text), the SDK's ``runs.create(stream=True)``."""
    import urllib3

    import pyopenai_ps

    pyopenai_ps.OPENAI_API_BASE = base
    pyopenai_ps.OPENAI_API_KEY = KEY
    command = pyopenai_ps.get_command("Start-ThreadRun")

    def ours_once() -> int:
        count = 0
        for _ in command.stream(thread_id=STREAM_THREAD, assistant="asst_abc123", stream=True):
            count += 1
        return count

    assert ours_once() == deltas

    def ours(n: int) -> int:
        t0 = perf()
        for _ in range(n):
            ours_once()
        return perf() - t0

    http = urllib3.PoolManager()
    url = f"{base}/threads/{STREAM_THREAD}/runs"
    headers = {**HEADERS, "Content-Type": "application/json", "Accept": "text/event-stream"}
    body = json.dumps({"assistant_id": "asst_abc123", "stream": True}).encode()

    def raw_pieces() -> Iterator[str]:
        answer = http.request("POST", url, body=body, headers=headers, preload_content=False)
        loads = json.loads
        event, carry = "", b""
        for chunk in answer.stream(65536):
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop()
            for line in lines:
                if line.startswith(b"event: "):
                    event = line[7:].decode()
                elif line.startswith(b"data: ") and event == "thread.message.delta":
                    yield _text_of(loads(line[6:]))
        answer.release_conn()

    assert sum(1 for _ in raw_pieces()) == deltas

    def raw(n: int) -> int:
        t0 = perf()
        for _ in range(n):
            for _ in raw_pieces():
                pass
        return perf() - t0

    reason = missing("openai")
    sdk = _skip("openai", reason) if reason else guarded("openai", lambda: _sdk_stream(base, deltas))
    return Contender("ours", ours, 1), Contender("urllib3", raw, 1), sdk


def _sdk_stream(base: str, deltas: int) -> Contender:
    client = figures._sdk_client(base)

    def pieces() -> Iterator[str]:
        stream = client.beta.threads.runs.create(STREAM_THREAD, assistant_id="asst_abc123", stream=True)
        for event in stream:
            if event.event == "thread.message.delta":
                yield event.data.delta.content[0].text.value

    assert sum(1 for _ in pieces()) == deltas

    def sdk(n: int) -> int:
        t0 = perf()
        for _ in range(n):
            for _ in pieces():
                pass
        return perf() - t0

    return Contender("openai", sdk, 1)


# --- the delay from an event's last byte to its piece ------------------------------------------------------


class OneEventServer:
    """In this process: answers a streamed run one event at a time. After each event's last byte has gone
    into the socket it notes ``perf_counter_ns()``, then waits until the piece was read before the next."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"
        self.sent: list[int] = []
        self.read = threading.Semaphore(0)
        self.events = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            while len(body) < length:
                body += conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
            for i in range(self.events):
                delta = {"object": "thread.message.delta",
                         "delta": {"content": [{"index": 0, "type": "text", "text": {"value": f"p{i}"}}]}}
                conn.sendall(b"event: thread.message.delta\ndata: " + json.dumps(delta).encode() + b"\n\n")
                self.sent.append(perf())
                if not self.read.acquire(timeout=10):
                    return
            conn.sendall(b"event: done\ndata: [DONE]\n\n")

    def close(self) -> None:
        self.listener.close()


def latency_contenders() -> tuple[Contender, Contender]:
    """Per operation: the median delay (ns) over the events of one stream, from the moment an event's last
    byte was sent to the moment Start-ThreadRun -Stream yielded its piece; against a constant 1 ms."""
    import pyopenai_ps

    server = OneEventServer()
    command = pyopenai_ps.get_command("Start-ThreadRun")

    def delays(events: int) -> list[int]:
        server.events, server.sent = events, []
        got: list[int] = []
        for _ in command.stream(thread_id="thread_latency", assistant="asst_abc123", stream=True,
                                api_base=server.base, api_key=KEY):
            got.append(perf())
            server.read.release()
        return [g - s for g, s in zip(got, server.sent, strict=True)]

    assert len(delays(5)) == 5

    def ours(n: int) -> int:
        return int(statistics.median(delays(max(n, 1))) * n)  # per operation: the median delay

    def one_ms(n: int) -> int:
        return 1_000_000 * n

    return Contender("ours", ours, 200), Contender("1 ms", one_ms, 200)


# --- CPU time of a wait --------------------------------------------------------------------------------


def wait_cpu_contenders(base: str) -> tuple[Contender, Contender]:
    """Per operation: the CPU time (ns) this process used per second of a real Wait-ThreadRun of a run the
    fast server completes after its --wait-seconds (5 s by default); against one second."""
    import pyopenai_ps

    pyopenai_ps.OPENAI_API_BASE = base
    pyopenai_ps.OPENAI_API_KEY = KEY
    pyopenai_ps.configure()  # real sleeping and the real clock: this figure is about waiting

    def ours(n: int) -> int:
        total = 0.0
        for _ in range(n):
            run = pyopenai_ps.start_thread_run(thread_id=WAIT_THREAD, assistant="asst_abc123")
            wall0, cpu0 = time.perf_counter(), time.process_time()
            done = pyopenai_ps.wait_thread_run(run)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            assert done.status == "completed", done.status
            total += cpu / wall * 1e9
        return int(total)

    def one_second(n: int) -> int:
        return 1_000_000_000 * n

    return Contender("ours", ours, 1), Contender("1 s", one_second, 1)


# --- on its own -------------------------------------------------------------------------------------------


def rows(base: str, rounds: int) -> list[figures.Row]:
    """The four figures, measured: interleaved rounds as tools/bench.py runs them."""
    from bench import run_rounds

    stream_ours, stream_raw, stream_sdk = stream_contenders(base)
    delay_ours, delay_ms = latency_contenders()
    cpu_ours, cpu_second = wait_cpu_contenders(base)
    for c in (stream_ours, stream_raw, stream_sdk):
        if c.unit is not None:
            c.unit(1)  # warm-up
    log = lambda message: print(f"  .. {message}", file=sys.stderr, flush=True)  # noqa: E731
    run_rounds([[stream_ours, stream_raw, stream_sdk], [delay_ours, delay_ms]], rounds, log, "streams")
    run_rounds([[cpu_ours, cpu_second]], min(rounds, 3), log, "waits")
    return [
        figures.Row("stream 10,000 deltas vs urllib3 SSE line reader", stream_ours, stream_raw, 1.2),
        figures.Row("stream 10,000 deltas vs openai SDK runs.create(stream=True)", stream_ours, stream_sdk, 0.5),
        figures.Row("delay last byte -> piece (median) vs 1 ms", delay_ours, delay_ms, 1.0),
        figures.Row("CPU per second of Wait-ThreadRun (5 s run) vs 1 s", cpu_ours, cpu_second, 0.05),
    ]


def main() -> int:
    import argparse

    from bench import FastServer, table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round instead of five")
    args = parser.parse_args()
    server = FastServer(content_mb=1)
    try:
        measured = rows(server.base, 1 if args.quick else 5)
    finally:
        server.close()
    print(table(measured))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

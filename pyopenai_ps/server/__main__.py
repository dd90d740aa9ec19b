"""``python -m pyopenai_ps.server``: run the local server in the foreground.

Prints ``Serving on http://HOST:PORT/v1`` once it listens (flushed, so a
parent process can read it from a pipe), then a line saying how to point a client
at it, and stops cleanly on SIGINT or SIGTERM.  A bad option is one line on
stderr and exit status 2; an address it cannot listen on, exit status 1.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from typing import NoReturn, Sequence

from .app import LocalServer
from .progression import Progression


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text, 10)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535 (0: any free port), not '{text}'")
    return port


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Serve an OpenAI-compatible stand-in API (runs, threads, ...) on loopback.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=0,
                        help="port to listen on (default 0: any free port, printed at start)")
    parser.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY",
                        help="accept only this bearer key (repeatable; default: any key)")
    parser.add_argument("--no-seed", action="store_true", help="start with an empty store")
    parser.add_argument("--seed-runs", metavar="THREAD=N", action="append", default=[],
                        help="also add N generated runs to THREAD (repeatable)")
    parser.add_argument("--no-record", action="store_true",
                        help="do not record requests (long benchmark runs)")
    parser.add_argument("--progression", default="per_poll", metavar="MODE",
                        help="how API-made runs, batches and vector store files move on: "
                             "per_poll (default: one status per GET), immediate, manual, "
                             "or after_seconds:N")
    parser.add_argument("--real-clock", action="store_true",
                        help="use the system clock (default: a clock that moves only through "
                             "POST /__control/clock)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser


def _progression(spec: str) -> Progression:
    mode, _, seconds = spec.partition(":")
    if mode == "after_seconds":
        return Progression.after_seconds(float(seconds or 1))
    return Progression(mode)


def main(argv: Sequence[str] | None = None, prog: str = "python -m pyopenai_ps.server") -> int:
    """Run the server until SIGINT or SIGTERM; ``prog`` is the command name help and errors show."""
    args = _parser(prog).parse_args(argv)
    try:
        progression = _progression(args.progression)
    except ValueError as exc:
        print(f"{prog}: --progression: {exc}", file=sys.stderr)
        return 2
    server = LocalServer(args.host, args.port, api_keys=args.api_keys,
                         seed=not args.no_seed, verbose=args.verbose,
                         record=not args.no_record,
                         clock=time.time if args.real_clock else None,
                         progression=progression)
    for spec in args.seed_runs:
        thread_id, _, count = spec.partition("=")
        if not thread_id or not count.isdigit():
            print(f"{prog}: --seed-runs expects THREAD=N, got {spec!r}", file=sys.stderr)
            return 2
        server.store.add_runs(thread_id, int(count))

    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, on_signal)

    try:
        server.start()
    except OSError as exc:
        print(f"{prog}: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    keys = "any API key works" if not args.api_keys else "only the keys given with --api-key work"
    print(f"Serving on {server.base_url}", flush=True)
    print(f"Set OPENAI_API_BASE to that address; {keys}. Ctrl-C stops it.", flush=True)
    try:
        # A timed wait keeps the main thread responsive to signals everywhere.
        while not stopping.wait(0.2):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

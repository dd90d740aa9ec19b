"""A small OpenAI-compatible HTTP server, for tests and demos.

It serves assistants, threads, messages, runs and run steps (streamed or
polled), files (multipart uploads kept in temporary files), vector stores and
their files and file batches, and batches, from an in-memory, deterministically
seeded store; objects made through the API move through their statuses on a
clock and a progression the tests control; every request is recorded (bodies
and multipart parts included), and the server can be told to misbehave
(fault injection, scripted failures, broken streams).  Standard library only, and independent of the client code in
the rest of :mod:`pyopenai_ps`: it imports nothing from outside this package,
so it can judge the client without sharing its mistakes.

Quick use::

    from pyopenai_ps.server import LocalServer, Fault

    with LocalServer() as server:
        server.inject(Fault.status(429, headers={"retry-after-ms": "5"}))
        ...  # point a client at server.base_url with any "Bearer" key
        assert server.requests[0].headers["openai-beta"] == "assistants=v2"

Or from a shell: ``python -m pyopenai_ps.server --port 8080``.

Seed world (fixed unix timestamps from ``objects.EPOCH``):

- ``thread_abc123`` with 8 runs, oldest first ``run_abc116`` (expired),
  ``run_abc117`` (cancelled), ``run_abc118`` (failed), ``run_abc119``
  (incomplete), ``run_abc120`` (requires_action), ``run_abc121``
  (in_progress), ``run_abc122`` (queued), ``run_abc123`` (completed);
  3 messages ``msg_abc121``..``msg_abc123`` (the last from ``run_abc123``);
  3 steps ``step_abc121``..``step_abc123`` of ``run_abc123``;
- ``thread_abc456`` with nothing in it;
- assistants ``asst_abc121``..``asst_abc123``; batches ``batch_abc121``..``batch_abc123``;
- files ``file-abc123`` (the batches' input), ``file-out123`` (their output) and
  ``file-abc456`` (in the vector store ``vs_abc123``).

Seeded objects never move on their own; see :mod:`.progression` for those made
through the API.
"""

from .app import LocalServer
from .faults import Fault, FaultQueue
from .progression import ManualClock, Outcome, Progression
from .recording import RecordedPart, RecordedRequest
from .responses import mask_key
from .sse import StreamSettings
from .store import Store

__all__ = ["LocalServer", "Fault", "FaultQueue", "RecordedRequest", "RecordedPart", "Store",
           "mask_key", "ManualClock", "Progression", "Outcome", "StreamSettings"]

"""The seed world: the fixed objects a fresh store starts with.

They never move on their own (only objects made through the API progress),
so tests and the help's examples can rely on them.
"""

from __future__ import annotations

import json
from typing import Any

from .batch_engine import answer_line
from .objects import EPOCH

__all__ = ["seed_store", "SEED_THREAD", "SEED_RUNS", "SEED_EMPTY_THREAD", "SEED_MESSAGES",
           "SEED_STEPS", "SEED_ASSISTANTS", "SEED_BATCHES", "SEED_FILES", "SEED_VECTOR_STORE"]

#: The thread of the PSOpenAI help examples, and its runs in creation order
#: (one of each interesting status; ``run_abc123`` is the completed one).
SEED_THREAD = "thread_abc123"
SEED_RUNS = (
    ("run_abc116", "expired"),
    ("run_abc117", "cancelled"),
    ("run_abc118", "failed"),
    ("run_abc119", "incomplete"),
    ("run_abc120", "requires_action"),
    ("run_abc121", "in_progress"),
    ("run_abc122", "queued"),
    ("run_abc123", "completed"),
)
#: A second thread with no runs, messages or steps (empty pages).
SEED_EMPTY_THREAD = "thread_abc456"
SEED_MESSAGES = ("msg_abc121", "msg_abc122", "msg_abc123")
SEED_STEPS = ("step_abc121", "step_abc122", "step_abc123")
SEED_ASSISTANTS = ("asst_abc121", "asst_abc122", "asst_abc123")
SEED_BATCHES = ("batch_abc121", "batch_abc122", "batch_abc123")


#: Files: the seeded batches' input and output, and a document in the seeded vector store.
SEED_FILES = ("file-abc123", "file-out123", "file-abc456")
SEED_VECTOR_STORE = "vs_abc123"

_BATCH_REQUESTS = [
    {"custom_id": f"request-{n}", "method": "POST", "url": "/v1/chat/completions",
     "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]}}
    for n, question in ((1, "What is 2 + 2?"), (2, "Name a prime number."))
]


def _jsonl(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(line, separators=(",", ":")).encode() + b"\n" for line in lines)


def _seed_files(store: Any) -> None:
    requests_at = EPOCH - 600
    store.add_file(_jsonl(_BATCH_REQUESTS), file_id=SEED_FILES[0], filename="batch_requests.jsonl",
                   purpose="batch", created_at=requests_at)
    answers = [answer_line(SEED_BATCHES[0], "/v1/chat/completions", r, EPOCH + 100)
               for r in _BATCH_REQUESTS]
    store.add_file(_jsonl(answers), file_id=SEED_FILES[1],
                   filename=f"{SEED_BATCHES[0]}_output.jsonl", purpose="batch_output",
                   created_at=EPOCH + 110)
    faq = b"# FAQ\n\nQ: How do I reset my password?\nA: Use the 'Forgot password' link.\n"
    store.add_file(faq, file_id=SEED_FILES[2], filename="faq.md", purpose="assistants",
                   created_at=requests_at + 1)
    store.add_vector_store(SEED_VECTOR_STORE, created_at=EPOCH + 30, name="Support FAQ",
                           file_ids=[SEED_FILES[2]])


def seed_store(store: Any) -> None:
    """Fill ``store`` with the seed world (the store must be empty of these ids)."""
    store.add_thread(SEED_THREAD, created_at=EPOCH)
    store.add_thread(SEED_EMPTY_THREAD, created_at=EPOCH + 5)
    for i, (run_id, status) in enumerate(SEED_RUNS):
        store.add_run(SEED_THREAD, run_id, status=status, created_at=EPOCH + 60 * (i + 1))
    last_run = SEED_RUNS[-1][0]
    last_run_at = EPOCH + 60 * len(SEED_RUNS)
    texts = ("What is 3x + 11 = 14?", "Solve it step by step.", "x = 1.")
    for i, message_id in enumerate(SEED_MESSAGES):
        assistant = i == len(SEED_MESSAGES) - 1
        store.add_message(SEED_THREAD, message_id, created_at=last_run_at - 30 + 10 * i,
                          role="assistant" if assistant else "user", text=texts[i],
                          run_id=last_run if assistant else None)
    for i, step_id in enumerate(SEED_STEPS):
        store.add_step(SEED_THREAD, last_run, step_id, created_at=last_run_at + 1 + i,
                       message_id=SEED_MESSAGES[-1])
    for i, assistant_id in enumerate(SEED_ASSISTANTS):
        store.add_assistant(assistant_id, created_at=EPOCH - 3600 + 60 * i)
    for i, batch_id in enumerate(SEED_BATCHES):
        store.add_batch(batch_id, created_at=EPOCH + 3600 * i,
                        status="completed" if i < 2 else "in_progress")
    _seed_files(store)

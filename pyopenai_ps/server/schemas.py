"""The request bodies the server accepts, in the schema language of :mod:`.validation`.

They follow the shapes of OpenAI's API reference (CreateAssistantRequest,
CreateRunRequest, ...): required fields, types, enums, ranges, and no fields
the reference does not list.  Free-form parts (a function's ``parameters``, a
JSON schema) are not looked into.
"""

from __future__ import annotations

from .validation import Arr, Bool, Either, Int, Num, Obj, Schema, Str, Tagged

METADATA = Obj(values=Str(max_length=512), max_props=16, key_max=64, nullable=True)
ATTRIBUTES = Obj(values=Either(Str(max_length=512), Num(), Bool()), max_props=16, key_max=64,
                 nullable=True)


def _typed(name: str, **props: object) -> Obj:
    """An object whose ``type`` is ``name``, with more properties; all required."""
    return Obj({"type": Str(enum=[name]), **props}, required=["type", *props])  # type: ignore[dict-item]


# --- tools -------------------------------------------------------------------------------

_RANKING = Obj({"ranker": Str(enum=["auto", "default_2024_08_21"]),
                "score_threshold": Num(0, 1)}, required=["score_threshold"])
_FILE_SEARCH = Obj({"max_num_results": Int(1, 50), "ranking_options": _RANKING})
_FUNCTION = Obj({"name": Str(max_length=64, min_length=1), "description": Str(),
                 "parameters": Obj(open=True), "strict": Bool(nullable=True)},
                required=["name"])
TOOL = Tagged({
    "code_interpreter": _typed("code_interpreter"),
    "file_search": Obj({"type": Str(enum=["file_search"]), "file_search": _FILE_SEARCH},
                       required=["type"]),
    "function": _typed("function", function=_FUNCTION),
})
ATTACHMENT_TOOL = Tagged({"code_interpreter": _typed("code_interpreter"),
                          "file_search": _typed("file_search")})

_STATIC_CHUNKS = Obj({"max_chunk_size_tokens": Int(100, 4096), "chunk_overlap_tokens": Int(0)},
                     required=["max_chunk_size_tokens", "chunk_overlap_tokens"])
CHUNKING = Tagged({"auto": _typed("auto"), "static": _typed("static", static=_STATIC_CHUNKS)})

RESPONSE_FORMAT = Tagged({
    "text": _typed("text"),
    "json_object": _typed("json_object"),
    "json_schema": _typed("json_schema", json_schema=Obj(
        {"name": Str(max_length=64), "description": Str(), "schema": Obj(open=True),
         "strict": Bool(nullable=True)}, required=["name"])),
}, strings=["auto"], nullable=True)

TOOL_CHOICE = Tagged({
    "function": _typed("function", function=Obj({"name": Str()}, required=["name"])),
    "code_interpreter": _typed("code_interpreter"),
    "file_search": _typed("file_search"),
}, strings=["none", "auto", "required"], nullable=True)

TRUNCATION = Obj({"type": Str(enum=["auto", "last_messages"]),
                  "last_messages": Int(1, nullable=True)}, required=["type"], nullable=True)

_FILE_IDS = Arr(Str(), max_items=20)
_NEW_VECTOR_STORE = Obj({"file_ids": Arr(Str(), max_items=10000), "chunking_strategy": CHUNKING,
                         "metadata": METADATA})


def _tool_resources(*, new_stores: bool) -> Obj:
    search: dict[str, Schema] = {"vector_store_ids": Arr(Str(), max_items=1)}
    if new_stores:
        search["vector_stores"] = Arr(_NEW_VECTOR_STORE, max_items=1)
    return Obj({"code_interpreter": Obj({"file_ids": _FILE_IDS}),
                "file_search": Obj(search)}, nullable=True)


REASONING = Str(enum=["none", "minimal", "low", "medium", "high", "xhigh"], nullable=True)

# --- assistants, threads, messages ---------------------------------------------------------

_ASSISTANT_FIELDS = {
    "model": Str(), "name": Str(max_length=256, nullable=True),
    "description": Str(max_length=512, nullable=True),
    "instructions": Str(max_length=256_000, nullable=True), "reasoning_effort": REASONING,
    "tools": Arr(TOOL, max_items=128), "tool_resources": _tool_resources(new_stores=True),
    "metadata": METADATA, "temperature": Num(0, 2, nullable=True),
    "top_p": Num(0, 1, nullable=True), "response_format": RESPONSE_FORMAT,
}
CREATE_ASSISTANT = Obj(_ASSISTANT_FIELDS, required=["model"])
MODIFY_ASSISTANT = Obj({**_ASSISTANT_FIELDS,
                        "tool_resources": _tool_resources(new_stores=False)})

_CONTENT_PART = Tagged({
    "text": _typed("text", text=Str()),
    "image_url": _typed("image_url", image_url=Obj(
        {"url": Str(min_length=1), "detail": Str(enum=["auto", "low", "high"])},
        required=["url"])),
    "image_file": _typed("image_file", image_file=Obj(
        {"file_id": Str(min_length=1), "detail": Str(enum=["auto", "low", "high"])},
        required=["file_id"])),
})
_ATTACHMENT = Obj({"file_id": Str(min_length=1), "tools": Arr(ATTACHMENT_TOOL)},
                  required=["file_id", "tools"])
CREATE_MESSAGE = Obj({
    "role": Str(enum=["user", "assistant"]),
    "content": Either(Str(), Arr(_CONTENT_PART, min_items=1)),
    "attachments": Arr(_ATTACHMENT, nullable=True), "metadata": METADATA,
}, required=["role", "content"])
MODIFY_METADATA = Obj({"metadata": METADATA})
NO_FIELDS = Obj({})  # for actions such as cancel, which take no body

CREATE_THREAD = Obj({"messages": Arr(CREATE_MESSAGE),
                     "tool_resources": _tool_resources(new_stores=True),
                     "metadata": METADATA})
MODIFY_THREAD = Obj({"tool_resources": _tool_resources(new_stores=False),
                     "metadata": METADATA})

# --- runs ------------------------------------------------------------------------------------

_RUN_FIELDS = {
    "assistant_id": Str(min_length=1), "model": Str(nullable=True),
    "reasoning_effort": REASONING, "instructions": Str(nullable=True),
    "tools": Arr(TOOL, max_items=20, nullable=True), "metadata": METADATA,
    "temperature": Num(0, 2, nullable=True), "top_p": Num(0, 1, nullable=True),
    "stream": Bool(nullable=True), "max_prompt_tokens": Int(256, nullable=True),
    "max_completion_tokens": Int(256, nullable=True), "truncation_strategy": TRUNCATION,
    "tool_choice": TOOL_CHOICE, "parallel_tool_calls": Bool(),
    "response_format": RESPONSE_FORMAT,
}
CREATE_RUN = Obj({**_RUN_FIELDS, "additional_instructions": Str(nullable=True),
                  "additional_messages": Arr(CREATE_MESSAGE, nullable=True)},
                 required=["assistant_id"])
CREATE_THREAD_AND_RUN = Obj({**_RUN_FIELDS, "thread": CREATE_THREAD,
                             "tool_resources": _tool_resources(new_stores=False)},
                            required=["assistant_id"])
SUBMIT_TOOL_OUTPUTS = Obj({
    "tool_outputs": Arr(Obj({"tool_call_id": Str(), "output": Str()})),
    "stream": Bool(nullable=True),
}, required=["tool_outputs"])

# --- vector stores ---------------------------------------------------------------------------

_EXPIRES_AFTER = Obj({"anchor": Str(enum=["last_active_at"]), "days": Int(1, 365)},
                     required=["anchor", "days"])
CREATE_VECTOR_STORE = Obj({"file_ids": Arr(Str(), max_items=500), "name": Str(),
                           "description": Str(), "expires_after": _EXPIRES_AFTER,
                           "chunking_strategy": CHUNKING, "metadata": METADATA})
UPDATE_VECTOR_STORE = Obj({"name": Str(nullable=True),
                           "expires_after": Obj(_EXPIRES_AFTER.props,
                                                required=_EXPIRES_AFTER.required, nullable=True),
                           "metadata": METADATA})
CREATE_VECTOR_STORE_FILE = Obj({"file_id": Str(min_length=1), "chunking_strategy": CHUNKING,
                                "attributes": ATTRIBUTES}, required=["file_id"])
CREATE_FILE_BATCH = Obj({"file_ids": Arr(Str(min_length=1), min_items=1, max_items=2000),
                         "files": Arr(CREATE_VECTOR_STORE_FILE, min_items=1, max_items=2000),
                         "chunking_strategy": CHUNKING, "attributes": ATTRIBUTES})

# --- batches ---------------------------------------------------------------------------------

BATCH_ENDPOINTS = ("/v1/responses", "/v1/chat/completions", "/v1/embeddings",
                   "/v1/completions", "/v1/moderations")
CREATE_BATCH = Obj({
    "input_file_id": Str(min_length=1), "endpoint": Str(enum=BATCH_ENDPOINTS),
    "completion_window": Str(enum=["24h"]), "metadata": METADATA,
    "output_expires_after": Obj({"anchor": Str(enum=["created_at"]),
                                 "seconds": Int(3600, 2_592_000)},
                                required=["anchor", "seconds"]),
}, required=["input_file_id", "endpoint", "completion_window"])

#: Values of the ``purpose`` form field of ``POST /files``.
FILE_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")

__all__ = [name for name in dir() if name.isupper()]

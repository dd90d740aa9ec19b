"""Routes for files (multipart upload, list, get, delete, content) and batches."""

from __future__ import annotations

from typing import Any

from .answers import BlobAnswer
from .api_request import ApiRequest, ListRules, Route, render
from .batch_engine import cancel_batch, start_batch
from .multipart import FormPart
from .objects import make_deleted
from .responses import ApiError
from .schemas import CREATE_BATCH, FILE_PURPOSES, NO_FIELDS

__all__ = ["ROUTES"]

_FILE_LIST = ListRules(default_limit=10_000, max_limit=10_000, before=False)
_BATCH_LIST = ListRules(orderable=False)
_EXPIRY_FIELDS = ("expires_after[anchor]", "expires_after[seconds]")


def _missing(name: str) -> ApiError:
    return ApiError(400, f"Missing required parameter: '{name}'.", param=name,
                    code="missing_required_parameter")


def _form_fields(request: ApiRequest) -> dict[str, FormPart]:
    """The upload's parts by name (400 for a bad form, unknown or repeated fields)."""
    body = request.body
    if not body.is_multipart:
        raise ApiError(400, "Uploads take a multipart/form-data body with the fields "
                            "'purpose' and 'file'.", code="invalid_content_type")
    if body.form_error is not None:
        raise ApiError(400, f"The multipart/form-data body could not be read: "
                            f"{body.form_error}.", code="invalid_multipart")
    fields: dict[str, FormPart] = {}
    for part in body.form or []:
        if part.name not in ("purpose", "file") + _EXPIRY_FIELDS:
            raise ApiError(400, f"Unknown parameter: '{part.name[:64]}'.", param=part.name[:64],
                           code="unknown_parameter")
        if part.name in fields:
            raise ApiError(400, f"The field '{part.name}' is given more than once.",
                           param=part.name, code="invalid_value")
        fields[part.name] = part
    return fields


def _expires_after(fields: dict[str, FormPart], created: int) -> int | None:
    given = [name for name in _EXPIRY_FIELDS if name in fields]
    if not given:
        return None
    if len(given) == 1:
        raise _missing(next(name for name in _EXPIRY_FIELDS if name not in fields))
    if fields[_EXPIRY_FIELDS[0]].text() != "created_at":
        raise ApiError(400, "Invalid 'expires_after[anchor]': expected 'created_at'.",
                       param="expires_after[anchor]", code="invalid_value")
    seconds = fields[_EXPIRY_FIELDS[1]].text()
    if not seconds.isdigit() or not 3600 <= int(seconds) <= 2_592_000:
        raise ApiError(400, "Invalid 'expires_after[seconds]': expected an integer from "
                            "3600 to 2592000.", param="expires_after[seconds]",
                       code="invalid_value")
    return created + int(seconds)


def upload_file(request: ApiRequest) -> bytes:
    fields = _form_fields(request)
    if "purpose" not in fields:
        raise _missing("purpose")
    purpose = fields["purpose"].text()
    if purpose not in FILE_PURPOSES:
        raise ApiError(400, f"Invalid value for 'purpose': '{purpose[:64]}'. Supported values "
                            f"are: {', '.join(repr(p) for p in FILE_PURPOSES)}.",
                       param="purpose", code="invalid_value")
    file = fields.get("file")
    if file is None or not file.filename:
        raise ApiError(400, "The 'file' field must be a file part with a filename.",
                       param="file", code="missing_required_parameter" if file is None
                       else "invalid_value")
    if purpose == "batch" and not file.filename.endswith(".jsonl"):
        raise ApiError(400, "Batch input files must be JSONL files with a .jsonl name.",
                       param="file", code="invalid_file_format")
    store = request.store
    with store.lock:
        created = store.api_stamp("file")
        expires_at = _expires_after(fields, created)
        obj = store.store_file(file.claim(), filename=file.filename, purpose=purpose,
                               created_at=created, expires_at=expires_at)
        return render(obj)


def list_files(request: ApiRequest) -> bytes:
    options: dict[str, Any] = request.list_options(_FILE_LIST)
    purpose = request.first("purpose")
    if purpose:
        options["where"] = ("purpose", purpose)
    return request.store.list_bytes("file", (), **options)


def get_file(request: ApiRequest) -> bytes:
    return request.store.object_bytes("file", (request.params["file_id"],))


def delete_file(request: ApiRequest) -> bytes:
    file_id = request.params["file_id"]
    with request.store.lock:
        request.store.remove("file", (file_id,))
    return render(make_deleted("file", file_id))


def file_content(request: ApiRequest) -> BlobAnswer:
    file_id = request.params["file_id"]
    with request.store.lock:
        file = request.store.find("file", (file_id,))
        return BlobAnswer(request.store.blob(file_id), filename=file["filename"])


# --- batches ---------------------------------------------------------------------------------

def list_batches(request: ApiRequest) -> bytes:
    return request.store.list_bytes("batch", (), **request.list_options(_BATCH_LIST))


def get_batch(request: ApiRequest) -> bytes:
    ids = (request.params["batch_id"],)
    request.store.poll("batch", ids)
    return request.store.object_bytes("batch", ids)


def create_batch(request: ApiRequest) -> bytes:
    body = request.json(CREATE_BATCH)
    store = request.store
    with store.lock:
        input_file = store.collection("file").get(body["input_file_id"])
        if input_file is None:
            raise ApiError(404, f"No file found with id '{body['input_file_id'][:200]}'.",
                           param="input_file_id")
        if input_file["purpose"] != "batch":
            raise ApiError(400, f"The input file must have purpose 'batch', not "
                                f"'{input_file['purpose']}'.", param="input_file_id",
                           code="invalid_value")
        fields = {name: body[name] for name in ("input_file_id", "endpoint", "completion_window")}
        batch = start_batch(store, {**fields, "metadata": body.get("metadata") or {}})
        data = render(batch)
        store.created("batch", (batch["id"],))
        return data


def cancel(request: ApiRequest) -> bytes:
    request.json(NO_FIELDS)
    batch_id = request.params["batch_id"]
    with request.store.lock:
        data = render(cancel_batch(request.store, batch_id))
        request.store.created("batch", (batch_id,))
        return data


ROUTES = [
    Route(("files",), {"GET": list_files, "POST": upload_file}),
    Route(("files", "{file_id}"), {"GET": get_file, "DELETE": delete_file}),
    Route(("files", "{file_id}", "content"), {"GET": file_content}),
    Route(("batches",), {"GET": list_batches, "POST": create_batch}),
    Route(("batches", "{batch_id}"), {"GET": get_batch}),
    Route(("batches", "{batch_id}", "cancel"), {"POST": cancel}),
]

"""What the OpenAPI schema says beyond what drf-spectacular reads from each view, decided
once for every operation (`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`):

- the error answers every operation can give, in the shapes `servicedesk.api.errors`
  writes them: 400 (field errors, or `detail` for a malformed request) where a request
  carries parameters or a body, 401 where the operation needs a signed-in caller, 403, 404,
  409 (`current_version`) where a change to a record carries the `version` it read, 405;
- the `Idempotency-Key` header of the create operations that honour it
  (`servicedesk.api.idempotency`) and their 422 for a key reused with another body;
- a query parameter is given a value or left out (servicedesk.api.middleware refuses
  `?name=`): every text parameter has `minLength: 1`;
- a PATCH of a record that carries its `version` requires it (the 409 rule above: the
  change is refused without the version the client read).
"""

from __future__ import annotations

from typing import Any

from servicedesk.api.idempotency import HEADER, MAX_KEY_LENGTH, IdempotentCreateMixin

WRITE_METHODS = {"post", "put", "patch", "delete"}

ERROR_COMPONENTS: dict[str, dict[str, Any]] = {
    "ErrorDetail": {
        "type": "object",
        "description": "An error without a field: `detail` (Chinese first) and its `code`.",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    },
    "FieldErrors": {
        "type": "object",
        "description": (
            "Refused input: each key names a parameter or field (`non_field_errors` for the "
            "request as a whole) with its messages; a malformed request answers `detail`."
        ),
        "additionalProperties": {},
    },
    "VersionConflict": {
        "type": "object",
        "description": "The record moved on since the client read it; nothing was written.",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "enum": ["conflict"]},
            "current_version": {"type": "integer"},
        },
        "required": ["detail", "code", "current_version"],
    },
}


def _error(component: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _request_schema(operation: dict, components: dict) -> dict:
    content: dict[str, dict] = operation.get("requestBody", {}).get("content", {})
    first: dict = next(iter(content.values()), {})
    schema: dict = first.get("schema", {})
    ref = schema.get("$ref", "")
    return components.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def _idempotent_creates(generator) -> set[tuple[str, str]]:
    """(path, method) of each create operation that honours an Idempotency-Key."""
    found = set()
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        view = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        if (view is not None and issubclass(view, IdempotentCreateMixin)
                and actions.get(method.lower()) == "create"):
            found.add((path, method.lower()))
    return found


def _no_empty_value(parameter: dict) -> None:
    if parameter.get("in") != "query":
        return
    schema = parameter.get("schema", {})
    items = schema.get("items", {}) if schema.get("type") == "array" else None
    for text in (schema, items):
        if (text is not None and text.get("type") == "string" and "enum" not in text
                and "minLength" not in text):
            text["minLength"] = 1


def error_responses_document(result, generator, request, public):
    """drf-spectacular postprocessing hook: see the module's docstring."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_COMPONENTS.items():
        components.setdefault(name, schema)
    idempotent = _idempotent_creates(generator)
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            for parameter in operation.get("parameters", []):
                _no_empty_value(parameter)
            responses = operation.setdefault("responses", {})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", _error("FieldErrors", "Refused input."))
            if any(operation.get("security") or [{}]):
                responses.setdefault("401", _error("ErrorDetail", "Not signed in."))
            responses.setdefault("403", _error("ErrorDetail", "Not allowed."))
            responses.setdefault("404", _error("ErrorDetail",
                                               "No such record (or not visible to you)."))
            responses.setdefault("405", _error("ErrorDetail", "Method not allowed."))
            body = _request_schema(operation, components)
            if (method in WRITE_METHODS and "{" in path
                    and "version" in body.get("properties", {})):
                responses.setdefault("409", _error(
                    "VersionConflict", "The record changed since the version sent."))
                if method == "patch" and "version" not in body.get("required", []):
                    body["required"] = [*body.get("required", []), "version"]
            if (path, method) in idempotent:
                operation.setdefault("parameters", []).append({
                    "in": "header", "name": HEADER, "required": False,
                    "description": "Retrying with the same key and body creates nothing "
                                   "more and answers the first response again.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                })
                responses.setdefault("400", _error("FieldErrors", "Refused input."))
                responses.setdefault("422", _error(
                    "ErrorDetail", "This Idempotency-Key was used for another request."))
    return result

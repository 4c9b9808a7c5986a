"""The OpenAPI schema says what the API does (issue 24, item 2): a drf-spectacular post-processing
hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) that

- gives every error answer its body as API.md "Errors" says: 400 `{"field": [messages]}`, and
  401, 403, 404, 409, 422 and 429 `{"detail": "..."}`; every operation documents 400 (the input
  guard, `core.input_guard`, refuses unstorable characters in any parameter or header), 401 (a
  bad key), 403 and 429 (the throttle), and every operation on one record 404;
- adds OpenAPI links from each operation that creates a record to the operations that act on it
  (a customer -> its details, timeline, contacts and complaints; a contact -> its hand-off's
  accept/update/resolve; a complaint -> every action under `/complaints/{complaint_id}/`), and
  from each action to the next ones, so that a stateful client (or fuzzer) walks the workflows.

The links are found from the paths, so a new action under a record's path is linked without a
change here.
"""

import re

VALIDATION_ERRORS = {
    "type": "object",
    "description": 'Invalid input (API.md, "Errors"): each field with its messages; a nested '
                   "field's errors nested the same way; errors of the whole body under "
                   "`non_field_errors`.",
    "additionalProperties": {"anyOf": [
        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
        {"type": "object"},
    ]},
}
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_DESCRIPTIONS = {
    "400": "Invalid input: {\"field\": [\"message\"]}, also for a character that cannot be stored "
           "(NUL and other control characters, unpaired surrogates) in any field, parameter or header.",
    "401": "No valid API key or session.",
    "403": "Authenticated but not allowed.",
    "404": "Unknown id, or a record the caller may not see.",
    "409": "Not allowed in the record's current state.",
    "422": "Not processable.",
    "429": "Too many requests for this key: try again later.",
}
_METHODS = {"get", "post", "put", "patch", "delete"}
_RECORD = re.compile(r"^(?P<base>/api/v1/[^{}]+/)\{(?P<param>\w+)\}/(?P<rest>.*)$")


def _error_bodies(operation: dict, path: str) -> None:
    responses = operation.setdefault("responses", {})
    wanted = ["400", "401", "403", "429"]
    if "{" in path:
        wanted.append("404")
    for code in wanted:
        responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
    for code, response in responses.items():
        if code in _DESCRIPTIONS and "content" not in response:
            name = "ValidationErrors" if code == "400" else "ErrorDetail"
            response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _operations(schema: dict):
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                yield path, method, operation


def _record_operations(schema: dict) -> dict[tuple[str, str], list[tuple[str, bool]]]:
    """(collection path, id parameter) -> [(operationId, answers with the record)] of every
    operation on one record of that collection: /api/v1/complaints/{complaint_id}/... -> its detail
    and actions (which answer with the record, so link on), its timeline (which does not)."""
    found: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for path, method, operation in _operations(schema):
        match = _RECORD.match(path)
        if match and "{" not in match["rest"]:
            answers_record = method == "post" or not match["rest"]
            found.setdefault((match["base"], match["param"]), []).append(
                (operation["operationId"], answers_record))
    return found


def _link(operation_id: str, parameters: dict | None = None, body: dict | None = None) -> dict:
    link: dict = {"operationId": operation_id}
    if parameters:
        link["parameters"] = parameters
    if body:
        link["requestBody"] = body
    return link


def _add_links(response: dict, links: dict) -> None:
    if response is not None and links:
        response.setdefault("links", {}).update(links)


def _name(operation_id: str) -> str:
    return "".join(part.title() for part in operation_id.split("_"))


def _links_to_record(record_ops, param: str, expression: str) -> dict:
    return {_name(op_id): _link(op_id, {param: expression}) for op_id, _answers in record_ops}


def postprocess_links_and_errors(result, generator, request, public):
    schema = result
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ValidationErrors", VALIDATION_ERRORS)
    components.setdefault("ErrorDetail", DETAIL)
    by_id = {}
    for path, _method, operation in _operations(schema):
        _error_bodies(operation, path)
        by_id[operation["operationId"]] = (path, operation)

    records = _record_operations(schema)
    for (base, param), record_ops in records.items():
        # The collection's create operation (POST base) links to everything on what it made; every
        # operation on one record links on to the others (the workflow's next steps).
        create = schema["paths"].get(base, {}).get("post")
        if create is not None:
            _add_links(create["responses"].get("201"),
                       _links_to_record(record_ops, param, "$response.body#/id"))
        for op_id, answers_record in record_ops:
            if not answers_record:
                continue
            _path, operation = by_id[op_id]
            _add_links(operation["responses"].get("200"),
                       _links_to_record(record_ops, param, "$response.body#/id"))

    # Across collections: a contact's hand-off, a customer's contacts and complaints.
    handoff_ops = records.get(("/api/v1/handoffs/", "handoff_id"), [])
    contact_create = by_id.get("contacts_create")
    if contact_create:
        for code in ("200", "201"):
            response = contact_create[1]["responses"].get(code)
            _add_links(response, _links_to_record(handoff_ops, "handoff_id", "$response.body#/handoff/id"))
            if "complaints_create" in by_id:
                _add_links(response, {"ComplaintsCreateForTheContact": _link(
                    "complaints_create", body={"customer": "$response.body#/customer",
                                               "contact": "$response.body#/id"})})
    customer_create = by_id.get("customers_create")
    if customer_create:
        response = customer_create[1]["responses"].get("201")
        for op_id in ("contacts_create", "complaints_create"):
            if op_id in by_id:
                _add_links(response, {f"{_name(op_id)}ForTheCustomer": _link(
                    op_id, body={"customer": "$response.body#/id"})})
    return schema

"""Every operation of the API schema is described with a summary and at least one example."""

import pytest

pytestmark = pytest.mark.django_db

# Served by the complaints app, which documents its own operations (complaints/api.py).
NOT_OURS = ("/api/v1/feedback/",)


def _examples(operation):
    found = list((operation.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("examples", {}))
    for response in operation.get("responses", {}).values():
        found += list(response.get("content", {}).get("application/json", {}).get("examples", {}))
    return found


def test_every_operation_has_a_summary_and_an_example(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    missing = []
    for path, operations in schema["paths"].items():
        if path.startswith(NOT_OURS):
            continue
        for method, operation in operations.items():
            if not operation.get("summary") or not _examples(operation):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    assert len(schema["paths"]) >= 20

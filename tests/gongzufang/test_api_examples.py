"""Every operation of the API schema is described with a summary and at least one example."""

import pytest

pytestmark = pytest.mark.django_db

def _examples(operation):
    found = list((operation.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("examples", {}))
    for response in operation.get("responses", {}).values():
        found += list(response.get("content", {}).get("application/json", {}).get("examples", {}))
    return found


def test_every_operation_has_a_summary_and_an_example(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not operation.get("summary") or not _examples(operation):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    assert len(schema["paths"]) >= 20

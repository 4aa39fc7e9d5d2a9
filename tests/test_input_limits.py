"""Limits on what a request may carry: size (413), JSON nesting (400), lines per request; none read before sign-in."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from stockpile.db import local_today
from stockpile.web.input_guard import json_depth
from tests import factories
from tests.requests.helpers import draft_data


class UnreadableStream(io.RawIOBase):
    """A request body of a given length that fails the test if the service reads a byte of it."""

    def __init__(self, length: int) -> None:
        self.length, self.position = length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset, whence=0) -> int:  # the test client measures the stream to set Content-Length
        self.position = self.length if whence == 2 else offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, _buffer) -> int:
        raise AssertionError("the body was read")


def post_unread_body(client, path, length, content_type="application/json", **kwargs):
    return client.post(path, input_stream=UnreadableStream(length), content_type=content_type, **kwargs)


def test_a_json_body_over_the_limit_is_a_json_413_before_it_is_read(app, client, api_as) -> None:
    length = app.config["MAX_JSON_BYTES"] + 1
    for headers in ({}, api_as("logistics")):
        response = post_unread_body(client, "/api/v1/movements", length, headers=headers)
        assert response.status_code == 413
        assert response.json["code"] == "request_entity_too_large"
        assert "1,048,576 bytes" in response.json["message"]


def test_any_body_over_the_limit_is_a_413_page_before_it_is_read(app, as_role) -> None:
    length = app.config["MAX_CONTENT_LENGTH"] + 1
    response = post_unread_body(as_role("logistics"), "/inventory/import", length,
                                content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert "8,388,608 bytes" in response.text


def test_a_json_body_sent_without_a_length_is_cut_off_at_the_limit(app, client, api_as) -> None:
    body = json.dumps({"note": "x" * app.config["MAX_JSON_BYTES"]}).encode()
    response = client.post("/api/v1/movements", input_stream=io.BytesIO(body), content_type="application/json",
                           headers={**api_as("logistics"), "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.json["code"] == "request_entity_too_large"


@pytest.mark.parametrize("path", ["/api/v1/movements", "/api/v1/requests", "/api/v1/items"])
def test_without_a_token_the_body_is_never_read(client, path) -> None:
    response = post_unread_body(client, path, 1000)
    assert response.status_code == 401
    assert response.json["code"] == "unauthorized"


def test_without_a_session_a_page_post_is_never_read(client) -> None:
    response = post_unread_body(client, "/inventory/import", 1000, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_json_nested_too_deeply_is_a_400_and_anonymous_is_a_401(app, client, api_as) -> None:
    deep = "[" * 900 + "]" * 900
    anonymous = client.post("/api/v1/movements", data=deep, content_type="application/json")
    assert anonymous.status_code == 401
    response = client.post("/api/v1/movements", data=deep, content_type="application/json",
                           headers=api_as("logistics"))
    assert response.status_code == 400
    assert response.json["code"] == "bad_request"
    assert "900 levels deep" in response.json["message"]
    assert f"at most {app.config['MAX_JSON_DEPTH']}" in response.json["message"]


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth(b'{"a": [1, {"b": "[[[{{{\\"]]]"}]}') == 3
    assert json_depth(b'"just [a] string"') == 0
    assert json_depth(b"[]") == 1
    assert json_depth(b"") == 0


def request_body(process, lines):
    return {"essential_process_id": process.id, "needed_by": (local_today() + dt.timedelta(days=3)).isoformat(),
            "justification": "Outbreak", "contact": "Piet 06-1", "delivery_address": "Utrecht", "lines": lines}


def test_a_request_with_too_many_lines_is_refused_with_the_numbers(client, api_as, db) -> None:
    process, item = factories.process(), factories.item()
    lines = [{"item_id": item.id, "quantity": 1}] * 20_000
    response = client.post("/api/v1/requests", headers=api_as("region"), json=request_body(process, lines))
    assert response.status_code == 422
    assert response.json["errors"]["lines"] == ["At most 100 lines are accepted; this has 20000."]


def test_the_service_refuses_too_many_lines_before_looking_any_up(users, db) -> None:
    from stockpile.errors import FieldErrors
    from stockpile.requests import services

    data = draft_data(factories.process(), [])
    data.lines = [(999_999, 1)] * 101
    with pytest.raises(FieldErrors) as refused:
        services.create_draft(users["region"], data)
    assert refused.value.errors["lines"] == ["A request may have at most 100 lines; this one has 101."]

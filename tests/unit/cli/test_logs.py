import aiohttp
import pytest
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from mirrorctl.cli.logs import redact

BASIC = "dXNlcjpzM2NyM3Q="  # base64 of user:s3cr3t


def _redacted(**event: object) -> str:
    return repr(redact(None, "info", dict(event)))


def test_bearer_tokens_in_strings_are_redacted_whatever_their_case() -> None:
    for text in ("Authorization: Bearer abc.def", "AUTHORIZATION: BEARER abc.def"):
        assert "abc.def" not in _redacted(event="request failed", error=text)


def test_basic_credentials_in_strings_are_redacted() -> None:
    shown = _redacted(event="request failed", error=f"'Authorization': 'Basic {BASIC}'")
    assert BASIC not in shown
    assert "Authorization" in shown


def test_the_repr_of_an_aiohttp_response_error_loses_its_credentials() -> None:
    # aiohttp raises ClientResponseError on a malformed response; its repr carries the request
    # headers, and the reflector and the elector log repr(error).
    for header in (f"Basic {BASIC}", "Bearer abc.def"):
        url = yarl.URL("https://apiserver/api")
        headers = CIMultiDictProxy(CIMultiDict({"Authorization": header}))
        info = aiohttp.RequestInfo(url, "GET", headers, url)
        error = aiohttp.ClientResponseError(info, (), status=400, message="bad status line")
        shown = _redacted(event="watch connection lost", error=repr(error))
        assert header.split()[1] not in shown


@pytest.mark.parametrize(
    "value",
    [
        {"Authorization": "Bearer abc.def"},
        {"request": {"token": "abc.def"}},
        ["Bearer abc.def"],
        ("x", {"password": "abc.def"}),
    ],
)
def test_secrets_nested_in_containers_are_redacted(value: object) -> None:
    assert "abc.def" not in _redacted(event="request", detail=value)


def test_plain_words_are_left_alone() -> None:
    event = {"event": "basic setup done", "resource": "pods", "count": 3}
    assert redact(None, "info", dict(event)) == event

import json
import logging
from collections.abc import Iterator

import aiohttp
import pytest
import structlog
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from mirrorctl.cli.logs import configure_logging, redact

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
    "text",
    [
        "407, message='Proxy Authentication Required', url='http://alice:s3cr3t@proxy:3128'",
        "ConnectionKey(host='k8s', proxy=URL('https://alice:s3cr3t@proxy.example/'))",
        "proxy socks5://alice:s3cr3t@10.0.0.1:1080 refused",
    ],
)
def test_passwords_in_urls_are_redacted(text: str) -> None:
    shown = _redacted(event="watch connection lost", error=text)
    assert "s3cr3t" not in shown
    assert "alice:[redacted]@" in shown


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


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    root.handlers, root.level = saved[0], saved[1]
    structlog.reset_defaults()


def _json_lines(capsys: pytest.CaptureFixture[str]) -> tuple[str, list[dict[str, object]]]:
    text = capsys.readouterr().err
    return text, [json.loads(line) for line in text.splitlines()]


@pytest.mark.usefixtures("restored_logging")
def test_standard_library_lines_share_the_json_format_and_the_redaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json", "info")
    log = logging.getLogger("aiohttp.client")
    log.error("request to %s failed: %s", "https://apiserver", "Authorization: Bearer abc.def")
    try:
        raise RuntimeError("token leaked into Bearer abc.def")
    except RuntimeError:
        log.exception("unclosed response")
    log.info("chatter below warning")
    text, lines = _json_lines(capsys)
    assert "abc.def" not in text
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("error", "aiohttp.client"),
        ("error", "aiohttp.client"),
    ]
    assert str(lines[0]["event"]).startswith("request to https://apiserver failed: ")
    assert "RuntimeError" in str(lines[1]["exception"])


@pytest.mark.usefixtures("restored_logging")
def test_structlog_lines_still_render_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "info")
    structlog.get_logger("mirrorctl.test").info("patched", token="abc.def", key="ns/a")
    _, (line,) = _json_lines(capsys)
    assert line["event"] == "patched"
    assert line["token"] == "[redacted]"
    assert line["key"] == "ns/a"

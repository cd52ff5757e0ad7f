from __future__ import annotations

import base64

from yarl import URL

from mirrorctl.client.proxy import proxy_settings


def test_a_proxy_without_a_user_is_used_as_given() -> None:
    settings = proxy_settings("http://proxy.example:3128")
    assert settings.url == URL("http://proxy.example:3128")
    assert settings.authorization is None


def test_userinfo_leaves_the_url_for_a_header_percent_decoded() -> None:
    settings = proxy_settings("http://al%40ice:p%3Ass@proxy.example:3128")
    assert str(settings.url) == "http://proxy.example:3128"
    assert settings.authorization == "Basic " + base64.b64encode(b"al@ice:p:ss").decode()
    assert "p:ss" not in repr(settings)
    assert "p%3Ass" not in repr(settings)


def test_a_user_without_a_password_sends_an_empty_one() -> None:
    settings = proxy_settings("http://alice@proxy.example:3128")
    assert settings.authorization == "Basic " + base64.b64encode(b"alice:").decode()

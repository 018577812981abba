"""Under daphne, a form POST's body reaches Django unparsed: Twisted does not parse multipart
bodies itself (config.websocket_server.install_raw_form_bodies), which held several copies of
a large upload in memory. Twisted's own parse answers a body it cannot read with a bare 400 and
drops the connection; Django's parser answers it, in JSON, naming the problem."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.processes import daphne_server

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_multipart_body_is_parsed_by_django_not_by_twisted():
    with daphne_server() as (_, port):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/auth/token/",
            data=b"this is not multipart at all",
            headers={"Content-Type": "multipart/form-data"},  # and no boundary
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 - http on loopback

    error = caught.value
    assert error.code == 400
    assert "boundary" in json.loads(error.read())["detail"].lower()

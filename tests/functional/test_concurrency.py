"""The same final POST sent twenty times at once stores one response."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from werkzeug.serving import make_server

from ..helpers import complete_survey, stored_responses


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_twenty_simultaneous_final_posts_store_one_response(app, client):
    complete_survey(client, submit=False)
    page = client.get("/check-answers").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    session_cookie = client.get_cookie("session").value

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/check-answers"
    body = urllib.parse.urlencode({"csrf_token": csrf}).encode()
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def post() -> None:
        opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar())
        )
        request = urllib.request.Request(
            url, data=body, headers={"Cookie": f"session={session_cookie}"}
        )
        barrier.wait()
        try:
            with opener.open(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
            error.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for worker in threads:
        worker.start()
    for worker in threads:
        worker.join()
    server.shutdown()
    thread.join()

    assert statuses == [302] * 20
    (response,) = stored_responses(app)
    assert response.status == "submitted" and response.reference

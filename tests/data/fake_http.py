"""A requests session that never touches the network, for the tests of the binary downloads (MoF, ECB, NY Fed)."""

from __future__ import annotations

import requests


class Response:
    """What ``session.get`` returns: a body (bytes), a status and headers."""

    def __init__(self, body: bytes, status: int = 200, headers=None):
        self.content, self.status_code, self.headers = body, status, headers or {}


class ScriptedSession(requests.Session):
    """Answers each ``get`` with the next scripted response (the last one again once the script is used up),
    and records the URLs asked for (``urls``; ``calls`` is their number)."""

    def __init__(self, *responses: Response):
        super().__init__()
        self.responses, self.urls = list(responses), []

    @property
    def calls(self) -> int:
        return len(self.urls)

    def get(self, url, **kwargs):
        self.urls.append(url)
        return self.responses[min(len(self.urls), len(self.responses)) - 1]

"""Why a connection failed, and the URL tried: refused, a name not resolved, an untrusted TLS
certificate, a server that does not speak TLS.  Real sockets on 127.0.0.1 (and the reserved
``.invalid`` domain, which never resolves); a small HTTPS server of the test's own."""

from __future__ import annotations

import errno
import http.server
import json
import socket
import ssl
import threading
from pathlib import Path

import pytest

from pyopenai_ps.errors import APIConnectionError, APITimeoutError
from pyopenai_ps.http import Transport
from pyopenai_ps.http.transport import failure_reason

TLS = Path(__file__).resolve().parent.parent / "fixtures" / "tls"
CERT, KEY_FILE = TLS / "localhost-cert.pem", TLS / "localhost-key.pem"
HEADERS = {"Authorization": "Bearer sk-conn-test-0123456789"}


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        body = json.dumps({"id": "run_tls", "object": "thread.run"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https_server():
    """An HTTPS server on 127.0.0.1 with a self-signed certificate; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY_FILE)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def failure(url: str, transport: Transport | None = None) -> APIConnectionError:
    with pytest.raises(APIConnectionError) as info:
        (transport or Transport()).send("GET", url, headers=HEADERS)
    return info.value


def test_connection_refused_names_the_reason_and_the_url():
    url = f"http://127.0.0.1:{free_port()}/v1/threads/thread_abc123/runs?limit=1"
    error = failure(url)
    assert not isinstance(error, APITimeoutError)
    assert str(error) == f"The request GET {url} could not connect: connection refused (1 attempt)."
    assert (error.url, error.reason, error.connected) == (url, "connection refused", False)


def test_a_name_that_does_not_resolve():
    error = failure("http://no-such-host.invalid/v1/threads")
    assert error.reason == "name not resolved: no address was found for the host"
    assert "http://no-such-host.invalid/v1/threads could not connect: name not resolved" in str(error)
    assert error.connected is False


def test_an_untrusted_certificate(https_server):
    error = failure(https_server + "/threads/t/runs/r")
    assert error.reason == "TLS certificate not trusted: self-signed certificate"
    assert str(error) == (f"The request GET {https_server}/threads/t/runs/r could not connect: "
                          "TLS certificate not trusted: self-signed certificate (1 attempt).")


def test_the_certificate_trusted_through_a_ca_bundle(https_server):
    result = Transport(ca_bundle=str(CERT)).send("GET", https_server + "/threads/t/runs/r", headers=HEADERS)
    assert result.json()["id"] == "run_tls"


def test_https_to_a_plain_http_server(server):
    url = server.base_url.replace("http://", "https://") + "/threads"
    error = failure(url)
    assert error.reason == "TLS handshake failed: the server did not answer in TLS (is it http, not https?)"
    assert error.connected is False


def test_a_dropped_answer_is_no_connect_failure(server, recorded_sleeps):
    from pyopenai_ps.runtime.settings import current_transport
    from pyopenai_ps.server import Fault

    server.inject(Fault.drop())
    with pytest.raises(APIConnectionError) as info:
        current_transport().send("GET", server.base_url + "/threads/thread_abc123", headers=HEADERS)
    assert info.value.connected is True
    assert "got no complete answer (connection dropped, 1 attempt)" in str(info.value)


@pytest.mark.parametrize("error, expected", [
    (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
    (OSError(errno.EHOSTUNREACH, "No route to host"), "host unreachable"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), "network unreachable"),
])
def test_reasons_of_os_errors(error, expected):
    from urllib3.exceptions import NewConnectionError

    wrapped = NewConnectionError(None, "Failed to establish a new connection")
    wrapped.__cause__ = error
    assert failure_reason(wrapped) == (expected, True)

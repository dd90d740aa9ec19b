"""Why a call got no (complete) answer, in a few words: the text and facts of its exception.

:func:`failure_reason` tells a connection that could not be made (a name not resolved, a refused
port, an untrusted TLS certificate, a failing proxy) from an answer cut short; :func:`no_answer`
builds the package's ``APIConnectionError`` (``reason``, ``connected``) or ``APITimeoutError``
from urllib3's exception, naming the URL tried and the attempts made.
"""

from __future__ import annotations

import errno
import ssl

from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from ..errors import APIConnectionError, APITimeoutError
from .retry import describe_error

__all__ = ["failure_reason", "no_answer"]


def _os_reason(error: BaseException | None) -> str | None:
    """What an OS-level connection error says, in a few words."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "host unreachable" if error.errno == errno.EHOSTUNREACH else "network unreachable"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return None


def _tls_reason(error: SSLError) -> str:
    inner = error.args[0] if error.args else None
    if isinstance(inner, ssl.SSLCertVerificationError):
        detail = (inner.verify_message or "verification failed").rstrip(".")
        return f"TLS certificate not trusted: {detail}"
    code = getattr(inner, "reason", None)
    if code == "WRONG_VERSION_NUMBER":
        return "TLS handshake failed: the server did not answer in TLS (is it http, not https?)"
    return "TLS handshake failed" + (f": {str(code).lower().replace('_', ' ')}" if code else "")


def failure_reason(error: BaseException | None) -> tuple[str, bool]:
    """Why no connection or answer came, in a few words, and whether no connection was made at all
    (a wrong address, name, port or certificate, rather than an answer cut short)."""
    if isinstance(error, MaxRetryError) and error.reason is not None:
        error = error.reason
    if isinstance(error, NameResolutionError):
        return "name not resolved: no address was found for the host", True
    if isinstance(error, NewConnectionError):
        return _os_reason(error.__cause__ or error.__context__) or "connection failed", True
    if isinstance(error, SSLError):
        return _tls_reason(error), True
    if isinstance(error, ProxyError):
        inner = failure_reason(error.original_error)[0] if error.original_error else "no answer"
        return f"the proxy failed: {inner}", True
    return describe_error(error), False


def no_answer(error: HTTPError, method: str, shown_url: str, timeout: float | None,
              attempts: int) -> Exception:
    """The package's exception for a call that got no (complete) answer: why, and the URL tried."""
    cause = error.reason if isinstance(error, MaxRetryError) and error.reason is not None else error
    tries = f"{attempts} attempt" + ("" if attempts == 1 else "s")
    if isinstance(cause, ReadTimeoutError) or (
            isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError)):
        what = describe_error(cause)
        return APITimeoutError(f"The request {method} {shown_url} timed out ({what}, limit {timeout} s, "
                               f"{tries}).", url=shown_url, timeout=timeout, reason=what)
    why, not_connected = failure_reason(cause)
    if not_connected:
        return APIConnectionError(f"The request {method} {shown_url} could not connect: {why} ({tries}).",
                                  url=shown_url, reason=why, connected=False)
    return APIConnectionError(f"The request {method} {shown_url} got no complete answer ({why}, {tries}).",
                              url=shown_url, reason=why, connected=True)

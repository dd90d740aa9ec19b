"""The http layer: the wire.

A :class:`~.transport.Transport` owns the connection pools, TLS and proxy settings, timeouts, the
limits (maximum answer size, overall retry deadline, listing brake) and the retry policy
(:mod:`.retry`, a subclass of urllib3's ``Retry``) with its sleeper, clock and jitter.
:mod:`.call` runs one call's attempts, :mod:`.exchange` one attempt (its answer read whole and
bounded), :mod:`.streamed` the body of an answer read in chunks (events, downloads),
:mod:`.wire` makes ``http.client`` strict underneath (interim answers skipped, chunk sizes
checked, the attempt's deadline kept); :mod:`.headers` checks what is sent, :mod:`.answers` turns
what comes back into an :class:`~.answers.HTTPResult` or a typed exception and :mod:`.failures`
says why no answer came.  It knows nothing of specs, bindings or the runtime.
"""

from .answers import HTTPResult, error_for_response
from .retry import RetryEvent, RetryPolicy
from .transport import Transport

__all__ = ["HTTPResult", "RetryEvent", "RetryPolicy", "Transport", "error_for_response"]

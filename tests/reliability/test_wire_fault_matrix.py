"""The client against every wire fault the bundled server plays, with -MaxRetryCount 0 and 2: the
outcome, the exact number of attempts, and that the next call on the same server is served right."""

from __future__ import annotations

import pytest

import pyopenai_ps as ps
from pyopenai_ps.errors import APITimeoutError, ResponseFormatError
from pyopenai_ps.server import Fault

RUN = "/v1/threads/thread_abc123/runs/run_abc123"

#: fault -> what the call gives (an exception type, or None for the run itself)
FAULTS = {
    "interim 102": (Fault.interim(), None),
    "interim 100, 102, 103": (Fault.interim(100, 102, 103, headers={"Link": "</a>"}), None),
    "interim 101": (Fault.interim(101), ResponseFormatError),
    "interim flood": (Fault.interim(*[102] * 30), ResponseFormatError),
    "drip without waits": (Fault.drip(0, piece_bytes=3, head=True), None),
    "gzip bomb": (Fault.bomb("gzip"), ResponseFormatError),
    "deflate bomb": (Fault.bomb("deflate"), ResponseFormatError),
    **{f"framing {lie}": (Fault.framing(lie, seconds=0.2), ResponseFormatError) for lie in Fault.LIES},
}


@pytest.mark.parametrize("retries", [0, 2])
@pytest.mark.parametrize("name", list(FAULTS))
def test_each_wire_fault(api, name, retries):
    fault, expected = FAULTS[name]
    api.inject(fault, path=RUN, times=retries + 1)
    if expected is None:
        assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", max_retry_count=retries).id \
            == "run_abc123"
    else:
        with pytest.raises(expected):
            ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", max_retry_count=retries)
    assert len(api.requests) == 1  # answered or refused: nothing here is worth a retry
    api.clear_faults()
    assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc122").id == "run_abc122"
    assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123").id == "run_abc123"


@pytest.mark.parametrize("head", [False, True])
def test_a_drip_slower_than_the_timeout_times_out_and_is_retried(api, head):
    api.inject(Fault.drip(0.05, piece_bytes=2, head=head), path=RUN, times=2)
    with pytest.raises(APITimeoutError):
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", timeout_sec=1, max_retry_count=1)
    assert len(api.requests) == 2 and api.slept == [2.0]

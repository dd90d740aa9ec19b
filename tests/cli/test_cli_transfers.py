"""The command line's transfer progress (bytes done of total, rate), drawn on a terminal's stderr at
most ten times a second and at the end, and cleared; with a clock of the test's own."""

from __future__ import annotations

import pytest

from pyopenai_ps.cli.streams import Progress

MB = 1024 * 1024


@pytest.fixture
def progress():
    now = [100.0]
    shown = Progress(clock=lambda: now[0])
    shown.now = now
    return shown


def lines(text: str) -> list[str]:
    return [part.rstrip() for part in text.split("\r") if part.strip()]


def test_draws_the_first_block_then_at_most_ten_a_second_and_the_end(progress, capsys):
    for step, done in enumerate((1 * MB, 2 * MB, 3 * MB, 4 * MB)):
        progress.now[0] = 100.0 + step * 0.06
        progress.transfer("Register-OpenAIFile", "upload", done, 4 * MB)
    assert lines(capsys.readouterr().err) == [
        "Register-OpenAIFile: uploading 1.0 MB of 4.0 MB",               # the first: no rate yet
        "Register-OpenAIFile: uploading 3.0 MB of 4.0 MB (25.0 MB/s)",   # 0.12 s later (0.06 s was too soon)
        "Register-OpenAIFile: uploading 4.0 MB of 4.0 MB (22.2 MB/s)",   # the end, however soon
    ]


def test_a_download_of_unknown_length_and_small_sizes(progress, capsys):
    progress.transfer("Get-OpenAIFileContent", "download", 512, None)
    progress.now[0] += 1
    progress.transfer("Get-OpenAIFileContent", "download", 3 * 1024, None)
    assert lines(capsys.readouterr().err) == ["Get-OpenAIFileContent: downloading 512 B",
                                              "Get-OpenAIFileContent: downloading 3.0 KB (3.0 KB/s)"]


def test_a_new_transfer_starts_its_own_clock_and_clear_rubs_the_line_out(progress, capsys):
    progress.transfer("Register-OpenAIFile", "upload", 10 * MB, 10 * MB)
    progress.now[0] += 5
    progress.transfer("Register-OpenAIFile", "upload", 1 * MB, 2 * MB)  # fewer bytes: the next file
    progress.clear()
    err = capsys.readouterr().err
    last = "Register-OpenAIFile: uploading 1.0 MB of 2.0 MB"
    assert lines(err)[-1] == last  # drawn at once, no rate: its own clock starts
    assert err.endswith("\r" + " " * len(last) + "\r") and progress.width == 0

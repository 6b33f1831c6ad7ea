"""collector.paused: off inside, back on after the last of overlapping pauses, left as found."""

from __future__ import annotations

import gc
import threading

import pytest

from crossfin.core import collector


@pytest.fixture(autouse=True)
def _restore() -> object:
    was = gc.isenabled()
    yield None
    if was:
        gc.enable()
    else:
        gc.disable()


def test_off_inside_on_after() -> None:
    gc.enable()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_on_after_an_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_overlapping_pauses_resume_after_the_last() -> None:
    gc.enable()
    first_in, second_out = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector.paused():
            first_in.set()
            second_out.wait(5)
            seen.append(gc.isenabled())  # the other pause ended; this one still runs

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector.paused():
        pass
    second_out.set()
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()

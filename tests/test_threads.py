"""The shared worker threads: every share runs once, errors surface, settings and fork carry over."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from glassml._threads import available_cpus, run_on_threads, thread_pool


def test_available_cpus_is_a_positive_count():
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)


def test_every_share_runs_once_and_the_first_on_the_calling_thread():
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def record(share: int) -> None:
        with lock:
            seen.append((share, threading.get_ident()))

    run_on_threads(record, [0, 1, 2, 3])
    assert sorted(share for share, _ in seen) == [0, 1, 2, 3]
    assert dict(seen)[0] == threading.get_ident()
    assert all(ident != threading.get_ident() for share, ident in seen if share != 0)


@pytest.mark.parametrize("shares", [[], [7]])
def test_zero_or_one_share_runs_here(shares):
    idents = []
    run_on_threads(lambda _: idents.append(threading.get_ident()), shares)
    assert idents == [threading.get_ident()] * len(shares)


def test_an_error_in_a_worker_is_raised_here():
    def work(share: int) -> None:
        if share == 2:
            raise ArithmeticError(f"share {share} failed")

    with pytest.raises(ArithmeticError, match="share 2 failed"):
        run_on_threads(work, [0, 1, 2])


def test_an_error_here_waits_for_the_workers_before_it_is_raised():
    # the caller's arrays must not be written after the call has returned (or raised)
    finished = threading.Event()

    def work(share: int) -> None:
        if share == 0:
            raise ValueError("caller's share failed")
        time.sleep(0.2)
        finished.set()

    with pytest.raises(ValueError, match="caller's share failed"):
        run_on_threads(work, [0, 1])
    assert finished.is_set()


def test_workers_see_the_callers_numpy_error_settings():
    def overflow(share: int) -> None:
        if share == 2:
            np.multiply(np.float32(3e38), np.float32(10.0))

    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        run_on_threads(overflow, [1, 2])  # share 2 overflows in a worker thread
    with np.errstate(over="ignore"):
        run_on_threads(overflow, [1, 2])  # and the opposite setting holds there too


def test_a_forked_child_starts_its_own_threads():
    results = np.zeros(2)

    def fill(share: int) -> None:
        results[share] = share + 1

    run_on_threads(fill, [0, 1])  # the parent's pool now exists
    assert thread_pool.cache_info().currsize >= 1
    pid = os.fork()
    if pid == 0:  # the child: a stale pool (threads not copied by fork) would hang here
        signal.alarm(20)
        results[:] = 0
        run_on_threads(fill, [0, 1])
        os._exit(0 if results.tolist() == [1.0, 2.0] else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_call_from_a_pool_thread_runs_its_shares_there_instead_of_waiting_on_the_pool():
    # with one pool thread, a worker that queued work behind itself and waited would hang
    done = []

    def inner(share: int) -> None:
        done.append((share, threading.get_ident()))

    def outer(share: int) -> None:
        if share == 1:  # runs in the pool's only thread
            run_on_threads(inner, [10, 11])

    caller = threading.Thread(target=run_on_threads, args=(outer, [0, 1]), daemon=True)
    caller.start()
    caller.join(timeout=20)
    assert not caller.is_alive(), "deadlock: a pool thread waited on its own pool"
    assert sorted(share for share, _ in done) == [10, 11]
    assert len({ident for _, ident in done}) == 1


def test_threads_for_is_the_one_rule(monkeypatch):
    import glassml._threads as threads_module
    from glassml._threads import threads_for

    monkeypatch.setattr(threads_module, "available_cpus", lambda: 16)
    assert threads_for(99, min_work=100) == 1  # small work: the caller's thread only
    assert threads_for(100, min_work=100) == threads_module.MAX_THREADS == 4
    monkeypatch.setattr(threads_module, "available_cpus", lambda: 2)
    assert threads_for(10**9, min_work=100) == 2  # never more than the CPUs we may use

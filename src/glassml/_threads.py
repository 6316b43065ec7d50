"""Worker threads shared by the parts of glassml that split one call's work across CPUs.

NumPy releases the GIL inside its element-wise loops and BLAS calls, so plain Python threads
run those in parallel. Pools are started once per process (a new pool costs ~0.5 ms per call)
and restarted in a forked child, which inherits the pool object but not its threads.
"""

from __future__ import annotations

import contextvars
import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

__all__ = ["MAX_THREADS", "available_cpus", "run_on_threads", "thread_pool", "threads_for"]

_PREFIX = "glassml-worker"

#: At most this many threads share one call: the work split over threads is element-wise
#: passes and thin matrix products, limited by memory bandwidth, which a few cores use up.
MAX_THREADS = 4


def available_cpus() -> int:
    """The number of CPUs this process may run on (its affinity mask where there is one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_for(work: int, min_work: int) -> int:
    """The one rule for how many threads a call uses.

    ``work`` is the size of the call in the caller's own unit (elements updated, query-training
    pairs, row blocks) and ``min_work`` the size below which handing work to a thread costs
    about as much as it saves: then the call runs on the caller's thread alone. Otherwise it
    uses every CPU this process may run on, at most :data:`MAX_THREADS`.
    """
    if work < min_work:
        return 1
    return max(1, min(available_cpus(), MAX_THREADS))


@functools.cache
def thread_pool(max_workers: int) -> ThreadPoolExecutor:
    """A pool of ``max_workers`` threads, started on first use and kept for the process."""
    return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=_PREFIX)


# NOTE: a forked child inherits the pool objects but not their threads; it must start its own.
if hasattr(os, "register_at_fork"):  # POSIX only; Windows has no fork
    os.register_at_fork(after_in_child=thread_pool.cache_clear)


def run_on_threads(fn: Callable[[Any], object], shares: Sequence[Any]) -> None:
    """Call ``fn(share)`` for every share at once: the first here, the others in the pool.

    Each worker runs in a copy of the caller's context, so settings kept in context variables
    (such as ``np.errstate``) hold there too. Returns when every call has finished; the first
    exception raised by any of them is re-raised. Called from a pool thread, it runs every share
    there, one after another: a pool thread waiting on its own pool could wait forever.
    """
    if len(shares) <= 1 or threading.current_thread().name.startswith(_PREFIX):
        for share in shares:
            fn(share)
        return
    pool = thread_pool(len(shares) - 1)
    futures = [pool.submit(contextvars.copy_context().run, fn, share) for share in shares[1:]]
    try:
        fn(shares[0])
    finally:
        wait(futures)  # never return (or raise) while a worker still writes the caller's arrays
    for future in futures:
        future.result()

"""One executor per device: worker threads that take tasks from a priority queue.

Interactive tasks queued after batch tasks still run first; within a priority, earliest deadline first: a call's
deadline is when its request was admitted plus the request's wait budget (a sentiment request's 0.5 s goes ahead of
a transcription's 1 s that came a moment before it, not of one that has waited 0.8 s), and a request's later calls
keep its deadline, so a request waits its turn once, not once per call. Ordering alone is not enough when batch
tasks last minutes (a long recording), so batch work may occupy at most `threads - reserved` threads: the reserved
threads stay free for interactive and normal requests. Ordering alone would also starve batch work
under a sustained stream of live requests (a soak with 32 clients never let a call-analytics job start its first
model call), so a batch task that has waited `batch_starvation_s` runs next when no batch task is running: jobs
always progress, on at most `threads - reserved` threads. Ordering cannot help a short call when every thread is
in the middle of a long one (a dictation's final waited for a transcription to end), so `express_threads` more
threads take only live calls whose wait budget is short (`express_budget_s`: the routes whose own work is short,
a dictation's chunks, sentiment, translation); the long ones keep the `threads` for themselves.

Overload, two signals, checked when a live request first reaches the pool (its later calls are never refused:
the work already done would be lost):
- estimated wait (`max_estimated_wait_s`): what each kind of call (`cost_key`, the model and whether it is batch
  work) has been taking is kept as a moving average; the queue ahead of a new request and the time left on the
  calls running are laid out on the threads, and when the request would start later than its wait budget it is
  refused at once with PoolBusy (the gateway's 503 pool_busy, Retry-After: when the queue will have drained to the
  budget). This keeps the latency of what is accepted near its target on a busy small machine, where a 30 s
  standing queue already means every caller waits 30 s. A request may carry its own budget (`sheddable(budget)`).
- standing queue (`max_queue_wait_s`, CoDel's signal): the oldest task the request would queue behind has already
  waited that long. It holds whatever a task costs, also before any call has been timed.
- late start (`max_admitted_wait_factor`): the estimate is a forecast, and it misses work it cannot see (a request's
  later calls, CPU outside the pool); a request's first call that has still not started when it has waited that
  many times its budget is refused then (PoolBusy), before any of its work is done. What is served then waited at
  most that long, and a caller told to come back does so sooner than one served after a long wait.
Only work submitted inside `sheddable()` may be refused: the gateway marks each HTTP request so (its caller can
retry), while a live dictation or voice session's next chunk, a job (batch work, durable, waits its turn) and a
micro-batch's dispatch (its items were admitted one by one with `admit`) always queue.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from workers.devices import raise_thread_nice, thread_nice
from workers.errors import PoolBusy, PoolClosed
from workers.spec import Priority

log = logging.getLogger(__name__)

_SEQ = itertools.count()  # arrival order, shared by every device's executor (a request may use two)
EWMA_WEIGHT = 0.3  # of the newest duration in a kind of call's moving average
DEFAULT_BUDGET_S = 2.0  # the deadline of a call with no wait budget of its own (a job's, or with estimates off)


@dataclass
class _Admission:
    """One HTTP request's standing with the pool: refused or admitted at its first call, then never again."""

    wait_budget_s: float | None  # None: the executor's max_estimated_wait_s
    admitted: bool = False
    # The deadline its first call was queued with: its later calls (the OCR after the OSD, the next sentence) keep
    # it, ahead of requests that came after it, so a request waits its turn once, not once per call.
    deadline: float | None = None
    # What the executor that admitted it learns of it: the kind of its first call (what kind of request it is), the
    # seconds its calls have run, how many are queued or running, whether it has ended (left `sheddable()`), and
    # whether it is a session (its turns come as they come: no whole-request cost to expect).
    kind: str | None = None
    priority: int = 0
    ran_s: float = 0.0
    pending: int = 0
    ended: bool = False
    session: bool = False
    urgent: bool = False  # the session's current turn (new_turn)
    optional_calls: list[tuple[DeviceExecutor, _Task]] = field(default_factory=list)  # submitted inside optional()


_SHEDDABLE: ContextVar[_Admission | None] = ContextVar("voxgate_sheddable", default=None)
_OPTIONAL: ContextVar[bool] = ContextVar("voxgate_optional", default=False)


@contextmanager
def optional() -> Iterator[None]:
    """Calls submitted inside are ones the session can do without (a dictation's partial): `drop_optional` takes
    those still queued off the queue (their callers get CancelledError)."""
    token = _OPTIONAL.set(True)
    try:
        yield
    finally:
        _OPTIONAL.reset(token)


def drop_optional() -> int:
    """Cancel the current request's or session's optional calls that have not started (a dictation's partial when
    the clinician presses stop: the final must not wait behind it); how many."""
    admission = _SHEDDABLE.get()
    if admission is None:
        return 0
    dropped = sum(executor.cancel_queued(task) for executor, task in list(admission.optional_calls))
    admission.optional_calls.clear()
    return dropped


@contextmanager
def sheddable(wait_budget_s: float | None = None) -> Iterator[None]:
    """Pool work submitted inside (threads started with this context included) may be refused when overloaded;
    `wait_budget_s` overrides the pool's estimated-wait limit for this request (0: no estimate check). A live
    session wraps its whole life in one: admitted (or refused) at its first call, then never refused; each of its
    turns (`new_turn`) queues by its own time."""
    admission = _Admission(wait_budget_s)
    token = _SHEDDABLE.set(admission)
    try:
        yield
    finally:
        admission.ended = True
        _SHEDDABLE.reset(token)


def new_turn(urgent: bool = False) -> None:
    """The current session starts a new turn (a dictation's next chunk): its next calls queue by their own time plus
    its budget, not by the session's start, which would put a minutes-long session ahead of every request that came
    after it (a soak measured admitted requests waiting ~1.7 s more behind dictation chunks). Admitted stays.
    `urgent`: a person is waiting on this turn now (the dictation's final after stop): its calls have no budget to
    spend (deadline: now), so they go first in their priority and an express thread may take them."""
    admission = _SHEDDABLE.get()
    if admission is not None:
        admission.deadline = None
        admission.session = True
        admission.urgent = urgent


def request_ended() -> None:
    """The current request will make no more model calls (its answer has been sent): from now on the estimate does
    not expect more of its calls, though its `sheddable()` block may not have exited yet."""
    admission = _SHEDDABLE.get()
    if admission is not None:
        admission.ended = True


def admitted() -> bool | None:
    """Whether the current request or session has been admitted by the pool (None outside `sheddable()`): a caller
    that runs a request's calls side by side starts the second once the first has been admitted, so a refused
    request does no work."""
    admission = _SHEDDABLE.get()
    return None if admission is None else admission.admitted


def admit_unchecked() -> None:
    """Count the current request or session as admitted without a check (one coming back, such as a resumed
    dictation, whose work so far must not be refused); nothing outside `sheddable()`."""
    admission = _SHEDDABLE.get()
    if admission is not None:
        admission.admitted = True
        admission.session = True


@dataclass(order=True)
class _Task:
    priority: int
    deadline: float  # when it should start: queued at + its request's wait budget (earliest first)
    seq: int
    fn: Callable[[], Any] = field(compare=False)
    future: Future = field(compare=False)
    queued_at: float = field(compare=False)
    cost_key: str | None = field(default=None, compare=False)
    admitted_here: bool = field(default=False, compare=False)  # the first call of a request admitted by estimate
    started_at: float = field(default=0.0, compare=False)
    admission: _Admission | None = field(default=None, compare=False)  # the request it is a call of, if tracked
    express: bool = field(default=False, compare=False)  # running on an express thread
    budget_s: float = field(default=DEFAULT_BUDGET_S, compare=False)  # its request's wait budget

    @property
    def is_batch(self) -> bool:
        return self.priority >= Priority.BATCH


def _update_average(averages: dict[str, float], key: str, value: float) -> None:
    """Move `key`'s moving average towards `value` (the first value is taken as it is)."""
    known = averages.get(key)
    averages[key] = value if known is None else known + EWMA_WEIGHT * (value - known)


def lower_thread_priority(nice: int) -> None:
    """Raise the calling thread's nice value by `nice` (Linux: a per-thread value, inherited by the threads and
    processes it starts: a model runtime's thread pool created at load, a Tesseract subprocess). Model calls then
    take the CPU the gateway's own work (parsing, refusing, streaming) and its sidecars (Rasa) leave; those are
    light and latency-bound, the calls heavy and already queued. Best effort: a platform without it keeps 0."""
    if nice <= 0:
        return
    try:
        raise_thread_nice(thread_nice() + nice)
    except (OSError, AttributeError) as exc:
        log.debug("could not lower a pool thread's priority: %s", exc)


class DeviceExecutor:
    def __init__(
        self, device: str, threads: int = 1, reserved_for_interactive: int = 1, max_queue_wait_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic, batch_starvation_s: float = 10.0,
        max_estimated_wait_s: float = 0.0, max_admitted_wait_factor: float = 0.0, thread_nice: int = 0,
        express_threads: int = 0, express_budget_s: float = 0.0,
    ) -> None:  # fmt: skip
        self.device = device
        self.threads = threads
        self.max_queue_wait_s = max_queue_wait_s  # 0: never refuse
        self.max_estimated_wait_s = max_estimated_wait_s  # 0: no estimate check
        self.max_admitted_wait_factor = max_admitted_wait_factor  # 0: an admitted first call always runs
        self.thread_nice = thread_nice
        self.express_threads = express_threads
        self._loads = 0  # model loads running on these threads
        self._thread = threading.local()  # per worker thread: seconds its current call spent loading its model
        self._last_load_end = -math.inf
        self.express_budget_s = express_budget_s
        self._costs: dict[str, float] = {}  # cost_key -> moving average of a call's seconds
        # A request's first call's cost_key -> moving average of all its calls' seconds: what an admitted request
        # that has not finished will still ask for (the next sentences of a speech request, the OCR after the OSD).
        self._request_costs: dict[str, float] = {}
        self._open: dict[int, _Admission] = {}  # id -> the requests admitted here whose calls may still come
        self._running: dict[int, _Task] = {}  # seq -> task (seq is unique per call)
        # How long the first calls of the last 256 requests admitted here queued: what the admission estimated.
        self._admitted_waits: deque[float] = deque(maxlen=256)
        self.batch_starvation_s = batch_starvation_s
        self.shed = 0  # live tasks refused because the queue was standing
        self._clock = clock
        # With one thread nothing can be reserved: batch work must still make progress.
        self.batch_limit = max(1, threads - reserved_for_interactive)
        self._heap: list[_Task] = []
        self._cond = threading.Condition()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"voxgate-{device}-{i}", daemon=True) for i in range(threads)
        ] + [
            threading.Thread(target=self._work, args=(True,), name=f"voxgate-{device}-express-{i}", daemon=True)
            for i in range(express_threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(
        self, fn: Callable[[], Any], priority: int, cost_key: str | None = None, deadline: float | None = None
    ) -> Future:
        """Queue a call; `deadline` (a micro-batch's earliest item's) overrides the one its request gives it."""
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise PoolClosed(f"executor for {self.device} is shut down")
            now = self._clock()
            own_deadline, admitted_here = self._admit_locked(int(priority), now, cost_key)
            if deadline is None:
                deadline = own_deadline if own_deadline is not None else now + self._budget(None)
            admission = _SHEDDABLE.get()
            if own_deadline is None or admission is None:  # a micro-batch (its earliest item's), or no request
                budget = max(deadline - now, 1e-3)  # late is not urgent: only a session's own turn is
            else:
                budget = 0.0 if admission.urgent else self._budget(admission.wait_budget_s)
            task = _Task(int(priority), deadline, next(_SEQ), fn, future, now, cost_key, admitted_here, budget_s=budget)
            if admission is not None and _OPTIONAL.get():
                admission.optional_calls[:] = [c for c in admission.optional_calls if not c[1].future.done()]
                admission.optional_calls.append((self, task))
            if admission is not None and self._open.get(id(admission)) is admission and not task.is_batch:
                task.admission = admission
                admission.pending += 1
            heapq.heappush(self._heap, task)
            self._cond.notify_all()
        return future

    def admit(self, priority: int) -> float | None:
        """Refuse (PoolBusy) or admit the current request as if it submitted a call now, and give its deadline; a
        micro-batched model's items are admitted here one by one, since the batch is dispatched outside any
        request (with its earliest item's deadline)."""
        with self._cond:
            return self._admit_locked(int(priority), self._clock())[0]

    def _wait_limit(self, wait_budget_s: float | None) -> float:
        """The estimated wait past which a request is refused (0: no estimate check)."""
        return self.max_estimated_wait_s if wait_budget_s is None else wait_budget_s

    def _budget(self, wait_budget_s: float | None) -> float:
        """How far past its admission a call's deadline lies."""
        return self._wait_limit(wait_budget_s) or DEFAULT_BUDGET_S

    def _admit_locked(self, priority: int, now: float, cost_key: str | None = None) -> tuple[float | None, bool]:
        """The current request's deadline (None outside one, or for batch work) and whether this call admitted it;
        raises PoolBusy when it is refused now."""
        admission = _SHEDDABLE.get()
        if admission is None or priority >= Priority.BATCH:
            return None, False
        if admission.admitted:
            if admission.deadline is None:  # a new turn of a session (new_turn), or a resumed session
                admission.deadline = now + (0.0 if admission.urgent else self._budget(admission.wait_budget_s))
            return admission.deadline, False
        deadline = now + self._budget(admission.wait_budget_s)
        waited = self._oldest_wait_locked(priority, deadline, now)
        if self.max_queue_wait_s and waited > self.max_queue_wait_s:
            self._refuse(
                f"the request ahead has waited {waited:.0f} s (limit {self.max_queue_wait_s:.0f} s)",
                max(1, math.ceil(self.max_queue_wait_s / 4)),
            )
        over = self._over_estimate_locked(priority, admission.wait_budget_s, now)
        if over is not None:
            self._refuse(*over)
        admission.admitted = True
        admission.deadline = deadline
        if cost_key is not None:  # a micro-batched item (admit) has no call of its own to follow
            admission.kind, admission.priority = cost_key, priority
            self._open[id(admission)] = admission
        return deadline, True

    def _over_estimate_locked(self, priority: int, wait_budget_s: float | None, now: float) -> tuple[str, int] | None:
        """Why and for how long (Retry-After) a new request with this budget would be refused by the estimate now;
        None when it would be admitted or the estimate is off."""
        limit = self._wait_limit(wait_budget_s)
        if not limit:
            return None
        wait = self._estimated_wait_locked(priority, now + limit, now)
        if wait <= limit:
            return None
        why = f"a new request would wait about {wait:.1f} s for a model (limit {limit:g} s)"
        return why, max(1, math.ceil(wait - limit))

    def _refuse(self, why: str, retry_after_s: int) -> None:
        self.record_shed()
        raise PoolBusy(
            f"the {self.device} model queue is overloaded: {why}; retry in {retry_after_s} s",
            retry_after_s=retry_after_s,
        )

    def record_shed(self) -> None:
        """Count a live request refused (here, or by the gateway before it read the request on this estimate)."""
        self.shed += 1

    def _oldest_wait_locked(self, priority: int, deadline: float, now: float) -> float:
        """How long the oldest queued task that runs before a new one of `priority` and `deadline` has waited
        (0: none)."""
        ahead = [t.queued_at for t in self._heap if (t.priority, t.deadline) <= (priority, deadline)]
        return now - min(ahead) if ahead else 0.0

    def _estimated_wait_locked(self, priority: int, deadline: float, now: float) -> float:
        """When a new live task of `priority` would start: the threads batch work leaves free become free as their
        running calls end (by the moving averages), then take the live work ahead in order: the calls queued, and
        the calls that admitted requests have yet to make (`_unseen_locked`), which keep their requests' deadlines.
        A short-budget task may take an express thread instead, behind the short-budget work ahead only."""
        ahead = [(t.priority, t.deadline, self._cost(t), t.budget_s) for t in self._heap] + self._unseen_locked(now)
        ahead = sorted(a for a in ahead if (a[0], a[1]) <= (priority, deadline))
        running = [t for t in self._running.values() if not t.is_batch]
        free_threads = max(1, self.threads - self._busy_batch_locked())
        wait = self._laid_out([t for t in running if not t.express], free_threads, [a[2] for a in ahead], now)
        if self.express_threads and deadline - now <= self.express_budget_s:
            short = [a[2] for a in ahead if a[3] <= self.express_budget_s]
            wait = min(wait, self._laid_out([t for t in running if t.express], self.express_threads, short, now))
        return wait

    def _laid_out(self, running: list[_Task], threads: int, costs: list[float], now: float) -> float:
        """When the first of `threads` threads would be free for one more task, after the calls running on them end
        and `costs` (in order) have each taken the thread that frees first."""
        ends = [max(0.0, self._cost(t) - (now - t.started_at)) for t in running][:threads]
        ends += [0.0] * (threads - len(ends))
        heapq.heapify(ends)
        for cost in costs:
            heapq.heappush(ends, heapq.heappop(ends) + cost)
        return ends[0]

    def _unseen_locked(self, now: float) -> list[tuple[int, float, float, float]]:
        """(priority, deadline, seconds, budget) of the work each admitted, unfinished request has yet to submit:
        what its kind of request takes in all, less what its calls have run, are running and have queued. Sessions
        (whose turns come as they come) and requests that have ended submit nothing more."""
        self._forget_ended_locked()
        seen: dict[int, float] = {}  # the seconds each request's queued and running calls take in all
        for task in self._heap:
            if task.admission is not None:
                seen[id(task.admission)] = seen.get(id(task.admission), 0.0) + self._cost(task)
        for task in self._running.values():
            if task.admission is not None:
                whole = max(self._cost(task), now - task.started_at)
                seen[id(task.admission)] = seen.get(id(task.admission), 0.0) + whole
        unseen = []
        for key, admission in self._open.items():
            if admission.ended or admission.session or admission.kind is None or admission.deadline is None:
                continue
            left = self._request_costs.get(admission.kind, 0.0) - admission.ran_s - seen.get(key, 0.0)
            if left > 0:
                unseen.append((admission.priority, admission.deadline, left, self._budget(admission.wait_budget_s)))
        return unseen

    def _forget_ended_locked(self) -> None:
        """Drop the requests that have ended and have no call left, learning what each kind of request took."""
        for key, admission in list(self._open.items()):
            if not (admission.ended and admission.pending == 0):
                continue
            del self._open[key]
            if admission.kind is not None and not admission.session:
                _update_average(self._request_costs, admission.kind, admission.ran_s)

    def _cost(self, task: _Task) -> float:
        return self._costs.get(task.cost_key, 0.0) if task.cost_key else 0.0

    def observe(self, cost_key: str, seconds: float) -> None:
        """A call of this kind took `seconds` (model loading left out by the caller): update its moving average."""
        with self._cond:
            _update_average(self._costs, cost_key, seconds)

    def recent_admitted_wait_p95(self) -> float:
        """The 95th percentile of how long the first calls of the last 256 admitted requests queued (0: none yet)."""
        with self._cond:
            waits = sorted(self._admitted_waits)
        return waits[min(len(waits) - 1, math.ceil(0.95 * len(waits)) - 1)] if waits else 0.0

    def would_refuse(self, wait_budget_s: float | None) -> int | None:
        """Retry-After seconds when a new live request with this budget would be refused by the estimate now, else
        None (nothing counted): lets the gateway refuse before it reads and decodes the request's body."""
        with self._cond:
            over = self._over_estimate_locked(int(Priority.INTERACTIVE), wait_budget_s, self._clock())
        return over[1] if over is not None else None

    def estimated_wait(self, priority: int, wait_budget_s: float | None = None) -> float:
        """How long a new live request with this budget (default: the executor's) would wait now."""
        with self._cond:
            now = self._clock()
            return self._estimated_wait_locked(int(priority), now + self._budget(wait_budget_s), now)

    def queued(self) -> int:
        with self._cond:
            return len(self._heap)

    def busy(self) -> int:
        return len(self._running)

    def _busy_batch_locked(self) -> int:
        return sum(t.is_batch for t in self._running.values())

    def _runnable_locked(self) -> bool:
        # The heap top is the most urgent task: if it is batch work, everything queued is.
        return bool(self._heap) and (not self._heap[0].is_batch or self._busy_batch_locked() < self.batch_limit)

    def _starved_batch_locked(self) -> int | None:
        """The heap index of the oldest batch task, when it has waited `batch_starvation_s` and none is running."""
        if self._heap[0].is_batch or self._busy_batch_locked():
            return None
        waiting = [(t.queued_at, i) for i, t in enumerate(self._heap) if t.is_batch]
        if not waiting:
            return None
        queued_at, index = min(waiting)
        return index if self._clock() - queued_at >= self.batch_starvation_s else None

    def _next_task(self, late: list[_Task], express: bool = False) -> _Task | None:
        """The next task to run (on an express thread: the most urgent short-budget live one); first calls taken
        off the queue too late to start are put in `late` (None with some there: refuse them before waiting for
        more work; None with none: shut down)."""
        with self._cond:
            while True:
                index = self._next_index_locked(express)
                while index is None:
                    if late or (self._closed and not self._heap):
                        return None
                    self._cond.wait()
                    index = self._next_index_locked(express)
                task = self._pop_locked(index)
                now = self._clock()
                if task.admitted_here:
                    self._admitted_waits.append(now - task.queued_at)
                    if self._too_late(task, now):
                        self.record_shed()
                        self._finished_locked(task, 0.0)
                        if task.admission is not None:
                            task.admission.kind = None  # refused: it says nothing of what such requests take
                        late.append(task)
                        continue
                task.started_at = now
                task.express = express
                self._running[task.seq] = task
                return task

    def _next_index_locked(self, express: bool) -> int | None:
        """The heap index of the task a thread takes next, None when it has none to take."""
        if express:
            short = [(t, i) for i, t in enumerate(self._heap) if not t.is_batch and t.budget_s <= self.express_budget_s]
            return min(short)[1] if short else None
        if not self._runnable_locked():
            return None
        starved = self._starved_batch_locked()
        return 0 if starved is None else starved

    def cancel_queued(self, task: _Task) -> bool:
        """Take `task` off the queue and cancel it, if it has not started."""
        with self._cond:
            if task not in self._heap:
                return False
            self._pop_locked(self._heap.index(task))
            self._finished_locked(task, 0.0)
        return task.future.cancel()

    def _pop_locked(self, index: int) -> _Task:
        """Take the task at `index` out of the heap, keeping the heap's order."""
        if index == 0:
            return heapq.heappop(self._heap)
        task = self._heap[index]
        self._heap[index] = self._heap[-1]
        self._heap.pop()
        heapq.heapify(self._heap)
        return task

    def _finished_locked(self, task: _Task, ran_s: float) -> None:
        if task.admission is not None:
            task.admission.ran_s += ran_s
            task.admission.pending -= 1
        if len(self._open) > 64:  # requests ending while no estimate is asked for (estimates off)
            self._forget_ended_locked()

    @contextmanager
    def loading(self) -> Iterator[None]:
        """The call on the calling thread loads its model inside: no first call is refused as late meanwhile, and
        the load is left out of what its request takes."""
        with self._cond:
            self._loads += 1
            started = self._clock()
        try:
            yield
        finally:
            with self._cond:
                self._loads -= 1
                self._last_load_end = self._clock()
                self._thread.loaded_s = getattr(self._thread, "loaded_s", 0.0) + self._last_load_end - started

    def _too_late(self, task: _Task, now: float) -> bool:
        """An admitted request's first call that has waited `max_admitted_wait_factor` times its budget, unless a
        model was loading while it waited: a cold start or a reload is not overload, and a caller refused then would
        be refused again by the next cold model (the estimate leaves loading out for the same reason)."""
        if self._loads or self._last_load_end > task.queued_at:
            return False
        limit = self.max_admitted_wait_factor * task.budget_s
        return bool(limit) and now - task.queued_at > limit

    def _refuse_late(self, task: _Task) -> None:
        budget = task.budget_s
        waited = self._clock() - task.queued_at
        retry_after = max(1, math.ceil(waited - budget))
        why = (
            f"the {self.device} model queue is overloaded: the request waited {waited:.1f} s for a model without "
            f"starting (limit {self.max_admitted_wait_factor:g}x its {budget:g} s budget); retry in {retry_after} s"
        )
        if task.future.set_running_or_notify_cancel():
            task.future.set_exception(PoolBusy(why, retry_after_s=retry_after))

    def _work(self, express: bool = False) -> None:
        lower_thread_priority(self.thread_nice)
        while True:
            late: list[_Task] = []
            task = self._next_task(late, express)
            for refused in late:  # outside the lock: a future's callbacks may submit again
                self._refuse_late(refused)
            if task is None:
                if late:
                    continue
                return
            try:
                if task.future.set_running_or_notify_cancel():
                    try:
                        task.future.set_result(task.fn())
                    except BaseException as exc:  # delivered to the caller through the future
                        task.future.set_exception(exc)
            finally:
                with self._cond:
                    self._running.pop(task.seq, None)
                    # What the call ran, less loading its model: a cold start is no part of what requests take.
                    loaded, self._thread.loaded_s = getattr(self._thread, "loaded_s", 0.0), 0.0
                    self._finished_locked(task, self._clock() - task.started_at - loaded)
                    self._cond.notify_all()

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking new work; queued tasks still run, then the threads end."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        if wait:
            for thread in self._threads:
                thread.join()

"""The one worker mechanism: results, progress, streamed partials, errors, cancel."""

from __future__ import annotations

import threading
import time

import pytest
import shiboken6

from wardrobe_app.ui.workers import ErrorInfo, Queue, TaskRunner, Worker, WorkerContext


@pytest.fixture
def runner():
    r = TaskRunner()
    yield r
    r.shutdown()


def test_result_progress_and_partial_arrive_in_gui_thread(qtbot, runner):
    seen: dict[str, list] = {"progress": [], "partial": [], "result": [], "finished": []}

    def job(ctx: WorkerContext) -> str:
        assert threading.current_thread() is not threading.main_thread()
        for i in range(3):
            ctx.progress(i, 3, f"item{i}")
            ctx.partial(i * 10)
        return "done"

    def on_progress(done, total, current):
        seen["progress"].append((done, total, current, threading.current_thread()))

    worker = runner.start(
        job,
        on_progress=on_progress,
        on_partial=lambda v: seen["partial"].append(v),
        on_result=lambda v: seen["result"].append(v),
        on_finished=lambda: seen["finished"].append(True),
    )
    qtbot.waitUntil(lambda: seen["finished"] == [True], timeout=5000)
    assert seen["result"] == ["done"]
    assert {p[3] for p in seen["progress"]} == {threading.main_thread()}
    seen["progress"] = [p[:3] for p in seen["progress"]]
    assert seen["progress"] == [(0, 3, "item0"), (1, 3, "item1"), (2, 3, "item2")]
    assert seen["partial"] == [0, 10, 20]
    assert not worker.failed and not worker.was_cancelled


def test_error_reaches_the_one_handler(qtbot, runner):
    errors: list[ErrorInfo] = []
    runner.errorOccurred.connect(errors.append)

    def job(ctx: WorkerContext) -> None:
        raise RuntimeError("boom")

    worker = runner.start(job, title="Exploding")
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert worker.failed
    assert errors[0].title == "Exploding"
    assert errors[0].exc_type == "RuntimeError" and "boom" in errors[0].message
    assert "Traceback" in errors[0].details


def test_cancel_flag_stops_a_job(qtbot, runner):
    started = threading.Event()

    def job(ctx: WorkerContext) -> int:
        started.set()
        n = 0
        while True:
            ctx.check_cancelled()
            time.sleep(0.01)
            n += 1

    worker = runner.start(job)
    assert started.wait(5)
    worker.cancel()
    qtbot.waitUntil(lambda: runner.active == [], timeout=5000)
    assert worker.was_cancelled and not worker.failed
    assert runner.active == []


def test_model_queue_runs_one_job_at_a_time(qtbot, runner):
    running = 0
    peak = 0
    lock = threading.Lock()

    def job(ctx: WorkerContext) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    workers = [runner.start(job, queue=Queue.MODEL) for _ in range(4)]
    qtbot.waitUntil(lambda: all(w.is_done() for w in workers), timeout=5000)
    assert peak == 1


def test_shutdown_cancels_running_and_drops_queued(qtbot, runner):
    gate = threading.Event()

    def slow(ctx: WorkerContext) -> None:
        while not ctx.is_cancelled():
            gate.wait(0.01)

    first = runner.start(slow, queue=Queue.MODEL)
    second = runner.start(slow, queue=Queue.MODEL)  # queued behind the first
    qtbot.waitUntil(lambda: not first.is_done(), timeout=1000)
    assert runner.shutdown(5000)
    assert first.is_done()
    assert not second.is_done() or second.was_cancelled


def test_a_job_that_outlives_the_app_ends_without_a_traceback(qtbot):
    """Closed while the model still loads, past the shutdown's wait: Python exits, its
    signals go, and the job ends after (here: run in this thread)."""
    ended = Worker(lambda ctx: 42)
    shiboken6.delete(ended.signals)
    ended.run()  # raised "Signal source has been deleted"
    assert ended.is_done() and not ended.failed

    went_on: list[bool] = []

    def reports(ctx: WorkerContext) -> None:
        ctx.progress(1, 2)
        went_on.append(True)

    stopped = Worker(reports)
    shiboken6.delete(stopped.signals)
    stopped.run()  # nobody waits for the rest: stopped at its next report
    assert stopped.was_cancelled and not stopped.failed and not went_on

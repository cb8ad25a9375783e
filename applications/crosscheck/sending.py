"""How a run's batches reach the exchange: threads in this process, or a process of their own.

    with sender_for_run() as sender:           # the monthly run: a process of its own if it can
        future = sender.submit(adapter, batch)  # → {id_number: said tuple} (applications.crosscheck.answers)

`ThreadSender` sends from a pool of `concurrency()` threads in this process (every cross-check run
does, by default). `ProcessSender` starts `python -m applications.crosscheck.sending`, a child that
sends the batches it is given from its own pool of threads, parses and evaluates the replies and
returns the said tuples over a pipe. It is for the long monthly run (动态监管, ADR 0017): there the
runner's other threads — reading members and answers, comparing, storing — compute most of the time,
and in one process a request thread whose reply has arrived waits for them to let go of the GIL, several
times a request; measured, the requests then took twice as long as alone and the run could not keep
the exchange busy (docs/benchmarks.md, issue 16). In a child the request threads share their
interpreter with nothing that computes, and the parsing and evaluating runs on the other CPU.

The child is a plain subprocess, not `multiprocessing`: Celery's prefork workers are daemonic and may
not have `multiprocessing` children, and a fresh interpreter inherits none of the parent's database
connections or locks. It runs `django.setup()` with the parent's settings module and is told the
exchange's address, timeout and token (tests and benchmarks change them at run time). It never touches
the database. Frames both ways are a 4-byte length and a pickle (parent and child are the same code).
Requests in flight stay at `concurrency()`: the child's pool is that size, and the parent submits every
chunk's batches to the one child.
"""

import contextlib
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from .answers import batch_said

logger = logging.getLogger(__name__)

_LENGTH = struct.Struct(">I")
START_TIMEOUT_SECONDS = 60.0


def concurrency() -> int:
    """Requests in flight at once (the exchange's agreed limit per client)."""
    return max(1, int(settings.EXCHANGE_CONCURRENCY))


class SenderGone(RuntimeError):
    """The process sending the requests stopped before answering; the run stops (and is resumable)."""


class ThreadSender:
    """Batches sent from `concurrency()` threads of this process, each keeping its connection."""

    def __init__(self, client=None):
        from .exchange import ExchangeClient

        self.client = client or ExchangeClient()
        self.pool = ThreadPoolExecutor(max_workers=concurrency(), thread_name_prefix="crosscheck")

    def submit(self, adapter, batch) -> Future:
        return self.pool.submit(_said, adapter, batch, self.client)

    def close(self):
        self.pool.shutdown(wait=True)
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _said(adapter, batch, client, queried_at=None):
    return batch_said(adapter.query_batch(batch, client=client, queried_at=queried_at))


class ProcessSender:
    """Batches sent from a child process (see the module's docstring). `submit` may be called from
    several threads at once; a reader thread resolves the futures as the child's frames arrive."""

    def __init__(self, *, base_url=None, timeout=None, token=None):
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        base = str(settings.BASE_DIR)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (base, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "applications.crosscheck.sending"], cwd=base, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()
        self._futures: dict[int, Future] = {}
        self._next = 0
        self._gone = None  # why the child stopped answering, once it has
        try:
            self._send(("config", {
                "base_url": base_url or settings.EXCHANGE_URL,
                "timeout": float(timeout if timeout is not None else settings.EXCHANGE_TIMEOUT_SECONDS),
                "token": token if token is not None else getattr(settings, "EXCHANGE_TOKEN", ""),
                "concurrency": concurrency(),
            }))
            ready = _read_frame(self.proc.stdout, timeout=START_TIMEOUT_SECONDS, proc=self.proc)
        except BaseException:
            self._kill()
            self.proc.stdout.close()
            raise
        if not (isinstance(ready, tuple) and ready[:1] == ("ready",)):
            self._kill()
            self.proc.stdout.close()
            raise SenderGone(f"查询进程未能启动（{ready!r}）")
        self.pid = self.proc.pid
        self._reader = threading.Thread(target=self._read, name="crosscheck-sender-reader", daemon=True)
        self._reader.start()

    def submit(self, adapter, batch) -> Future:
        cls = type(adapter)
        future = Future()
        with self._lock:
            if self._gone:
                raise SenderGone(self._gone)
            job = self._next = self._next + 1
            self._futures[job] = future
        try:
            # The caller's clock, not the child's: the answers are dated as the caller sees time (a test
            # travelling in time; in production the two agree, the batch queued a few seconds at most).
            self._send(("batch", job, f"{cls.__module__}:{cls.__qualname__}", list(batch), timezone.now()))
        except (OSError, ValueError):  # (a dead child's pipe; ValueError: used after close())
            with self._lock:
                self._futures.pop(job, None)
            raise SenderGone(self._gone or "查询进程意外退出") from None
        return future

    def _send(self, message):
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with self._write_lock:
            self.proc.stdin.write(_LENGTH.pack(len(data)) + data)
            self.proc.stdin.flush()

    def _read(self):
        stream = self.proc.stdout
        why = "查询进程意外退出"
        try:
            while True:
                message = _read_frame(stream)
                if message is None:
                    break
                kind, job, payload = message
                with self._lock:
                    future = self._futures.pop(job, None)
                if future is None:
                    continue
                if kind == "said":
                    future.set_result(payload)
                else:  # "error": the child's traceback, for the log
                    logger.error("cross-check sender: a batch failed in the child:\n%s", payload)
                    future.set_exception(SenderGone(f"查询进程出错：{payload.strip().splitlines()[-1]}"))
        except Exception as exc:  # a broken frame: nothing more can be trusted
            logger.exception("cross-check sender: unreadable reply from the child")
            why = f"查询进程应答无法读取（{exc!r}）"
        with self._lock:
            self._gone = why
            orphans, self._futures = self._futures, {}
        for future in orphans.values():
            future.set_exception(SenderGone(why))

    def close(self):
        """No more batches: the child answers what it was given, then exits."""
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=START_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._kill()
        self._reader.join(timeout=10)
        self.proc.stdout.close()

    def _kill(self):
        self.proc.kill()
        self.proc.wait()
        with contextlib.suppress(OSError):
            self.proc.stdin.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:  # a stop: what is in flight is not worth waiting for (the run resumes)
            self._kill()
            self._reader.join(timeout=10)
            self.proc.stdout.close()
            return
        self.close()


def sendable(adapters) -> bool:
    """Whether the child can build these adapters: classes it can import by name. (It makes them without
    arguments, as the registry's `adapter_for` does; one that needs arguments fails its batches.)"""
    for adapter in adapters:
        cls = type(adapter)
        if cls.__module__ == "__main__" or "<locals>" in cls.__qualname__:
            return False
    return True


@contextlib.contextmanager
def sender_for_run(adapters=(), *, process=None):
    """The sender for a long run: a child process (`settings.CROSSCHECK_SENDER_PROCESS`, on by
    default) when the adapters can be built there and it starts, else threads in this process."""
    use_process = settings.CROSSCHECK_SENDER_PROCESS if process is None else process
    sender = None
    if use_process and sendable(adapters):
        try:
            sender = ProcessSender()
        except (OSError, SenderGone) as exc:
            logger.warning("cross-check sender: no child process (%s); sending from threads", exc)
    with sender or ThreadSender() as running:
        yield running


def _read_frame(stream, *, timeout=None, proc=None):
    """The next frame's message, None at the end of the stream. With `timeout`, only for the child's
    first frame (a child that hangs while starting is killed by the caller)."""
    if timeout is not None:
        result = {}

        def read():
            try:
                result["message"] = _read_frame(stream)
            except Exception as exc:
                result["error"] = exc

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            raise SenderGone(f"查询进程 {timeout:g} 秒内未就绪")
        if "error" in result:
            raise SenderGone(f"查询进程未能启动（{result['error']!r}）")
        if result["message"] is None:
            raise SenderGone(f"查询进程启动失败（退出码 {proc.wait() if proc else '?'}）")
        return result["message"]
    head = stream.read(_LENGTH.size)
    if not head:
        return None
    if len(head) < _LENGTH.size:
        raise EOFError("truncated frame")
    (length,) = _LENGTH.unpack(head)
    data = stream.read(length)
    if len(data) < length:
        raise EOFError("truncated frame")
    return pickle.loads(data)  # noqa: S301 (our own child, over its own pipe)


# --- the child --------------------------------------------------------------------------------------


def _child():
    # Frames go out on a copy of stdout; anything else printed goes to stderr, not into the frames.
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    incoming = sys.stdin.buffer
    config = _read_frame(incoming)
    if not (isinstance(config, tuple) and config[0] == "config"):
        return 2
    config = config[1]
    # Not django.setup(): the adapters need the settings, not the apps, and setting up every app (the
    # admin's imports load the PDF libraries) took 1.8 s at the start of every run. An adapter whose
    # module needs the apps gets them when it is first imported (`_adapter`).
    settings.USE_TZ  # noqa: B018 (the settings load now: with broken settings the child does not start)
    from .exchange import ExchangeClient

    sys.setswitchinterval(0.001)  # (as runner.prompt_requests: replies are taken up promptly)
    client = ExchangeClient(config["base_url"], timeout=config["timeout"], token=config["token"])
    adapters = {}
    write_lock = threading.Lock()

    def write(message):
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with write_lock:
            try:
                frames.write(_LENGTH.pack(len(data)) + data)
                frames.flush()
            except OSError:  # the parent is gone: nobody wants the rest
                os._exit(1)

    def run(job, path, batch, queried_at):
        try:
            adapter = adapters.get(path)
            if adapter is None:
                adapter = adapters[path] = _adapter(path)
            write(("said", job, _said(adapter, batch, client, queried_at)))
        except BaseException:
            write(("error", job, traceback.format_exc()))

    write(("ready", os.getpid(), None))
    with ThreadPoolExecutor(max_workers=config["concurrency"], thread_name_prefix="crosscheck") as pool:
        while (message := _read_frame(incoming)) is not None:
            _kind, job, path, batch, queried_at = message
            pool.submit(run, job, path, batch, queried_at)
    client.close()
    frames.close()
    return 0


def _adapter(path):
    """The adapter class `module:qualname` made without arguments (with the apps set up if its
    module needs them)."""
    from django.core.exceptions import AppRegistryNotReady

    module, _, name = path.partition(":")
    try:
        target = import_module(module)
    except AppRegistryNotReady:
        import django

        django.setup()
        target = import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target()


if __name__ == "__main__":
    sys.exit(_child())

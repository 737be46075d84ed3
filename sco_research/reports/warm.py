"""Warm kernels: each report's ipykernel is forked from a server that has already imported.

What: a worker keeps a server process for the environment its kernels run in (Python, data
folder, ``PYTHONPATH``, matplotlib backend, library source). The kernel manager papermill uses
(:func:`manager_class`) asks it for a fork instead of running ``python -m ipykernel_launcher``;
the server first imports what the notebook will (:mod:`sco_research.reports.imports`). Each
kernel is an ordinary ipykernel in a process of its own: nothing a report changes reaches the
next. The server never runs report code; it reaps its kernels and tells their exit status.

Why: a map report's kernel spends most of its time importing pandas, geopandas and matplotlib.
On a shared 2-core machine the 48-map grid took 60.95 s warm against 89.15 s cold, the default
batch 24.45 s against 38.8 s (medians of two pairs; README, "Speed").

When it falls back: with ``SCO_RESEARCH_WARM_KERNELS=0``, for a kernel that is not this Python's
ipykernel, and on any exception on the way (the server cannot start, is dead, refuses, gives no
answer within :data:`TIMEOUT`), the kernel starts the ordinary way; the kernel manager's
``launch`` then says ``"cold: <why>"`` instead of ``"warm"``. Linux only in practice.

Examples
--------
>>> enabled({"SCO_RESEARCH_WARM_KERNELS": "0"}), enabled({})
(False, True)
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import RenderError

__all__ = ["TIMEOUT", "WARM_ENV", "ForkedKernel", "KernelServer", "WarmError", "close_servers",
           "die_with_parent", "enabled", "manager_class", "prestart", "serve", "server_for"]

WARM_ENV = "SCO_RESEARCH_WARM_KERNELS"  #: ``0`` starts every kernel the ordinary way
TIMEOUT = 120.0  #: seconds the server may take to answer (a fork may import first)
PER_REPORT = ("SCO_RESEARCH_READ_LOG", "SCO_RESEARCH_TIMINGS", "JPY_PARENT_PID",
              "JPY_SESSION_NAME")  #: variables left out of the server's environment
_SERVERS: dict[tuple, KernelServer] = {}
_LOCK = threading.Lock()


class WarmError(RenderError):
    """The warm-kernel server gave no kernel (the kernel is then started cold)."""


def enabled(env: Mapping[str, str]) -> bool:
    """Whether kernels are forked warm (``SCO_RESEARCH_WARM_KERNELS`` is not ``0``)."""
    return env.get(WARM_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


class ForkedKernel:
    """What jupyter_client uses of ``subprocess.Popen``, for a kernel the server forked (its
    child, not ours): :meth:`poll` asks the server for the exit status it reaped (``-N`` for
    signal N, as subprocess says), or gives ``-9`` once the server is gone (it kills them)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, server: KernelServer) -> None:
        self.pid, self.server, self.returncode = pid, server, None

    def poll(self) -> int | None:
        if self.returncode is None and self.server.lock.acquire(blocking=False):
            try:  # (a server busy forking another kernel is asked next time)
                self.returncode = self.server.request({"wait": self.pid})["returncode"]
            except WarmError:
                self.returncode = -signal.SIGKILL
            finally:
                self.server.lock.release()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while self.poll() is None and time.monotonic() < end:
            time.sleep(0.02)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    kill = functools.partialmethod(send_signal, signal.SIGKILL)
    terminate = functools.partialmethod(send_signal, signal.SIGTERM)


class KernelServer:
    """A server process (:func:`serve`) and the Unix socket to it: one JSON message a packet."""

    def __init__(self, env: Mapping[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", f"from {__name__} import serve; serve({theirs.fileno()})"],
                pass_fds=[theirs.fileno()], env=dict(env), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=os.path.dirname(sys.executable) or None)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock, self.lock = ours, threading.RLock()

    def request(self, message: dict, fds: Iterable[int] = ()) -> dict:
        """Send ``message`` (and ``fds``), return the answer. A server that gives none within
        :data:`TIMEOUT` is stopped: its answer would come later, to another request."""
        with self.lock:
            try:
                socket.send_fds(self.sock, [json.dumps(message).encode()], list(fds))
                self.sock.settimeout(TIMEOUT)
                if data := self.sock.recv(1 << 16):
                    return json.loads(data)
            except TimeoutError:
                self.close()
                raise WarmError(f"no answer from the warm-kernel server in {TIMEOUT:g} s") from None
            except OSError as exc:
                raise WarmError(f"the warm-kernel server is gone: {exc}") from None
        raise WarmError(f"the warm-kernel server exited ({self.proc.poll()})")

    def fork(self, argv: list[str], env: Mapping[str, str], cwd: str,
             preload: Iterable[str] = ()) -> ForkedKernel:
        """Import ``preload`` (what is not imported yet), then fork an ipykernel with ``argv``,
        ``env`` and ``cwd`` that writes to this process's stdout and stderr (fds 1 and 2)."""
        reply = self.request({"argv": argv, "env": dict(env), "cwd": str(cwd),
                              "preload": list(preload)}, [1, 2])
        if "pid" not in reply:
            raise WarmError(f"the warm-kernel server refused: {reply.get('error')}")
        return ForkedKernel(int(reply["pid"]), self)

    def close(self) -> None:
        """Stop the server (its running kernels die with it)."""
        self.sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.proc.kill()  # (nothing, if it has exited)
        self.proc.wait()


def server_for(env: Mapping[str, str]) -> KernelServer:
    """The server for kernels that run with ``env``; started (older ones stopped) if none."""
    from .cache import library_digest

    backend = env.get("MPLBACKEND") or "module://matplotlib_inline.backend_inline"
    key = (sys.executable, env.get("SCO_RESEARCH_DATA"), env.get("PYTHONPATH"), backend,
           library_digest())
    with _LOCK:
        if key not in _SERVERS or _SERVERS[key].proc.poll() is not None:
            close_servers(lock=contextlib.nullcontext())  # another data folder or library
            _SERVERS[key] = KernelServer({**{k: v for k, v in env.items() if k not in PER_REPORT},
                                          "MPLBACKEND": backend})
        return _SERVERS[key]


def prestart(env: Mapping[str, str] | None = None) -> None:
    """Start the server for ``env`` (default: this process's) now, to import ipykernel while the
    worker starts; a no-op when warm kernels are off or the server cannot start."""
    env = {k: v for k, v in (os.environ if env is None else env).items() if k != "MPLBACKEND"}
    with contextlib.suppress(Exception):
        enabled(env) and server_for(env)


def close_servers(lock: Any = _LOCK) -> None:
    """Stop every server of this process."""
    with lock:
        while _SERVERS:
            _SERVERS.popitem()[1].close()


@functools.cache
def manager_class() -> type:
    """The kernel manager papermill uses. ``preload`` (:mod:`.imports`) is imported
    before the kernel is forked; after, ``launch`` says ``"warm"`` or ``"cold: <why>"``."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            manager, env = self.parent, dict(kwargs.get("env") or os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            if not enabled(env):
                manager.launch = f"cold: {WARM_ENV}=0"
            elif cmd[1:3] != ["-m", "ipykernel_launcher"] or \
                    os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
                manager.launch = "cold: not this Python's ipykernel"
            else:
                try:
                    self.process = server_for(env).fork(cmd[3:], env, cwd, manager.preload)
                    self.pid = self.pgid = self.process.pid
                    self.cwd, manager.launch = cwd, "warm"
                    return self.connection_info
                except Exception as exc:  # noqa: BLE001 - any failure: start it cold
                    manager.launch = "cold: " + (str(exc) if isinstance(exc, WarmError)
                                                 else f"{type(exc).__name__}: {exc}")
            return await super().launch_kernel(cmd, **kwargs)

    class WarmKernelManager(AsyncKernelManager):
        preload: tuple[str, ...] = ()
        launch: str | None = None

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if self.provisioner is None:  # ours, instead of the one the kernel spec names
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
                self.provisioner = WarmProvisioner(kernel_id=self.kernel_id,
                                                   kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return WarmKernelManager


# -- the server, a process of its own ------------------------------------------------------------
def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when the one that started or forked it dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG


def _kernel(sock: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the ipykernel the request describes; exit, never return."""
    try:
        sock.close()
        os.setsid()  # a kernel leads its own session, as jupyter_client starts it
        die_with_parent()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in ((0, os.open(os.devnull, os.O_RDONLY)), (1, fds[0]), (2, fds[1])):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"], JPY_PARENT_PID=str(os.getppid()))
        if "numpy" in sys.modules:  # or every kernel would draw the same random numbers
            sys.modules["numpy"].random.seed()
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]  # as ipykernel_launcher does
        importlib.import_module("ipykernel.kernelapp").launch_new_instance(
            argv=[*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        code = 1
        sys.excepthook(*sys.exc_info())
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def serve(fd: int) -> None:
    """Serve on socket ``fd`` until it closes. ``{"argv", "env", "cwd", "preload"}`` with two
    file descriptors (the kernel's stdout, stderr) imports ``preload``, forks a kernel, answers
    ``{"pid": n}``; ``{"wait": pid}`` answers ``{"returncode": n}`` once it exited, else null."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the renderer decides what Ctrl-C does
    sock, imported, exited = socket.socket(fileno=fd), set(), {}
    importlib.import_module("ipykernel.kernelapp")  # (with ipkernel, zmqshell and IPython)
    while True:
        message, fds = b"", []
        with contextlib.suppress(OSError):
            message, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 2)
        if not message:  # the client closed the socket (or died)
            break
        with contextlib.suppress(ChildProcessError):  # reap the kernels that have exited
            while (done := os.waitpid(-1, os.WNOHANG))[0]:
                exited[done[0]] = os.waitstatus_to_exitcode(done[1])
        try:
            request = json.loads(message)
            for name in [n for n in request.get("preload", ()) if n not in imported]:
                imported.add(name)  # (one that fails here fails in the kernel alike)
                with contextlib.suppress(Exception):
                    importlib.import_module(name)
            if "wait" in request:
                reply = {"returncode": exited.pop(request["wait"], None)}
            elif len(fds) != 2:
                reply = {"error": f"expected two file descriptors, got {len(fds)}"}
            elif (pid := os.fork()) == 0:
                _kernel(sock, request, fds)
            else:
                reply = {"pid": pid}
        except Exception as exc:  # noqa: BLE001 - a bad request is answered, not fatal
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        for fd_ in fds:
            os.close(fd_)
        sock.send(json.dumps(reply).encode())
    os._exit(0)

"""Warm kernels: the renderer's kernels are forked from a server that has already imported.

Each worker (a local pool process or a Dask worker) keeps one warm-kernel server
(:mod:`sco_research.reports.zygote`) for the environment its kernels run in: the Python, the data
folder, ``PYTHONPATH``, the matplotlib backend and the library's source. papermill starts each
report's kernel through :func:`manager_class`, a jupyter_client kernel manager whose provisioner
asks the server for a fork instead of starting ``python -m ipykernel_launcher`` from scratch. The
kernel is still a real ipykernel in its own process, talking to papermill over ZeroMQ; it only
skips the imports. A kernel that is not this Python's ipykernel, a server that fails, or
``SCO_RESEARCH_WARM_KERNELS=0`` fall back to the ordinary start.

Examples
--------
>>> enabled({"SCO_RESEARCH_WARM_KERNELS": "0"})
False
>>> enabled({})
True
>>> server_key({"SCO_RESEARCH_DATA": "/data", "PYTHONPATH": ""}, "abc")[1:]
('/data', '', 'module://matplotlib_inline.backend_inline', 'abc')
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from ..errors import RenderError
from .zygote import kernel_arguments

__all__ = ["WARM_ENV", "ForkedKernel", "KernelServer", "ZygoteError", "close_servers",
           "enabled", "launch_mode", "manager_class", "prestart", "server_key"]

#: Environment variable: ``0`` starts every kernel the ordinary way (no warm-kernel server).
WARM_ENV = "SCO_RESEARCH_WARM_KERNELS"
#: The backend ipykernel gives matplotlib when none is set (the pages need its inline figures).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Seconds to wait for a server's imports (its first kernel) and for a fork.
READY_TIMEOUT, FORK_TIMEOUT = 120.0, 20.0
#: Variables that differ per report; the server's own environment leaves them out.
PER_REPORT = ("SCO_RESEARCH_READ_LOG", "SCO_RESEARCH_TIMINGS", "JPY_PARENT_PID",
              "JPY_SESSION_NAME")

_SERVERS: dict[tuple, KernelServer] = {}
_LOCK = threading.Lock()
#: How each report's kernel started, by the report's read-log path: "warm" or "cold: why".
_LAUNCHES: dict[str, str] = {}


class ZygoteError(RenderError):
    """The warm-kernel server could not give a kernel (the renderer then starts one cold)."""


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether kernels are forked from a warm server (``SCO_RESEARCH_WARM_KERNELS`` not ``0``)."""
    env = os.environ if env is None else env
    return env.get(WARM_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def server_key(env: Mapping[str, str], library: str) -> tuple:
    """What a warm server's imports depend on; a kernel is forked only from a server whose key
    matches its own environment (``library`` is :func:`cache.library_digest`)."""
    return (sys.executable, env.get("SCO_RESEARCH_DATA", ""), env.get("PYTHONPATH", ""),
            env.get("MPLBACKEND") or INLINE_BACKEND, library)


class ForkedKernel:
    """A handle on a forked kernel process with the part of ``subprocess.Popen`` that
    jupyter_client's provisioner uses. The kernel is the server's child, not ours: its exit
    status is unknown, so :attr:`returncode` is ``-1`` once it is gone."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        import psutil

        self.pid = pid
        self.returncode: int | None = None
        try:
            self._proc: Any = psutil.Process(pid)
        except psutil.NoSuchProcess:
            self._proc, self.returncode = None, -1

    def poll(self) -> int | None:
        import psutil

        if self.returncode is None:
            try:
                gone = (not self._proc.is_running()
                        or self._proc.status() == psutil.STATUS_ZOMBIE)
            except psutil.NoSuchProcess:
                gone = True
            if gone:
                self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class KernelServer:
    """One warm-kernel server process and the socket to it.

    Parameters
    ----------
    env : mapping
        The server's environment (what its imports may read: the data folder, the backend).
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = f"from sco_research.reports.zygote import main; main({theirs.fileno()})"
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code], pass_fds=[theirs.fileno()], env=dict(env),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=os.path.dirname(sys.executable) or None)
        except BaseException:
            ours.close()  # no server: the caller starts the kernel the ordinary way
            raise
        finally:
            theirs.close()
        self.sock = ours
        self.info: dict | None = None
        self.lock = threading.Lock()

    def _receive(self, timeout: float) -> dict:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 16)
        except TimeoutError:
            raise ZygoteError(f"the warm-kernel server gave no answer within {timeout:g} s") \
                from None
        except OSError as exc:
            raise ZygoteError(f"the warm-kernel server is gone: {exc}") from None
        if not data:
            raise ZygoteError(f"the warm-kernel server exited ({self.proc.poll()})")
        return json.loads(data)

    def ready(self, timeout: float = READY_TIMEOUT) -> dict:
        """Wait until the server can fork kernels; return what it said (pid, seconds)."""
        if self.info is None:
            self.info = self._receive(timeout)
        return self.info

    def status(self) -> dict:
        """The server's warm-up: imports still ``pending``, those that ``failed``, and the
        ``seconds`` they took once done."""
        with self.lock:
            self.ready()
            try:
                self.sock.send(json.dumps({"status": True}).encode())
            except OSError as exc:
                raise ZygoteError(f"the warm-kernel server is gone: {exc}") from None
            return self._receive(FORK_TIMEOUT)

    def fork(self, argv: list[str], env: Mapping[str, str], cwd: str) -> ForkedKernel:
        """A new kernel process: ``ipykernel`` with ``argv``, in ``cwd``, with ``env``, writing
        to this process's current standard output and error."""
        with self.lock:
            self.ready()
            request = json.dumps({"argv": argv, "env": dict(env), "cwd": str(cwd)}).encode()
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            try:
                socket.send_fds(self.sock, [request], [1, 2])
            except OSError as exc:
                raise ZygoteError(f"the warm-kernel server is gone: {exc}") from None
            reply = self._receive(FORK_TIMEOUT)
        if "pid" not in reply:
            raise ZygoteError(f"the warm-kernel server refused: {reply.get('error')}")
        return ForkedKernel(int(reply["pid"]))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop the server (its running kernels die with it)."""
        with contextlib.suppress(OSError):
            self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _server_env(env: Mapping[str, str]) -> dict:
    out = {k: v for k, v in env.items() if k not in PER_REPORT}
    out["MPLBACKEND"] = env.get("MPLBACKEND") or INLINE_BACKEND
    return out


def _library() -> str:
    from .cache import library_digest

    return library_digest()


def server_for(env: Mapping[str, str]) -> KernelServer:
    """The warm server for kernels that run with ``env``; started (and older ones stopped) when
    none matches."""
    key = server_key(env, _library())
    with _LOCK:
        server = _SERVERS.get(key)
        if server is not None and not server.alive():
            _SERVERS.pop(key).close()
            server = None
        if server is None:
            for old in list(_SERVERS):  # another data folder or edited library: start afresh
                _SERVERS.pop(old).close()
            server = _SERVERS[key] = KernelServer(_server_env(env))
        return server


def prestart(env: Mapping[str, str] | None = None) -> None:
    """Start the warm server for ``env`` (default: this process's) now, so that its imports
    overlap with the worker's own start-up; a no-op when warm kernels are off."""
    env = dict(os.environ if env is None else env)
    env.pop("MPLBACKEND", None)  # kernels run with the inline backend (see execute.run_report)
    if enabled(env):
        with contextlib.suppress(Exception):
            server_for(env)


def close_servers() -> None:
    """Stop every warm server of this process."""
    with _LOCK:
        for key in list(_SERVERS):
            _SERVERS.pop(key).close()


def launch_mode(read_log: str) -> str:
    """How the kernel of the report logging reads to ``read_log`` started: ``"warm"``, or
    ``"cold: <why>"`` (popped: asked once per report)."""
    return _LAUNCHES.pop(str(read_log), "cold: started by another kernel manager")


@functools.cache
def manager_class() -> type:
    """The jupyter_client kernel manager class the renderer's papermill engine uses."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        """Forks the kernel from the warm server; starts it the ordinary way otherwise."""

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            env = dict(kwargs.get("env") or os.environ)
            log = env.get("SCO_RESEARCH_READ_LOG", "")
            argv = kernel_arguments(cmd)
            why = None
            if not enabled(env):
                why = f"{WARM_ENV}=0"
            elif argv is None or os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
                why = "not this Python's ipykernel"
            if why is None:
                cwd = str(kwargs.get("cwd") or os.getcwd())
                try:
                    process = server_for(env).fork(argv, env, cwd)
                except Exception as exc:  # noqa: BLE001 - any failure: start it cold
                    why = str(exc) if isinstance(exc, ZygoteError) \
                        else f"{type(exc).__name__}: {exc}"
                else:
                    self.process, self.pid, self.pgid, self.cwd = process, process.pid, \
                        process.pid, cwd
                    _LAUNCHES[log] = "warm"
                    return self.connection_info
            _LAUNCHES[log] = f"cold: {why}"
            return await super().launch_kernel(cmd, **kwargs)

    class WarmKernelManager(AsyncKernelManager):
        """An AsyncKernelManager whose kernels come from :class:`WarmProvisioner`."""

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = WarmProvisioner(kernel_id=self.kernel_id,
                                                   kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return WarmKernelManager

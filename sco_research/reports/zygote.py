"""The warm-kernel server: a process that has imported what reports use and forks kernels.

A fresh kernel spends most of a short report importing pandas, geopandas, matplotlib, Bokeh and
the library. The server pays that once: it imports them (:data:`WARM_MODULES`), and never runs
any report's code. For each report it forks a child that becomes an ordinary ipykernel with the
connection file, environment, working folder, standard output and error the renderer gives it.
Every report therefore starts from the same clean, just-imported state: whatever a report changes
(globals, ``matplotlib.rcParams``, a patched library function, ``sys.modules``) dies with its
kernel process.

The server talks to one client (:mod:`sco_research.reports.kernels`) over a Unix socket pair of
type ``SOCK_SEQPACKET``: one JSON message per request, with the two file descriptors the kernel
writes to passed alongside (``SCM_RIGHTS``). It exits when the client closes the socket or dies
(a parent-death signal), and its kernels die with it.

Run as ``python -c "from sco_research.reports.zygote import main; main(FD)"``; not imported by the
renderer itself.

Examples
--------
>>> "ipykernel.kernelapp" in WARM_MODULES and "sco_research" in WARM_MODULES
True
>>> kernel_arguments(["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"])
['-f', 'k.json']
>>> kernel_arguments(["R", "--slave"]) is None
True
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import signal
import socket
import sys
import time
import traceback

__all__ = ["FIRST", "WARM_MODULES", "kernel_arguments", "main"]

#: What the server imports before forking kernels: the kernel itself, the scientific stack the
#: notebooks use, and every module of the library (except the renderer, which kernels never use).
WARM_MODULES = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython",
    "numpy", "pandas", "matplotlib", "matplotlib.pyplot", "matplotlib.figure",
    "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
    "shapely", "pyproj", "pyogrio", "pyarrow.parquet", "geopandas",
    "bokeh.plotting", "bokeh.models", "bokeh.embed", "bokeh.resources",
    "sco_research",
)
#: Largest request (a kernel's environment is most of it).
MAX_MESSAGE = 1 << 20
_PR_SET_PDEATHSIG = 1


def kernel_arguments(cmd: list[str]) -> list[str] | None:
    """The ipykernel arguments of a kernel command, or ``None`` if it is not an ipykernel of
    this very Python (then the renderer starts the kernel the ordinary way)."""
    if len(cmd) >= 3 and list(cmd[1:3]) == ["-m", "ipykernel_launcher"]:
        return list(cmd[3:])
    return None


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the one that forked or started it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _library_modules() -> list[str]:
    """Every module of the library but the renderer and the command line."""
    import pkgutil

    import sco_research

    names = []
    for info in pkgutil.walk_packages(sco_research.__path__, "sco_research."):
        if info.name.startswith(("sco_research.reports", "sco_research.render",
                                 "sco_research.cli")):
            continue
        names.append(info.name)
    return names


#: Imported before the server says it is ready: enough to fork a working kernel.
FIRST = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell")


def _draw_once() -> None:
    """Draw one throwaway figure off pyplot, so that font lookups are cached."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, "warm-up 0123456789", fontweight="bold")
    fig.savefig(io.BytesIO(), format="png")


class _WarmUp:
    """The imports still to do, done one at a time between requests: a kernel asked for early
    is forked at once with what is imported so far, so a server is never slower than a cold
    start, and later kernels find everything imported."""

    def __init__(self) -> None:
        self.pending: list = [*WARM_MODULES, _library_modules, _draw_once]
        self.failed: list[str] = []
        self.started = time.perf_counter()
        self.seconds: float | None = None

    def step(self) -> None:
        item = self.pending.pop(0)
        try:
            if callable(item):
                result = item()
                if isinstance(result, list):  # the library's modules: import them next
                    self.pending[:0] = result
            else:
                importlib.import_module(item)
        except Exception:  # a module a report may not need; that kernel would fail the same way
            self.failed.append(item if isinstance(item, str) else item.__name__)
        if not self.pending:
            self.seconds = round(time.perf_counter() - self.started, 3)

    def status(self) -> dict:
        return {"pending": len(self.pending), "failed": self.failed, "seconds": self.seconds}


def _child(sock: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel the request describes. Never returns."""
    code = 1
    try:
        sock.close()
        os.setsid()  # a kernel leads its own session, as jupyter_client starts it
        _die_with_parent()
        if os.getppid() == 1:  # the server died before the line above
            os._exit(1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in fds:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # ipykernel watches this server
        numpy = sys.modules.get("numpy")
        if numpy is not None:  # forked children would share the server's random state
            numpy.random.seed()
        launcher = importlib.import_module("ipykernel.kernelapp")
        sys.argv = [os.path.join(os.path.dirname(os.path.dirname(launcher.__file__)),
                                 "ipykernel_launcher.py"), *request["argv"]]
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]  # as ipykernel_launcher does; IPython adds it back
        # As for a kernel started the ordinary way: it exits when its parent (this server)
        # goes, and says nothing about Ctrl-C to a terminal it has not got.
        launcher.launch_new_instance(
            argv=[*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _fork(sock: socket.socket, request: dict, fds: list[int]) -> dict:
    if len(fds) != 2:
        return {"error": f"expected two file descriptors, got {len(fds)}"}
    pid = os.fork()
    if pid == 0:
        _child(sock, request, fds)
    return {"pid": pid}


def main(fd: int) -> None:
    """Serve kernel requests on the socket ``fd`` until it closes.

    Requests are JSON objects: ``{"argv": [...], "env": {...}, "cwd": "..."}`` with two file
    descriptors (the kernel's standard output and error) forks a kernel and answers its
    ``pid``; ``{"status": true}`` answers how many imports are still to do.
    """
    import select

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the renderer decides what Ctrl-C does
    sock = socket.socket(fileno=fd)
    os.environ.pop("SCO_RESEARCH_READ_LOG", None)
    t = time.perf_counter()
    for name in FIRST:
        importlib.import_module(name)
    warm = _WarmUp()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished kernels are reaped by the system
    sock.send(json.dumps({"ready": True, "pid": os.getpid(),
                          "seconds": round(time.perf_counter() - t, 3)}).encode())
    while True:
        if warm.pending and not select.select([sock], [], [], 0)[0]:
            warm.step()
            continue
        try:
            message, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 2)
        except OSError:
            break
        if not message:  # the client closed the socket (or died)
            break
        try:
            request = json.loads(message)
            reply = warm.status() if request.get("status") else _fork(sock, request, fds)
        except (ValueError, AttributeError, KeyError) as exc:
            reply = {"error": f"bad request: {exc}"}
        for fd_ in fds:
            os.close(fd_)
        sock.send(json.dumps(reply).encode())
    os._exit(0)

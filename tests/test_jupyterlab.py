"""Every notebook in a real JupyterLab, as a reader would run it: open it, Run All, read it.

One ``jupyter lab`` server for the module, on loopback, on a free port, without a token, with
throw-away config, data, runtime, settings and workspace folders. Chromium (through Playwright)
opens a copy of each notebook, runs it with the "Run All Cells" menu item and waits until every
cell has run and the kernel is idle. Then, for that notebook:

- no cell has an error output, and nothing was written to stderr;
- no cell echoes a return value (no ``execute_result``: a ``publish_*`` call shows what it
  publishes and nothing else);
- every published figure is visible and fits the notebook's width;
- no table of more than 30 rows is shown open (long tables are folded under ``<details>``);
- notebook 02's explorer starts, and its buttons move the day, as on the page.

A screenshot of each notebook goes to the test's temporary folder, and also to the folder named
by ``SCO_RESEARCH_SHOTS`` when that is set, to look at. At the end the kernels and the server
are shut down, and the test checks that none of their processes is left.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sco_research import paths
from tests.browser import chromium_path

NOTEBOOKS = sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb"))
#: A table with more rows than this must not be shown open.
MAX_OPEN_ROWS = 30
#: Generous budgets (seconds): the machine may be busy; a wait ends as soon as its event comes.
START_BUDGET = 120
RUN_BUDGET = 600

# Settings a new user would click away: no news or update checks (they would reach the
# network), and every cell rendered (no windowing), so that the whole notebook can be read.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str, method: str = "GET") -> object:
    req = urllib.request.Request(f"{base}{path}", method=method)
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid`` (read from /proc)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


class Lab:
    """A running JupyterLab: its address, process, folder and log."""

    def __init__(self, root: Path, port: int, proc: subprocess.Popen, log: Path) -> None:
        self.root, self.port, self.proc, self.log = root, port, proc, log
        self.base = f"http://127.0.0.1:{port}"
        self.pids: set[int] = set()  # every kernel process seen, checked at the end

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server for every notebook; stopped, with its kernels, at the end."""
    pytest.importorskip("jupyterlab")
    root = tmp_path_factory.mktemp("lab")
    work = root / "notebooks"
    work.mkdir()
    for name in NOTEBOOKS:  # a copy: running and autosaving never touch the committed files
        shutil.copy(paths.NOTEBOOKS_DIR / name, work / name)
    env = dict(os.environ)
    for var, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                        ("JUPYTER_RUNTIME_DIR", "runtime"),
                        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
        (root / folder).mkdir()
        env[var] = str(root / folder)
    for rel, values in SETTINGS.items():
        target = root / "settings" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    env.pop("MPLBACKEND", None)  # the kernel uses JupyterLab's own (inline) backend
    port = _free_port()
    cmd = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser",
           "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
           "--IdentityProvider.token=", "--ServerApp.password=",
           f"--ServerApp.root_dir={work}", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = root / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Lab(work, port, proc, log)
    try:
        deadline = time.monotonic() + START_BUDGET
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                _api(server.base, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer in {START_BUDGET} s:\n"
                                f"{server.log_tail()}")
                time.sleep(0.25)
        yield server
    finally:
        _stop(server)


def _stop(server: Lab) -> None:
    """Shut the kernels down, then the server; fail if any of their processes is left."""
    proc = server.proc
    if proc.poll() is None:
        server.pids |= _children(proc.pid)
        try:
            for kernel in _api(server.base, "/api/kernels") or []:
                _api(server.base, f"/api/kernels/{kernel['id']}", method="DELETE")
            _api(server.base, "/api/shutdown", method="POST")
        except (urllib.error.URLError, OSError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in server.pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = sorted(p for p in server.pids if _alive(p))
    for pid in left:  # only the processes this test started
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes left after the server stopped: {left}"


@pytest.fixture(scope="module")
def chromium(lab):
    """Headless Chromium that may reach the lab server only."""
    sync_api = pytest.importorskip("playwright.sync_api")
    exe = chromium_path()
    if exe is None:
        pytest.skip("no Chromium; install Debian's 'chromium' package")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def _screenshots(page, name: str, tmp_path: Path) -> None:
    """The notebook from its top, then one screen further down at a time, up to four screens."""
    scroller = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
    page.eval_on_selector(scroller, "el => { el.scrollTop = 0; }")
    shots = os.environ.get("SCO_RESEARCH_SHOTS")
    for i in range(4):
        target = tmp_path / f"lab-{name}-{i}.png"
        page.screenshot(path=str(target))
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            shutil.copy(target, Path(shots) / target.name)
        moved = page.eval_on_selector(scroller, "el => { const before = el.scrollTop;"
                                      " el.scrollTop += el.clientHeight * 0.9;"
                                      " return el.scrollTop !== before; }")
        if not moved:
            break


# What the notebook holds once run, read from JupyterLab's own model of it.
MODEL = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.sharedModel.cells.map(c => c.toJSON());
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {
    kernel: kernel ? kernel.status : null,
    pending: cells.filter(c => c.cell_type === 'code' && c.execution_count === null).length,
    running: [...panel.node.querySelectorAll('.jp-InputPrompt')]
      .filter(p => p.textContent.includes('*')).length,
    outputs: cells.filter(c => c.cell_type === 'code').flatMap((c, i) => (c.outputs || [])
      .map(o => ({cell: i, type: o.output_type, name: o.name || null,
                  text: (o.text || o.evalue || JSON.stringify(o.data || {})).slice(0, 300),
                  record: (o.metadata || {}).sco_research || null}))),
  };
}"""

# Each published figure as shown: its size, and the width the notebook gives it.
FIGURES = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) '
    + '.jp-OutputArea-output[data-mime-type="image/png"] img')].map(img => {
  const area = img.closest('.jp-OutputArea-output').getBoundingClientRect();
  const box = img.getBoundingClientRect();
  return {alt: img.alt, natural: img.naturalWidth, width: box.width, height: box.height,
          room: area.width, shown: img.checkVisibility()};
})"""

# Every table in the outputs that a reader sees open, with its number of body rows.
TABLES = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) '
    + '.jp-OutputArea-output table')]
  .filter(t => t.checkVisibility())
  .map(t => ({rows: t.querySelectorAll('tbody tr').length,
              head: t.querySelector('thead') ? t.querySelector('thead').innerText : ''}))"""


def _run_all(page, lab: Lab, name: str):
    """Open ``name``, run all its cells from the Run menu, wait until done; return the model."""
    # A workspace of its own: no tab (and no kernel) of an earlier notebook is restored.
    workspace = name.removesuffix(".ipynb")
    page.goto(f"{lab.base}/lab/workspaces/{workspace}/tree/{name}", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
        " === 'idle'", timeout=START_BUDGET * 1000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(
        "() => { const p = window.jupyterapp.shell.currentWidget;"
        " const cells = p.content.model.sharedModel.cells.map(c => c.toJSON());"
        " return cells.every(c => c.cell_type !== 'code' || c.execution_count !== null)"
        " && ![...p.node.querySelectorAll('.jp-InputPrompt')]"
        "     .some(x => x.textContent.includes('*'))"
        " && p.sessionContext.session.kernel.status === 'idle'; }",
        timeout=RUN_BUDGET * 1000, polling=250)
    page.wait_for_load_state("load")
    return page.evaluate(MODEL)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_reads_well_in_jupyterlab(lab, chromium, tmp_path, name):
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    leaving: list[str] = []

    def route(r):
        if r.request.url.startswith(lab.base):
            r.continue_()
        else:
            leaving.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        model = _run_all(page, lab, name)
        lab.pids |= _children(lab.proc.pid)
        assert len(_api(lab.base, "/api/kernels")) == 1, f"{name}: more kernels than notebooks"
        outputs = model["outputs"]
        failed = [o for o in outputs if o["type"] == "error"
                  or (o["type"] == "stream" and o["name"] == "stderr")]
        assert failed == [], f"{name}: error output: {failed}"
        echoed = [o for o in outputs if o["type"] == "execute_result"]
        assert echoed == [], f"{name}: a cell echoes its return value: {echoed}"
        published = [o["record"] for o in outputs if (o["record"] or {}).get("kind") == "figure"]
        figures = page.evaluate(FIGURES)
        assert len(figures) == len(published) > 0 or not published, (name, figures, published)
        for fig in figures:
            assert fig["shown"] and fig["natural"] > 0 and fig["height"] > 0, (name, fig)
            assert fig["width"] <= fig["room"] + 1, f"{name}: figure wider than the notebook"
        tables = page.evaluate(TABLES)
        kept = [o["record"] for o in outputs if (o["record"] or {}).get("kind") == "table"]
        blocks = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sco-table-block")
        assert blocks.count() == len(kept), f"{name}: a published table is not shown compactly"
        too_long = [t for t in tables if t["rows"] > MAX_OPEN_ROWS]
        assert too_long == [], f"{name}: tables of more than {MAX_OPEN_ROWS} rows shown open"
        if name.startswith("02-"):
            _explorer_works(page)
        _screenshots(page, name.removesuffix(".ipynb"), tmp_path)
        assert errors == [], f"{name}: errors in the page: {errors}"
        assert leaving == [], f"{name}: requests off the machine: {leaving}"
    finally:
        try:
            page.evaluate("() => window.jupyterapp.shell.currentWidget"
                          ".sessionContext.shutdown()")
        except Exception:  # noqa: BLE001 - the kernel is shut down with the server anyway
            pass
        context.close()


def _explorer_works(page) -> None:
    """The explorer in notebook 02's output starts, and stepping moves its day."""
    root = page.locator(".sco-explorer").first
    root.scroll_into_view_if_needed()
    page.wait_for_selector(".sco-explorer[data-ready=true]", timeout=60_000)
    uid = root.get_attribute("id")
    day = root.get_attribute("data-day")
    page.click(f"#{uid}-prev")
    page.wait_for_function(f"document.getElementById('{uid}').dataset.day !== '{day}'")
    assert page.locator(f"#{uid}-summary").inner_text().strip()
    assert page.locator(f"#{uid}-map canvas").first.is_visible()

"""The project's own promises: dependency lists in sync with the lock, clean notebooks, a cheap
import, no network in tests."""

import json
import re
import subprocess
import sys

import pytest
import tomllib
import yaml

from sco_research import paths

ROOT = paths.PROJECT_ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r): r for r in project["dependencies"]}
    wanted.update({_name(r): r for r in project["optional-dependencies"]["dev"]})
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d): d for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    assert set(conda) == set(wanted)
    for name, req in wanted.items():
        spec = req[len(name):].strip()
        assert conda[name].replace(" ", "")[len(name):] == spec.replace(" ", ""), name
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert pip == ["-e ."]


def test_notebooks_are_committed_clean_with_a_parameters_cell_first():
    notebooks = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), path
        first = code[0]
        assert "parameters" in first["metadata"].get("tags", []), path
        lines = [ln for ln in "".join(first["source"]).splitlines() if ln.strip()]
        assert all("#" in ln for ln in lines), f"{path}: every parameter needs a comment"


def test_import_is_cheap_and_lazy():
    code = ("import sys, sco_research; heavy = {'matplotlib', 'geopandas', 'papermill', "
            "'frictionless', 'pandera', 'nbconvert', 'shapely'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_gitignore_covers_generated_output():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".venv/", "reports/", "__pycache__/"):
        assert entry in ignored


def test_makefile_targets_have_help():
    text = (ROOT / "Makefile").read_text()
    for target in ("install", "lock", "report", "test", "lab", "validate", "lint", "bench"):
        assert re.search(rf"^{target}:.*## \S", text, re.M), target


@pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")
def test_tests_cannot_reach_the_network_but_loopback_works(pytestconfig):
    """pyproject's addopts block every socket connection except to loopback, for every test."""
    import socket

    from pytest_socket import SocketConnectBlockedError

    assert pytestconfig.getoption("allow_hosts") == "127.0.0.1,::1"
    with pytest.raises(SocketConnectBlockedError, match=r'host "192\.0\.2\.1"'):
        socket.create_connection(("192.0.2.1", 80), timeout=5)  # TEST-NET-1, never routed
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            assert client.getpeername() == ("127.0.0.1", port)


# -- the lock file: `make lock` writes it from pyproject.toml, `make install` installs from it ----

LOCK = ROOT / "requirements.lock"
STALE = "requirements.lock is out of date with pyproject.toml: run `make lock`"


def _direct_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def _lock() -> tuple[dict[str, list[str]], set[str]]:
    """``{name: [pinned versions]}`` and the names the lock marks as pyproject's own."""
    pins: dict[str, list[str]] = {}
    direct: set[str] = set()
    current = None
    for line in LOCK.read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            spec = line.split(";")[0].strip()
            name, _, version = spec.partition("==")
            assert version, f"requirements.lock: not pinned with '==': {line!r}"
            current = _name(name)
            pins.setdefault(current, []).append(version.strip())
        elif "sco-research (pyproject.toml)" in line and current:
            direct.add(current)
    return pins, direct


def test_lock_pins_every_direct_dependency_in_a_version_pyproject_allows():
    from packaging.requirements import Requirement

    pins, direct = _lock()
    for req in map(Requirement, _direct_requirements()):
        name = _name(req.name)
        assert name in pins, f"{STALE} ({name} is not pinned)"
        assert any(req.specifier.contains(v, prereleases=True) for v in pins[name]), (
            f"{STALE} ({name}: pinned {pins[name]} but pyproject asks {req.specifier})")
    assert direct == {_name(r) for r in _direct_requirements()}, STALE
    assert "make lock" in LOCK.read_text().splitlines()[1]


def test_lock_covers_environment_yml():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pins, _ = _lock()
    assert names <= set(pins), f"{STALE}: {sorted(names - set(pins))}"


def _dry_run(*args: str) -> str:
    return subprocess.run(["make", "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_make_install_uses_the_lock_and_make_lock_writes_it_from_pyproject():
    install = _dry_run("install")
    assert "python3 -m venv" in install
    assert re.search(r"pip install .*-r requirements\.lock", install)
    assert re.search(r"pip install .*--no-deps -e \.", install)
    lock = _dry_run("lock")
    assert re.search(r"uv pip compile pyproject\.toml --extra cluster --extra dev .*"
                     r"-o requirements\.lock", lock.replace("\\\n", " "))


def test_distributed_is_the_optional_cluster_extra_and_the_tests_get_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert "distributed" not in {_name(r) for r in project["dependencies"]}
    assert [_name(r) for r in extras["cluster"]] == ["distributed"]
    assert set(extras["cluster"]) <= set(extras["dev"])  # make install / make test have it
    demo = _dry_run("cluster-demo")
    assert "pip install --quiet -e '.[cluster]'" in demo


def test_every_base_dependency_is_imported_by_the_package():
    """No base dependency that nothing imports (pyarrow: pandas and geopandas read parquet with
    it; nbconvert: the README's `jupyter nbconvert` command; ipykernel: the kernel papermill
    starts). A doctest's import counts."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    modules = {"pyyaml": "yaml", "adjusttext": "adjustText", "markdown-it-py": "markdown_it"}
    needed_without_import = {"pyarrow", "nbconvert", "ipykernel"}
    code = "\n".join(p.read_text(encoding="utf-8") for p in paths.PACKAGE_DIR.rglob("*.py"))
    for name in {_name(r) for r in project["dependencies"]} - needed_without_import:
        module = modules.get(name, name.replace("-", "_"))
        assert re.search(rf"^\s*(>>> )?(import|from) {re.escape(module)}\b", code, re.M), name


def test_make_lab_allows_root_only_for_root():
    root = _dry_run("lab", "USER_ID=0")
    user = _dry_run("lab", "USER_ID=1000")
    assert re.search(r"jupyter lab --allow-root notebooks/", root)
    assert re.search(r"jupyter lab +notebooks/", user) and "--allow-root" not in user


def test_every_file_the_package_reads_ships_in_the_wheel():
    """Each non-Python file under ``sco_research/`` (templates, CSS, scripts) matches a
    ``package-data`` pattern of its package, so the wheel carries it."""
    from fnmatch import fnmatch

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    files = [p for p in paths.PACKAGE_DIR.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert any(p.parent.name == "templates" for p in files)
    missing = []
    for f in files:
        shipped = False
        for package, patterns in data.items():
            base = ROOT.joinpath(*package.split("."))
            if base in f.parents and any(fnmatch(f.relative_to(base).as_posix(), pat)
                                         for pat in patterns):
                shipped = True
        if not shipped:
            missing.append(f.relative_to(ROOT).as_posix())
    assert missing == []

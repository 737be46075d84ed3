"""What a notebook's code will import: read from its cells, followed through the library."""

from __future__ import annotations

import nbformat
import pytest

from sco_research import paths
from sco_research.reports.imports import notebook_imports


def _cells(*sources: str) -> list[dict]:
    return [{"cell_type": "code", "source": s} for s in sources]


def test_plain_imports_give_their_modules_and_magics_are_skipped():
    found = notebook_imports([*_cells("import json, xml.dom as dom", "%matplotlib inline",
                                      "from collections import abc"),
                              {"cell_type": "markdown", "source": "import wave"}])
    assert found == ("collections", "json", "xml.dom")


def test_a_name_of_the_package_is_resolved_to_the_module_that_defines_it():
    # sco.load is exported lazily from sco_research.data; sco.maps is a submodule; names
    # imported from the package resolve the same way, across cells.
    found = set(notebook_imports(_cells("import sco_research as sco", "sco.load('claims')",
                                        "from sco_research import maps, sources_for")))
    assert {"sco_research.data", "sco_research.maps", "sco_research.citations"} <= found
    # and each library module brings what it imports: pandas with the data, matplotlib with maps
    assert {"pandas", "matplotlib", "geopandas"} <= found


def test_a_library_modules_own_function_imports_of_the_library_are_not_followed():
    # data.validate imports the Frictionless checks inside the function: loading the data
    # never imports frictionless, so neither does the server.
    found = notebook_imports(_cells("import sco_research as sco\nsco.load('claims')"))
    assert "sco_research.data" in found
    assert "frictionless" not in found and "sco_research._schema" not in found
    assert not [m for m in found if m.startswith(("sco_research.reports", "sco_research.cli"))]


@pytest.mark.parametrize("name", sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")))
def test_every_notebook_preloads_pandas_and_matplotlib_through_the_library(name):
    nb = nbformat.read(str(paths.NOTEBOOKS_DIR / name), as_version=4)
    found = notebook_imports(nb.cells)
    assert {"pandas", "matplotlib", "sco_research.publish"} <= set(found), found
    assert found.index("sco_research") > found.index("pandas")  # the library comes last

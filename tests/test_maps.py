"""Maps: bundled geometries, what each map draws, bad arguments, notebooks.

Figures are checked by their content: the states drawn in each status colour (every state is an
artist with gid ``country-<ISO3>``), the legend entries and counts, the title, the source line.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import sco_research as sco  # noqa: E402
from sco_research import maps, paths  # noqa: E402
from sco_research._plotting import STATUS_COLORS, STATUS_LABELS  # noqa: E402
from sco_research.errors import ParameterError  # noqa: E402

from .conftest import NOTEBOOKS, run_notebook  # noqa: E402

COLOR_STATUS = {to_hex(c): s for s, c in STATUS_COLORS.items()}
DATES = ["2001-06-15", "2005-07-05", "2017-06-09", "2023-07-15", "2024-07-04", "2025-09-01",
         "today"]


def drawn_by_colour(ax) -> dict[str, set[str]]:
    """ISO codes of the states drawn in each status colour (patches and dots)."""
    out: dict[str, set[str]] = {}
    for art in [*ax.patches, *ax.collections]:
        gid = art.get_gid() or ""
        if not gid.startswith("country-"):
            continue
        fc = art.get_facecolor()
        fc = fc[0] if getattr(fc, "ndim", 1) == 2 else fc
        out.setdefault(COLOR_STATUS[to_hex(fc)], set()).add(gid.removeprefix("country-"))
    return out


def expected_by_status(day) -> dict[str, set[str]]:
    m = sco.membership_as_of(day)
    return {str(s): set(g["iso3"]) for s, g in m.groupby("status", observed=True)}


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def long_date(day: pd.Timestamp) -> str:
    return f"{day.day} {day:%B %Y}"


# -- the map ----------------------------------------------------------------------------------


@pytest.mark.parametrize("date", DATES)
def test_states_drawn_per_status_match_membership(date):
    fig = maps.membership_map(date)
    ax = fig.axes[0]
    day = sco._checks.parse_date("as_of", date)
    expected = expected_by_status(day)
    assert drawn_by_colour(ax) == expected
    rows = maps.membership_map_rows(date)
    assert {str(s): set(g["iso3"]) for s, g in rows.groupby("status", observed=True)} == expected
    assert len(rows) == len(sco.membership_as_of(day))
    # Legend: one entry per status held that day, with its count, in STATUSES order.
    counts = [f"{STATUS_LABELS[s]} ({len(expected[s])})" for s in sco.STATUSES if s in expected]
    assert legend_texts(ax)[: len(counts)] == counts
    assert ax.get_title(loc="left") == f"The SCO on {long_date(day)}"


def test_source_line_cites_the_rows_drawn_and_names_the_borders():
    fig = maps.membership_map("2024-07-04")
    ids = sco.membership_as_of("2024-07-04")["source_id"].unique()
    text = next(t.get_text() for t in fig.texts if "Natural Earth" in t.get_text())
    assert sco.source_line(ids, width=170) in text
    assert "Natural Earth 1:10m v5.1.1" in text and "German point-of-view" in text
    assert "Kashmir" in text and "Crimea" in text
    assert not [k for k in vars(fig) if k.startswith("_sco")]  # nothing hidden on the figure


def test_a_map_past_the_record_says_its_statuses_are_not_confirmed():
    through = sco.freshness.recorded_through("membership")
    words = f"Statuses after {long_date(through)} are not confirmed"
    today = maps.membership_map("today")
    within = maps.membership_map(through)
    try:
        assert any(words in t.get_text() for t in today.texts)
        assert not any("not confirmed" in t.get_text() for t in within.texts)
    finally:
        plt.close(today)
        plt.close(within)


def test_newly_joined_states_are_outlined():
    fig = maps.membership_map("2024-07-04")
    rows = maps.membership_map_rows("2024-07-04")
    assert list(rows.loc[rows["new"], "iso3"]) == ["BLR"]
    outlines = {a.get_gid() for a in fig.axes[0].patches}
    assert "outline-BLR" in outlines
    assert "Joined 4 Jul 2024" in legend_texts(fig.axes[0])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.endswith("Outlined: joined on 4 July 2024 (Belarus)") for t in texts)


def test_a_renamed_status_is_not_a_new_arrival():
    # On 2025-09-01 observers and dialogue partners became partners; only Laos joined.
    rows = maps.membership_map_rows("2025-09-01")
    assert list(rows.loc[rows["new"], "iso3"]) == ["LAO"]
    later = maps.membership_map_rows("2026-01-01")
    assert list(later.loc[later["new"], "iso3"]) == ["LAO"]
    assert set(later.loc[later["new"], "joined_on"]) == {pd.Timestamp("2025-09-01")}


def test_tiny_states_are_dots_and_labelled():
    fig = maps.membership_map("2023-07-15")
    ax = fig.axes[0]
    dots = {c.get_gid() for c in ax.collections}
    assert {"country-BHR", "country-MDV"} <= dots
    rows = maps.membership_map_rows("2023-07-15")
    assert {f"country-{i}" for i in rows.loc[rows["drawn_as"] == "dot", "iso3"]} == {
        g for g in dots if g and g.startswith("country-")}
    assert {"label-BHR", "label-MDV"} <= {t.get_gid() for t in ax.texts}
    assert "Small state" in legend_texts(ax)


def test_highlight_statuses_labels_and_extents():
    fig = maps.membership_map("2023-07-15", extent="world", highlight=["USA", "IND"])
    ax = fig.axes[0]
    assert {"outline-USA", "outline-IND"} <= {a.get_gid() for a in ax.patches}
    assert "Highlighted" in legend_texts(ax)

    fig = maps.membership_map("2017-06-09", statuses=["member"], labels=False)
    ax = fig.axes[0]
    assert drawn_by_colour(ax) == {"member": expected_by_status("2017-06-09")["member"]}
    assert legend_texts(ax)[0] == "Member (8)"
    assert not [t for t in ax.texts if (t.get_gid() or "").startswith("label-")]

    fig = maps.membership_map("2024-07-04", extent="central_asia")
    assert drawn_by_colour(fig.axes[0])["member"] == expected_by_status("2024-07-04")["member"]


def test_draws_into_given_axes():
    fig, ax = plt.subplots(figsize=(6, 5))
    out = maps.membership_map("2017-06-09", ax=ax)
    assert out is fig
    assert drawn_by_colour(ax) == expected_by_status("2017-06-09")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"highlight": ["INDD"]},
         r"highlight: unknown ISO 3166-1 alpha-3 code 'INDD'; did you mean 'IND'\? Allowed: "),
        ({"highlight": "ind"}, r"highlight: unknown ISO 3166-1 alpha-3 code 'ind'; did you "
                               r"mean 'IND'\?"),
        ({"extent": "europe"},
         r"extent: unknown extent 'europe'\. Allowed: 'eurasia', 'central_asia', 'world'"),
        ({"extent": "eurasa"}, r"extent: unknown extent 'eurasa'; did you mean 'eurasia'\?"),
        ({"statuses": ["members"]},
         r"statuses: unknown status 'members'; did you mean 'member'\? Allowed: 'member', "
         r"'observer', 'dialogue_partner', 'partner'"),
        ({"as_of": "2001-06-14"},
         r"as_of: '2001-06-14' is before the SCO was founded \(2001-06-15\)"),
        ({"as_of": "15/06/2001"}, r"as_of: cannot read '15/06/2001' as a date"),
    ],
)
def test_bad_arguments(kwargs, pattern):
    with pytest.raises(ParameterError, match=pattern):
        maps.membership_map(**kwargs)


def test_bad_arguments_elsewhere():
    with pytest.raises(ParameterError, match=r"dates: '2000-01-01' is before the SCO was"):
        maps.expansion_panels(["2000-01-01"])
    with pytest.raises(ParameterError, match=r"dates: got an empty list"):
        maps.expansion_panels([])
    with pytest.raises(ParameterError, match=r"extent: unknown extent 'asia'"):
        maps.expansion_panels(extent="asia")
    with pytest.raises(ParameterError, match=r"highlight: unknown ISO 3166-1 alpha-3 code 'XXX'"):
        maps.membership_map_rows(highlight=["XXX"])
    with pytest.raises(ParameterError, match=r"dates: got 10 dates; at most 9 panels fit"):
        maps.expansion_panels_rows([f"201{i}-01-01" for i in range(10)])


# -- small multiples --------------------------------------------------------------------------


def test_expansion_panels_show_each_enlargement():
    dates = maps.enlargement_dates()
    assert [d.year for d in dates][:4] == [2001, 2017, 2023, 2024]
    assert pd.Timestamp("2025-09-01") in dates
    fig = maps.expansion_panels()
    rows = maps.expansion_panels_rows()
    assert rows["panel"].nunique() == len(dates)
    for i, (ax, day) in enumerate(zip(fig.axes, dates, strict=False)):
        assert ax.get_title(loc="left") == long_date(day)
        assert drawn_by_colour(ax) == expected_by_status(day)
        panel = rows[rows["panel"] == i]
        assert {str(s): set(g["iso3"]) for s, g in panel.groupby("status", observed=True)} \
            == expected_by_status(day)
    new = [sorted(rows.loc[(rows["panel"] == i) & rows["new"], "iso3"]) for i in range(1, 4)]
    assert new == [["IND", "PAK"], ["IRN"], ["BLR"]]
    assert any("Natural Earth" in t.get_text() for t in fig.texts)


# -- notebooks --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["02-membership-map.ipynb", "03-membership-timeline.ipynb"])
def test_notebooks_are_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_map_notebook_with_defaults(tmp_path):
    nb = run_notebook("02-membership-map.ipynb", tmp_path)
    from sco_research.publish import TABLE_MIME

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    table = next(o["data"][TABLE_MIME] for o in outputs if TABLE_MIME in o.get("data", {}))
    assert "iso3" in table["columns"]
    countries = {row[table["columns"].index("country")] for row in table["data"]}
    assert {"Laos", "China"} <= countries
    assert outputs[-1]["metadata"]["sco_research"]["kind"] == "interactive"  # the explorer


def test_map_notebook_with_parameters_saves_png_and_svg(tmp_path):
    out = tmp_path / "figs"
    run_notebook("02-membership-map.ipynb", tmp_path, as_of="2017-06-09",
                 extent="central_asia", highlight=["IND", "PAK"], labels=False,
                 output_dir=str(out))
    stem = "sco-membership-2017-06-09-central_asia"
    assert (out / f"{stem}.png").stat().st_size > 10_000
    svg = (out / f"{stem}.svg").read_text(encoding="utf-8")
    assert 'id="country-IND"' in svg and 'id="outline-PAK"' in svg


def test_map_notebook_rejects_a_bad_parameter(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match=r"before the SCO was founded"):
        run_notebook("02-membership-map.ipynb", tmp_path, as_of="1999-01-01")


def test_timeline_notebook_with_defaults_and_parameters(tmp_path):
    run_notebook("03-membership-timeline.ipynb", tmp_path)
    out = tmp_path / "figs"
    run_notebook("03-membership-timeline.ipynb", tmp_path, dates=["2001-06-15", "2024-07-04"],
                 end="2024-12-31", output_dir=str(out))
    for stem in ("sco-expansion-panels", "sco-membership-timeline"):
        assert (out / f"{stem}.png").exists() and (out / f"{stem}.svg").exists()


# -- image comparison against committed baselines (stable dates only, never "today") --------
# After an intended change of the drawing or the data, regenerate with
#   SCO_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/test_maps.py -k baseline
BASELINES = {
    "membership-map-2017-06-09.png": (
        lambda: maps.membership_map("2017-06-09", highlight=["IND", "PAK"]), 60),
    "expansion-panels.png": (lambda: maps.expansion_panels(), 50),
}


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_figure_matches_its_baseline_image(name, tmp_path):
    import os

    from matplotlib.testing.compare import compare_images

    draw, dpi = BASELINES[name]
    baseline = paths.PROJECT_ROOT / "tests" / "baseline" / name
    fig = draw()
    if os.environ.get("SCO_UPDATE_BASELINES"):
        fig.savefig(baseline, dpi=dpi)
    actual = tmp_path / name
    fig.savefig(actual, dpi=dpi)
    diff = compare_images(str(baseline), str(actual), tol=5)
    assert diff is None, diff

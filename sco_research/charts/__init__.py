"""Every chart of the package: the theme charts (the article's claims next to cited figures), the
article's own charts, the fact check's and the sources'.

Every theme chart comes with a row function that returns exactly the rows it draws, each with its
``source_id``, publisher and ``url``: :func:`trade_rows` for :func:`trade_chart`,
:func:`energy_rows`, :func:`settlement_currency_rows`, :func:`export_settlement_mix_rows`,
:func:`reserve_and_payment_shares_rows`, :func:`sanctions_timeline_rows` and
:func:`membership_timeline_rows`. The rows of the dated events a chart marks (the invasion, the
first SWIFT cut-offs and reserve freeze, SCO summits) come last, with ``table='events'`` and
``role='event marker'``.

Each chart carries a title stating the finding, computed from those rows (comparing figures for
periods of the same length from sources of the same tier); axes labelled with units, never two
units on one axis; the article's claim as a short callout; and a source line.

Where two sources give different figures for the same thing, both are plotted: the main one
(the more primary source, then the later publication) on the line, the others as hollow
markers joined to it by a dotted stroke.

The package is split by job: ``_frames`` (rows: periods, units, source ranking, event rows),
``_text`` (words and numbers), ``_layout`` (panels, event markers, labels, titles), one module
per theme (``trade``, ``energy``, ``currency``, ``settlement_mix``, ``sanctions``,
``membership_timeline``), ``figures`` (the figures of a report with their rows), and the charts of
the article (``article``: claims per theme, the events timeline), of the fact check
(``verdicts``) and of the bibliography (``sources``), each with its row function.

matplotlib is imported here, never by ``import sco_research``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from sco_research import charts
>>> rows = charts.trade_rows(("CHN", "IND"), start="2013-01-01", end="2025-12-31")
>>> {"source_id", "url", "value", "unit", "plotted_value", "role"} <= set(rows.columns)
True
>>> fig = charts.trade_chart(("CHN", "IND"), start="2013-01-01", end="2025-12-31")
>>> plt.close(fig)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pandas as pd
from matplotlib.figure import Figure

from .._checks import check_choice
from ..errors import ParameterError
from . import currency, energy, sanctions, settlement_mix, trade
from ._frames import MARKER_ROLE, check_window
from .article import (
    claims_per_theme_chart,
    claims_per_theme_rows,
    draw_claims_per_theme,
    draw_events_timeline,
    events_timeline_chart,
    events_timeline_rows,
)
from .currency import (
    INDICATORS,
    SETTLEMENT_INDICATORS,
    SHARE_INDICATORS,
    check_indicators,
    reserve_and_payment_shares_chart,
    reserve_and_payment_shares_rows,
    settlement_currency_chart,
    settlement_currency_rows,
)
from .energy import energy_chart, energy_rows
from .figures import (
    ChartFigure,
    check_currency_figures,
    check_trade_figures,
    currency_figures,
    trade_figures,
)
from .membership_timeline import membership_timeline_chart, membership_timeline_rows
from .sanctions import sanctions_timeline_chart, sanctions_timeline_rows
from .settlement_mix import export_settlement_mix_chart, export_settlement_mix_rows
from .sources import sources_chart, sources_chart_rows
from .trade import TRADE_FLOWS, trade_chart, trade_rows
from .verdicts import draw_verdicts_per_theme, verdicts_per_theme_chart, verdicts_per_theme_rows

__all__ = [
    "CHARTS",
    "INDICATORS",
    "ROWS",
    "SETTLEMENT_INDICATORS",
    "SHARE_INDICATORS",
    "TRADE_FLOWS",
    "ChartFigure",
    "chart_figure",
    "chart_rows",
    "check_currency_figures",
    "check_indicators",
    "check_trade_figures",
    "check_window",
    "claims_per_theme_chart",
    "claims_per_theme_rows",
    "currency_figures",
    "draw_claims_per_theme",
    "draw_events_timeline",
    "draw_verdicts_per_theme",
    "energy_chart",
    "energy_rows",
    "events_timeline_chart",
    "events_timeline_rows",
    "export_settlement_mix_chart",
    "export_settlement_mix_rows",
    "membership_timeline_chart",
    "membership_timeline_rows",
    "reserve_and_payment_shares_chart",
    "reserve_and_payment_shares_rows",
    "sanctions_timeline_chart",
    "sanctions_timeline_rows",
    "settlement_currency_chart",
    "settlement_currency_rows",
    "sources_chart",
    "sources_chart_rows",
    "trade_chart",
    "trade_figures",
    "trade_rows",
    "verdicts_per_theme_chart",
    "verdicts_per_theme_rows",
]

#: Chart functions by name.
CHARTS: dict[str, Callable[..., Figure]] = {
    "trade_chart": trade_chart,
    "energy_chart": energy_chart,
    "settlement_currency_chart": settlement_currency_chart,
    "export_settlement_mix_chart": export_settlement_mix_chart,
    "reserve_and_payment_shares_chart": reserve_and_payment_shares_chart,
    "sanctions_timeline_chart": sanctions_timeline_chart,
}

#: The row function of each chart, by the chart's name.
ROWS: dict[str, Callable[..., pd.DataFrame]] = {
    "trade_chart": trade_rows,
    "energy_chart": energy_rows,
    "settlement_currency_chart": settlement_currency_rows,
    "export_settlement_mix_chart": export_settlement_mix_rows,
    "reserve_and_payment_shares_chart": reserve_and_payment_shares_rows,
    "sanctions_timeline_chart": sanctions_timeline_rows,
}


#: How each chart of :data:`CHARTS` selects and draws: the function that checks the arguments of
#: its row function (in that function's order) and returns a :class:`._frames.Selection`, and
#: the function that draws such a selection.
_SELECT_DRAW: dict[str, tuple[Callable, Callable]] = {
    "trade_chart": (trade.select, trade.draw),
    "energy_chart": (energy.select, energy.draw),
    "settlement_currency_chart": (currency.settlement_selection, currency.draw_settlement),
    "export_settlement_mix_chart": (settlement_mix.select, settlement_mix.draw),
    "reserve_and_payment_shares_chart": (currency.shares_selection, currency.draw_shares),
    "sanctions_timeline_chart": (sanctions.select, sanctions.draw),
}


def _selection(chart, params: dict):
    """The chart's name and its selection for ``params`` (the row function's arguments, its
    defaults filled in), selected once."""
    if isinstance(chart, Figure):
        raise ParameterError(
            "chart: a figure does not carry its rows; call the chart's row function with the "
            f"same arguments instead ({', '.join(f.__name__ for f in ROWS.values())}), or "
            "pass a chart name"
        )
    name = getattr(chart, "__name__", chart) if callable(chart) else chart
    name = check_choice("chart", name, list(ROWS), kind="chart")
    bound = inspect.signature(ROWS[name]).bind(**params)
    bound.apply_defaults()
    return name, _SELECT_DRAW[name][0](*bound.args, **bound.kwargs)


def _data_rows(sel, events: bool) -> pd.DataFrame:
    rows = sel.all_rows()
    marker = rows["role"] == MARKER_ROLE
    out = rows[marker] if events else rows[~marker]
    return out.dropna(axis=1, how="all").reset_index(drop=True)


def chart_rows(chart: str | Callable[..., Figure], /, *, events: bool = False,
               **params) -> pd.DataFrame:
    """The rows behind a chart, by its name or function and its arguments.

    The rows of the chart's row function (see :data:`ROWS`); nothing is drawn.

    Parameters
    ----------
    chart : str or chart function
        A chart of :data:`CHARTS`, by name or the function itself.
    events : bool
        Return the events drawn as dated markers instead of the data rows.
    **params
        Arguments of the chart function (``ax`` is ignored).

    Returns
    -------
    pandas.DataFrame
        The data rows (``events=False``) or the event-marker rows of the row function.

    Raises
    ------
    ParameterError
        ``chart`` is not a chart name (a figure is refused: use the row functions); or a bad
        chart argument.

    Examples
    --------
    >>> rows = chart_rows("sanctions_timeline_chart", start="2022-01-01")
    >>> bool(rows["url"].notna().all())
    True
    >>> chart_rows("trade", partners=("CHN",))
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: chart: unknown chart 'trade'...
    """
    params.pop("ax", None)
    return _data_rows(_selection(chart, params)[1], events)


def chart_figure(chart: str | Callable[..., Figure], /, **params) -> tuple[Figure, pd.DataFrame]:
    """A chart of :data:`CHARTS` and its data rows, selected once: ``(figure, rows)``.

    The figure is what the chart function draws with ``params``, the rows what
    :func:`chart_rows` returns for them; the arguments are checked and the rows selected once
    for both (the fact check's evidence charts are published this way).

    Parameters
    ----------
    chart : str or chart function
        A chart of :data:`CHARTS`, by name or the function itself.
    **params
        Arguments of the chart function (``ax``: draw into this Axes).

    Returns
    -------
    tuple of (matplotlib.figure.Figure, pandas.DataFrame)
        The figure and its data rows, as :func:`chart_rows` returns them.

    Raises
    ------
    ParameterError
        ``chart`` is not a chart name, or a bad chart argument.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig, rows = chart_figure("trade_chart", partners=("CHN",), start="2020-01-01")
    >>> rows.equals(chart_rows("trade_chart", partners=("CHN",), start="2020-01-01"))
    True
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    ax = params.pop("ax", None)
    name, sel = _selection(chart, params)
    return _SELECT_DRAW[name][1](sel, ax), _data_rows(sel, events=False)

"""The figures of a report page, each with the rows it plots: what notebooks 04 and 05 publish.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> figs = currency_figures(["reserves_share_cofer"], "2016-01-01", "2024-12-31")
>>> [(f.name, len(f.rows) > 0) for f in figs["shares"]]
[('reserve-and-payment-shares', True)]
>>> for f in figs["shares"]:
...     f.close()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .._checks import DateLike, check_day
from ..freshness import freshness_note
from . import _frames as fr
from . import currency, energy, sanctions, settlement_mix, trade
from .currency import SETTLEMENT_INDICATORS, SHARE_INDICATORS, check_indicators

__all__ = ["ChartFigure", "check_currency_figures", "check_trade_figures", "currency_figures",
           "trade_figures"]


@dataclass
class ChartFigure:
    """One figure to publish: file stem, the figure, the rows it plots, the table's caption and
    the columns of the table shown under it."""

    name: str
    figure: Figure
    rows: pd.DataFrame
    caption: str
    columns: list[str]

    def __post_init__(self) -> None:
        # A bundle is shown where it is published (sco.publish_chart), never by pyplot at the
        # end of the cell that drew it: detach the figure from pyplot now. A closed figure still
        # saves and displays.
        plt.close(self.figure)

    def close(self) -> None:
        """Close the figure (when it is not published)."""
        plt.close(self.figure)


def _caption(text: str, table: str, until: pd.Timestamp) -> str:
    """A table caption; past the table's ``recorded_through`` it says later figures are not
    confirmed, so the page says it in words as the figure's source line does."""
    fresh = freshness_note(table, until, what="Figures")
    return f"{text}. {fresh}" if fresh else text


def _columns(rows: pd.DataFrame, wanted: Sequence[str]) -> list[str]:
    return [c for c in wanted if c in rows.columns]


#: What backs each number (sco_research.corroboration), shown beside the row's own source.
_BACKING = ["independent_sources", "corroborated_by"]

_CURRENCY_COLUMNS = ["table", "series", "scope", "currency", "period", "value", "unit",
                     "stated_by", "stated_on", "role", "disputed", "event_id", "date", "label",
                     "source_id", *_BACKING]


def check_currency_figures(indicators: Sequence[str] | str, start: DateLike = "2014-01-01",
                           end: DateLike = "today") -> tuple[tuple[str, ...], pd.Timestamp,
                                                             pd.Timestamp]:
    """Check the parameters of notebook 05; return the indicators and the window.

    The notebook calls it in its first cell; ``sco-research render`` calls it before any kernel
    starts. Known indicators, at least one; readable days, not after today, start before end.

    Examples
    --------
    >>> check_currency_figures(["reserves_share_cofer"], "2016-01-01", "2024-12-31")[0]
    ('reserves_share_cofer',)
    >>> check_currency_figures(["reserves"])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: indicators: unknown indicator 'reserves'...
    """
    items = check_indicators(indicators)
    check_day("start", start)
    check_day("end", end)
    return (items, *fr.check_window(start, end))


def check_trade_figures(partners: Sequence[str] | str, start: DateLike = "2013-01-01",
                        end: DateLike = "today", flow: str = "turnover") -> tuple[pd.Timestamp,
                                                                                  pd.Timestamp]:
    """Check the parameters of notebook 04; return the window.

    The notebook calls it in its first cell; ``sco-research render`` calls it before any kernel
    starts. Readable days, not after today, start before end; known partners and flow, and
    trade rows in the window (:func:`.trade.select` selects them).

    Examples
    --------
    >>> check_trade_figures(["CHN"], "2020-01-01", "2024-12-31")
    (Timestamp('2020-01-01 00:00:00'), Timestamp('2024-12-31 00:00:00'))
    >>> check_trade_figures(["CHN"], flow="export")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: flow: unknown flow 'export'; did you mean 'exports'...
    """
    check_day("start", start)
    check_day("end", end)
    window = fr.check_window(start, end)
    trade.select(partners, *window, flow, "USD")  # partners, flow, and rows in the window
    return window


def _figure(name: str, sel: fr.Selection, draw: Callable[[fr.Selection], Figure], caption: str,
            wanted: Sequence[str]) -> ChartFigure:
    """One figure drawn from its selection, with the same selection's rows: selected once."""
    rows = sel.all_rows()
    return ChartFigure(name, draw(sel), rows, caption, _columns(rows, wanted))


def currency_figures(indicators: Sequence[str] | str, start: DateLike = "2014-01-01",
                     end: DateLike = "today") -> dict[str, list[ChartFigure]]:
    """Every currency chart the ``indicators`` ask for, with its rows, by section.

    Sections: ``'settlement'`` (settlement shares), ``'mix'`` (export and import settlement
    mix), ``'shares'`` (reserve and payment shares), ``'sanctions'`` (the sanctions timeline,
    drawn whenever the window holds sanctions rows). A section without rows in the window is
    left out. The arguments are checked once, here; each figure's rows are selected once and
    drawn as selected.

    Raises
    ------
    ParameterError
        An unknown indicator or a bad window.
    """
    indicators = check_indicators(indicators)
    t0, t1 = fr.check_window(start, end)
    out: dict[str, list[ChartFigure]] = {}
    settlement = tuple(i for i in indicators if i in SETTLEMENT_INDICATORS)
    if settlement:
        out["settlement"] = [_figure(
            "settlement-shares", currency.select_settlement(settlement, t0, t1),
            currency.draw_settlement,
            _caption("The rows behind the settlement chart", "currency", t1), _CURRENCY_COLUMNS)]
    for series, flow in (("russia_export_settlement", "exports"),
                         ("russia_import_settlement", "imports")):
        if series in indicators:
            out.setdefault("mix", []).append(_figure(
                f"settlement-mix-{flow}", settlement_mix.select(flow, t0, t1), settlement_mix.draw,
                _caption(f"The rows behind the {flow} settlement chart", "currency", t1),
                _CURRENCY_COLUMNS))
    shares = tuple(i for i in indicators if i in SHARE_INDICATORS)
    if shares:
        out["shares"] = [_figure(
            "reserve-and-payment-shares",
            currency.select_shares(shares, ("USD", "EUR", "CNY"), t0, t1), currency.draw_shares,
            _caption("The rows behind the reserve and payment shares chart", "currency", t1),
            _CURRENCY_COLUMNS)]
    if fr.table("sanctions")["announced"].between(t0, t1).any():
        out["sanctions"] = [_figure(
            "sanctions-timeline", sanctions.select(None, t0, t1, None), sanctions.draw,
            _caption("The rows behind the sanctions timeline", "sanctions", t1),
            ["table", "measure_id", "announced", "effective", "imposed_by", "measure", "target",
             "amount", "unit", "held_where", "role", "event_id", "date", "label", "source_id",
             *_BACKING])]
    return out


def trade_figures(partners: Sequence[str] | str, start: DateLike = "2013-01-01",
                  end: DateLike = "today", flow: str = "turnover") -> list[ChartFigure]:
    """The trade chart, and the crude-oil chart for those partners with energy rows.

    Each figure's rows are selected once and drawn as selected.

    Raises
    ------
    ParameterError
        An unknown partner or flow, or a bad window.
    """
    t0, t1 = fr.check_window(start, end)
    out = [_figure(f"trade-{flow}", trade.select(partners, t0, t1, flow, "USD"), trade.draw,
                   _caption("The rows behind the trade chart", "trade", t1),
                   ["table", "reporter", "partner", "period", "flow", "value", "unit",
                    "plotted_value", "plotted_unit", "role", "event_id", "date", "label",
                    "source_id", *_BACKING, "note"])]
    importers = [p for p in ([partners] if isinstance(partners, str) else partners)
                 if p in set(fr.table("energy")["importer"])]
    if importers:
        out.append(_figure(
            "energy-crude-oil", energy.select(importers, "crude_oil", "volume", None, t0, t1),
            energy.draw, _caption("The rows behind the oil chart", "energy", t1),
            ["table", "importer", "period", "period_type", "value", "unit", "plotted_value",
             "role", "event_id", "date", "label", "source_id", *_BACKING, "note"]))
    return out

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

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .._checks import DateLike
from ..freshness import freshness_note
from . import _frames as fr
from .currency import (
    SETTLEMENT_INDICATORS,
    SHARE_INDICATORS,
    check_indicators,
    reserve_and_payment_shares_chart,
    reserve_and_payment_shares_rows,
    settlement_currency_chart,
    settlement_currency_rows,
)
from .energy import energy_chart, energy_rows
from .sanctions import sanctions_timeline_chart, sanctions_timeline_rows
from .settlement_mix import export_settlement_mix_chart, export_settlement_mix_rows
from .trade import trade_chart, trade_rows

__all__ = ["ChartFigure", "currency_figures", "trade_figures"]


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
                     "stated_by", "stated_on", "role", "event_id", "date", "label", "source_id",
                     *_BACKING]


def currency_figures(indicators: Sequence[str] | str, start: DateLike = "2014-01-01",
                     end: DateLike = "today") -> dict[str, list[ChartFigure]]:
    """Every currency chart the ``indicators`` ask for, with its rows, by section.

    Sections: ``'settlement'`` (settlement shares), ``'mix'`` (export and import settlement
    mix), ``'shares'`` (reserve and payment shares), ``'sanctions'`` (the sanctions timeline,
    drawn whenever the window holds sanctions rows). A section without rows in the window is
    left out.

    Raises
    ------
    ParameterError
        An unknown indicator or a bad window.
    """
    indicators = check_indicators(indicators)
    t0, t1 = fr.check_window(start, end)
    out: dict[str, list[ChartFigure]] = {}
    settlement = [i for i in indicators if i in SETTLEMENT_INDICATORS]
    if settlement:
        rows = settlement_currency_rows(settlement, t0, t1)
        out["settlement"] = [ChartFigure(
            "settlement-shares", settlement_currency_chart(settlement, t0, t1), rows,
            _caption("The rows behind the settlement chart", "currency", t1),
            _columns(rows, _CURRENCY_COLUMNS))]
    for series, flow in (("russia_export_settlement", "exports"),
                         ("russia_import_settlement", "imports")):
        if series in indicators:
            rows = export_settlement_mix_rows(flow, t0, t1)
            out.setdefault("mix", []).append(ChartFigure(
                f"settlement-mix-{flow}", export_settlement_mix_chart(flow, t0, t1), rows,
                _caption(f"The rows behind the {flow} settlement chart", "currency", t1),
                _columns(rows, _CURRENCY_COLUMNS)))
    shares = [i for i in indicators if i in SHARE_INDICATORS]
    if shares:
        rows = reserve_and_payment_shares_rows(shares, start=t0, end=t1)
        out["shares"] = [ChartFigure(
            "reserve-and-payment-shares",
            reserve_and_payment_shares_chart(shares, start=t0, end=t1), rows,
            _caption("The rows behind the reserve and payment shares chart", "currency", t1),
            _columns(rows, _CURRENCY_COLUMNS))]
    sanctions = fr.table("sanctions")
    if sanctions["announced"].between(t0, t1).any():
        rows = sanctions_timeline_rows(start=t0, end=t1)
        out["sanctions"] = [ChartFigure(
            "sanctions-timeline", sanctions_timeline_chart(start=t0, end=t1), rows,
            _caption("The rows behind the sanctions timeline", "sanctions", t1),
            _columns(rows, ["table", "measure_id", "announced", "effective", "imposed_by",
                            "measure", "target", "amount", "unit", "held_where", "role",
                            "event_id", "date", "label", "source_id", *_BACKING]))]
    return out


def trade_figures(partners: Sequence[str] | str, start: DateLike = "2013-01-01",
                  end: DateLike = "today", flow: str = "turnover") -> list[ChartFigure]:
    """The trade chart, and the crude-oil chart for those partners with energy rows.

    Raises
    ------
    ParameterError
        An unknown partner or flow, or a bad window.
    """
    t0, t1 = fr.check_window(start, end)
    rows = trade_rows(partners, t0, t1, flow)
    cols = ["table", "reporter", "partner", "period", "flow", "value", "unit", "plotted_value",
            "plotted_unit", "role", "event_id", "date", "label", "source_id", *_BACKING, "note"]
    out = [ChartFigure(f"trade-{flow}", trade_chart(partners, t0, t1, flow), rows,
                       _caption("The rows behind the trade chart", "trade", t1),
                       _columns(rows, cols))]
    importers = [p for p in ([partners] if isinstance(partners, str) else partners)
                 if p in set(fr.table("energy")["importer"])]
    if importers:
        rows = energy_rows(importers, "crude_oil", "volume", start=t0, end=t1)
        cols = ["table", "importer", "period", "period_type", "value", "unit",
                "plotted_value", "role", "event_id", "date", "label", "source_id", *_BACKING,
                "note"]
        out.append(ChartFigure("energy-crude-oil",
                               energy_chart(importers, "crude_oil", "volume", start=t0, end=t1),
                               rows, _caption("The rows behind the oil chart", "energy", t1),
                               _columns(rows, cols)))
    return out

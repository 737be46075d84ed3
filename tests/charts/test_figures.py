"""The figures of a report page: their captions say when a window reaches past the record."""

from __future__ import annotations

import pandas as pd

import sco_research as sco
from sco_research.charts.figures import currency_figures, trade_figures


def test_captions_past_the_record_say_later_figures_are_not_confirmed():
    through = sco.freshness.recorded_through("trade")
    late = trade_figures(("CHN",), end="today")
    early = trade_figures(("CHN",), end=through)
    try:
        shown = f"{through.day} {through:%B %Y}"
        assert late[0].caption == (
            f"The rows behind the trade chart. Figures after {shown} are not confirmed: the "
            f"trade record was checked for new facts through {shown} only.")
        assert [f.caption for f in early] == ["The rows behind the trade chart",
                                              "The rows behind the oil chart"]
    finally:
        for f in [*late, *early]:
            f.close()


def test_every_currency_section_says_it_past_the_record():
    figs = currency_figures(["reserves_share_cofer", "russia_export_settlement"],
                            "2016-01-01", pd.Timestamp.today())
    try:
        captions = [f.caption for section in figs.values() for f in section]
        assert captions and all("are not confirmed" in c for c in captions)
    finally:
        for section in figs.values():
            for f in section:
                f.close()

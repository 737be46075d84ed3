"""The explorer's HTML around its map: summary, date controls with Play, details panel, legend.

:mod:`sco_research.explorer` computes the data and draws the Bokeh map; this module writes the
controls that ``assets/explorer.js`` wires up, by id (``<uid>-slider``, ``<uid>-play``...).
Everything from the data is escaped.

Examples
--------
>>> data = {"founding": "2001-06-15", "end": "2024-07-04", "names": {"IND": "India"},
...         "statuses": [{"key": "member", "label": "Member", "color": "#000"}]}
>>> html = controls_html("x1", data, "2017-06-09", None)
>>> 'id="x1-play"' in html and 'aria-pressed="false"' in html and "__BOKEH_DIV__" in html
True
"""

from __future__ import annotations

import html as _html

__all__ = ["controls_html"]


def controls_html(uid: str, data: dict, start: str, page_link: str | None) -> str:
    """The explorer's controls for explorer ``uid``; ``__BOKEH_DIV__`` marks where the map goes.

    Parameters
    ----------
    uid : str
        The explorer's id; every element's id starts with it.
    data : dict
        :func:`sco_research.explorer.explorer_data` (``founding``, ``end``, ``names``,
        ``statuses``).
    start : str
        The day shown first, ``YYYY-MM-DD``.
    page_link : str or None
        Link to the full explorer page, shown under the map.
    """
    e = _html.escape
    legend = "".join(
        f'<li data-status="{e(s["key"])}"><span class="sco-x-swatch" style="background:'
        f'{e(s["color"])}" aria-hidden="true"></span><span class="sco-x-label">{e(s["label"])}'
        f'</span> <span class="sco-x-count"></span></li>' for s in data["statuses"])
    legend += ('<li><span class="sco-x-swatch" style="background:#dedede" aria-hidden="true">'
               '</span>No SCO status</li><li><span class="sco-x-swatch sco-x-outline" '
               'aria-hidden="true"></span>Outlined: joined on the latest day of joining</li>')
    options = "".join(f'<option value="{e(iso)}">{e(name)}</option>'
                      for iso, name in sorted(data["names"].items(), key=lambda kv: kv[1]))
    link = (f'<p class="sco-x-open"><a href="{e(page_link)}" id="{uid}-open">Open the full '
            "membership explorer</a> (in the rendered reports) to share a link to one day.</p>"
            if page_link else "")
    return f"""
<div class="sco-x-summary-row">
  <p class="sco-x-summary" id="{uid}-summary" role="status" aria-live="polite">Loading the map
  of SCO statuses&hellip;</p>
  <p class="sco-x-joined" id="{uid}-joined"></p>
  <p class="sco-x-notice" id="{uid}-notice" role="alert" hidden></p>
  <p class="sco-x-fresh" id="{uid}-fresh" hidden></p>
</div>
<div class="sco-x-controls" role="group" aria-label="Choose the day to show">
  <button type="button" id="{uid}-play" class="sco-x-play" aria-pressed="false"
   aria-describedby="{uid}-play-status">&#9654; Play the changes</button>
  <button type="button" id="{uid}-prev" aria-label="Previous day on which a status changed">
  &#9664; Previous change</button>
  <label class="sco-x-slider-label" for="{uid}-slider">Day of a change</label>
  <input type="range" id="{uid}-slider" min="0" max="0" step="1" value="0">
  <button type="button" id="{uid}-next" aria-label="Next day on which a status changed">
  Next change &#9654;</button>
  <label class="sco-x-date-label" for="{uid}-date">Any day</label>
  <input type="date" id="{uid}-date" min="{e(data["founding"])}" max="{e(data["end"])}"
   value="{e(start)}">
  <span class="sco-x-play-status" id="{uid}-play-status" role="status"
   aria-live="polite"></span>
</div>
<div class="sco-x-body">
  <div class="sco-x-map" id="{uid}-map" tabindex="0" role="group"
   aria-label="Map of SCO statuses on the chosen day. Hover or tap a country for its status
 and source; the list of countries beside the map gives the same details. Left and right
 arrow keys move the date."
   aria-describedby="{uid}-summary">__BOKEH_DIV__</div>
  <aside class="sco-x-panel" aria-labelledby="{uid}-panel-title">
    <p class="sco-x-panel-title" id="{uid}-panel-title">Country details</p>
    <label for="{uid}-country">Country</label>
    <select id="{uid}-country"><option value="">Choose a country&hellip;</option>{options}
    </select>
    <div id="{uid}-details" class="sco-x-details" aria-live="polite">
    <p>Hover or tap a country on the map, or choose one above.</p></div>
  </aside>
</div>
<ul class="sco-x-legend" id="{uid}-legend" aria-label="Legend: states per status">{legend}</ul>
<details class="sco-x-list"><summary>States holding an SCO status on this day</summary>
<table id="{uid}-table"><thead><tr><th scope="col">State</th><th scope="col">Status</th>
<th scope="col">Since</th><th scope="col">Source</th></tr></thead><tbody></tbody></table>
</details>
{link}"""

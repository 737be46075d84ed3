/* Hover-to-source charts (sco_research/interactive.py builds the fragment around it).
 *
 * Each chart embeds its points as JSON (id "<uid>-data"): value, period, who stated it and the
 * source. Hovering or tapping a point fills the panel beside the chart, with a link to the
 * source. Defined once per page, whatever the number of charts.
 */
(function () {
  "use strict";
  if (window.SCOPoints) return;
  var cache = {};

  function rows(uid) {
    if (!cache[uid]) {
      var node = document.getElementById(uid + "-data");
      cache[uid] = { rows: node ? JSON.parse(node.textContent) : [], shown: null };
    }
    return cache[uid];
  }

  function line(label, value) {
    var p = document.createElement("p");
    if (label) {
      var b = document.createElement("strong");
      b.textContent = label + ": ";
      p.appendChild(b);
    }
    p.appendChild(document.createTextNode(value));
    return p;
  }

  function show(uid, row) {
    var state = rows(uid), r = state.rows[row], box = document.getElementById(uid + "-details");
    if (!r || !box || state.shown === row) return;
    state.shown = row;
    while (box.firstChild) box.removeChild(box.firstChild);
    var head = document.createElement("p");
    head.className = "sco-p-value";
    head.textContent = r.value;
    box.appendChild(head);
    box.appendChild(line("Series", r.group));
    box.appendChild(line("Period", r.period));
    box.appendChild(line("Stated by", r.who));
    if (r.role && r.role !== "main") box.appendChild(line("Shown as", r.role));
    var src = line("Source", "");
    var a = document.createElement("a");
    a.href = r.url;
    a.rel = "noopener";
    a.textContent = r.publisher;
    src.appendChild(a);
    if (r.title) src.appendChild(document.createTextNode(", \u201c" + r.title + "\u201d"));
    box.appendChild(src);
    if (r.note) {
      var n = line("Note", r.note);
      n.className = "sco-p-note";
      box.appendChild(n);
    }
    box.setAttribute("data-row", String(row));
  }

  function hovered(uid, cb) {
    var idx = cb && cb.index && cb.index.indices;
    if (!idx || !idx.length) return;
    show(uid, cb.renderer.data_source.data.row[idx[0]]);
  }

  function tapped(uid, cb) {
    if (!cb || !cb.source) return;
    var sel = cb.source.selected.indices;
    if (sel.length) show(uid, cb.source.data.row[sel[0]]);
  }

  window.SCOPoints = { hovered: hovered, tapped: tapped, show: show };
})();

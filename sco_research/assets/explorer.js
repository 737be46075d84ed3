/* The SCO membership explorer (sco_research/explorer.py builds the page around it).
 *
 * The page embeds, per explorer, a JSON block (id "<uid>-data") computed in Python: the days on
 * which a status changed and, for each, who held which status, the counts, the summary text and
 * each state's next change. This script only looks a day up and paints it. It is defined once
 * per page (several explorers may share it) and started by Bokeh's document-ready event.
 */
(function () {
  "use strict";
  if (window.SCOExplorer) return;

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var LAND = "#dedede";
  var explorers = {};

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* A real calendar day "YYYY-MM-DD", or null. */
  function parseISO(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text || "").trim());
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    var t = new Date(Date.UTC(y, mo - 1, d));
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
    return m[1] + "-" + m[2] + "-" + m[3];
  }

  function fmt(iso) {
    var p = iso.split("-");
    return (+p[2]) + " " + MONTHS[+p[1] - 1] + " " + p[0];
  }

  function todayISO() {
    var t = new Date();
    return t.getFullYear() + "-" + pad(t.getMonth() + 1) + "-" + pad(t.getDate());
  }

  function el(uid, suffix) { return document.getElementById(uid + "-" + suffix); }

  function text(node, value) { node.textContent = value; return node; }

  function make(tag, value) {
    var node = document.createElement(tag);
    if (value !== undefined) node.textContent = value;
    return node;
  }

  function sourceLink(src) {
    var a = make("a", src.publisher);
    a.href = src.url;
    a.title = src.title;
    a.rel = "noopener";
    return a;
  }

  /* The period (index) holding day `iso`: the last one starting on or before it. */
  function periodIndex(x, iso) {
    var periods = x.data.periods, k = 0;
    for (var i = 0; i < periods.length; i++) if (periods[i].start <= iso) k = i;
    return k;
  }

  /* What the page says about one state on the current day. */
  function describe(x, iso3) {
    var day = x.day, p = x.data.periods[periodIndex(x, day)];
    var held = p.held[iso3], next = p.next[iso3], out = {};
    out.name = x.data.names[iso3] || x.shapeNames[iso3] || iso3;
    if (held) {
      out.status = x.labels[held[0]] + " on " + fmt(day);
      out.statusKey = held[0];
      out.since = "Since " + fmt(held[1]);
      out.source = x.data.sources[held[2]];
    } else {
      out.status = "No SCO status on " + fmt(day);
      out.statusKey = null;
      out.since = "";
      out.source = null;
    }
    if (next) {
      out.next = "Next change: " + fmt(next[0]) + ", " +
        (next[1] ? "becomes " + x.labels[next[1]].toLowerCase() : "status ends");
    } else {
      out.next = held ? "No later change recorded" : "";
    }
    return out;
  }

  function paintSource(x, source) {
    var n = source.data.iso3.length;
    var cols = ["fill", "status", "since", "next", "publisher", "line", "lw"];
    var joined = x.data.periods[periodIndex(x, x.day)].joined.iso3;
    var dot = !!source.data.alpha;
    var fresh = {};
    cols.forEach(function (c) { fresh[c] = new Array(n); });
    var alpha = source.data.alpha ? new Array(n) : null;
    for (var i = 0; i < n; i++) {
      var d = describe(x, source.data.iso3[i]);
      fresh.fill[i] = d.statusKey ? x.colors[d.statusKey] : LAND;
      fresh.status[i] = d.status;
      fresh.since[i] = d.since;
      fresh.next[i] = d.next;
      fresh.publisher[i] = d.source ? "Source: " + d.source.publisher : "";
      var isNew = joined.indexOf(source.data.iso3[i]) >= 0;
      fresh.line[i] = isNew ? "#1a1a1a" : (dot ? "#333333" : "#ffffff");
      fresh.lw[i] = isNew ? (dot ? 2.0 : 1.6) : (dot ? 0.8 : 0.5);
      if (alpha) alpha[i] = d.statusKey ? 1.0 : 0.0;
    }
    cols.forEach(function (c) { source.data[c] = fresh[c]; });
    if (alpha) source.data.alpha = alpha;
    source.change.emit();
  }

  function paintLabels(x, p) {
    var src = x.models.labels, n = src.data.iso3.length, names = new Array(n);
    var ink = new Array(n);
    for (var i = 0; i < n; i++) {
      var iso3 = src.data.iso3[i], held = p.held[iso3];
      names[i] = held ? (x.data.names[iso3] || iso3) : "";
      /* white on the dark blue of members, near-black on the lighter colours */
      ink[i] = held && held[0] === "member" ? "#ffffff" : "#1a1a1a";
    }
    src.data.text = names;
    src.data.ink = ink;
    src.change.emit();
  }

  function paintMap(x, p) {
    paintSource(x, x.models.countries);
    paintSource(x, x.models.dots);
    paintLabels(x, p);
  }

  function paintLegend(x, p) {
    var items = el(x.uid, "legend").querySelectorAll("li[data-status]");
    Array.prototype.forEach.call(items, function (li) {
      var n = p.counts[li.getAttribute("data-status")] || 0;
      li.hidden = n === 0;
      text(li.querySelector(".sco-x-count"), "(" + n + ")");
    });
  }

  function paintTable(x, p) {
    var body = el(x.uid, "table").querySelector("tbody");
    while (body.firstChild) body.removeChild(body.firstChild);
    var order = x.data.statuses.map(function (s) { return s.key; });
    var rows = Object.keys(p.held).map(function (iso3) { return [iso3, p.held[iso3]]; });
    rows.sort(function (a, b) {
      var s = order.indexOf(a[1][0]) - order.indexOf(b[1][0]);
      return s || (x.data.names[a[0]] < x.data.names[b[0]] ? -1 : 1);
    });
    rows.forEach(function (r) {
      var tr = make("tr");
      tr.appendChild(make("td", x.data.names[r[0]] || r[0]));
      tr.appendChild(make("td", x.labels[r[1][0]]));
      tr.appendChild(make("td", fmt(r[1][1])));
      var td = make("td");
      td.appendChild(sourceLink(x.data.sources[r[1][2]]));
      tr.appendChild(td);
      body.appendChild(tr);
    });
  }

  function showDetails(x, iso3) {
    var box = el(x.uid, "details");
    while (box.firstChild) box.removeChild(box.firstChild);
    x.shown = iso3 || null;
    if (!iso3) {
      box.appendChild(make("p", "Hover or tap a country on the map, or choose one above."));
      return;
    }
    var d = describe(x, iso3);
    var h = make("p");
    h.className = "sco-x-name";
    h.appendChild(make("strong", d.name));
    box.appendChild(h);
    var st = make("p", d.status);
    st.className = "sco-x-status";
    if (d.statusKey) st.setAttribute("data-status", d.statusKey);
    box.appendChild(st);
    if (d.since) box.appendChild(make("p", d.since));
    if (d.next) box.appendChild(make("p", d.next));
    if (d.source) {
      var s = make("p", "Source: ");
      s.className = "sco-x-source";
      s.appendChild(sourceLink(d.source));
      s.appendChild(document.createTextNode(", \u201c" + d.source.title + "\u201d" +
        (d.source.published ? " (" + d.source.published + ")" : "")));
      box.appendChild(s);
    }
  }

  function writeURL(x) {
    if (!x.urlState) return;
    try {
      var url = new URL(window.location.href);
      url.searchParams.set("date", x.day);
      url.hash = "";
      window.history.replaceState(null, "", url.toString());
    } catch (err) {
      /* A page shown from a string (srcdoc) has no address to write to. */
    }
  }

  function notice(x, message) {
    var node = el(x.uid, "notice");
    node.hidden = !message;
    text(node, message || "");
  }

  /* Show day `iso` (already checked). */
  function setDay(x, iso, keepNotice) {
    x.day = iso;
    var k = periodIndex(x, iso), p = x.data.periods[k];
    if (x.models) paintMap(x, p);
    paintLegend(x, p);
    paintTable(x, p);
    text(el(x.uid, "summary"), fmt(iso) + ": " + p.summary);
    var names = p.joined.iso3.map(function (c) { return x.data.names[c] || c; });
    text(el(x.uid, "joined"), names.length ? "Outlined: joined on " + fmt(p.joined.date) +
      " (" + names.join(", ") + ")" : "");
    var slider = el(x.uid, "slider"), pos = 0;
    for (var i = 0; i < x.stops.length; i++) if (x.stops[i] <= iso) pos = i;
    slider.value = String(pos);
    slider.setAttribute("aria-valuetext", fmt(iso));
    el(x.uid, "date").value = iso;
    el(x.uid, "prev").disabled = iso <= x.stops[0];
    el(x.uid, "next").disabled = iso >= x.stops[x.stops.length - 1];
    if (x.shown) showDetails(x, x.shown);
    var open = el(x.uid, "open");
    if (open) open.href = open.getAttribute("href").split("?")[0] + "?date=" + iso;
    if (!keepNotice) notice(x, "");
    /* A day past the record's last check: say the statuses are not confirmed. */
    var fresh = el(x.uid, "fresh"), marks = x.data.fresh;
    if (fresh && marks) { fresh.hidden = iso <= marks.after; text(fresh, marks.text); }
    writeURL(x);
    x.root.setAttribute("data-day", iso);
  }

  /* Check a day asked for (URL or date field); return [day to show, why not the one asked]. */
  function resolve(x, asked) {
    var iso = parseISO(asked);
    var first = x.data.founding, last = x.last;
    if (!iso) {
      return [last, "\u201c" + asked + "\u201d is not a day written YYYY-MM-DD; showing today, " +
        fmt(last) + "."];
    }
    if (iso < first) {
      return [first, fmt(iso) + " is before the SCO was founded on " + fmt(first) +
        "; showing the founding day."];
    }
    if (iso > last) {
      return [last, fmt(iso) + " is after today; showing today, " + fmt(last) + "."];
    }
    return [iso, ""];
  }

  function step(x, delta) {
    var target = null, i;
    if (delta < 0) {
      for (i = x.stops.length - 1; i >= 0; i--) if (x.stops[i] < x.day) { target = x.stops[i]; break; }
    } else {
      for (i = 0; i < x.stops.length; i++) if (x.stops[i] > x.day) { target = x.stops[i]; break; }
    }
    if (target) setDay(x, target);
  }

  function askedInURL() {
    var params = new URLSearchParams(window.location.search);
    if (params.has("date")) return params.get("date");
    var hash = /(?:^#|&)date=([^&]*)/.exec(window.location.hash);
    return hash ? decodeURIComponent(hash[1]) : null;
  }

  function wire(x) {
    var slider = el(x.uid, "slider"), field = el(x.uid, "date");
    slider.max = String(x.stops.length - 1);
    slider.addEventListener("input", function () { setDay(x, x.stops[+slider.value]); });
    el(x.uid, "prev").addEventListener("click", function () { step(x, -1); });
    el(x.uid, "next").addEventListener("click", function () { step(x, +1); });
    field.max = x.last;
    field.addEventListener("change", function () {
      if (!field.value) return;
      var r = resolve(x, field.value);
      setDay(x, r[0], true);
      notice(x, r[1]);
    });
    el(x.uid, "country").addEventListener("change", function (ev) {
      showDetails(x, ev.target.value);
    });
    x.root.addEventListener("keydown", function (ev) {
      var tag = (ev.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea") return;
      if (ev.key === "ArrowLeft") { step(x, -1); ev.preventDefault(); }
      if (ev.key === "ArrowRight") { step(x, +1); ev.preventDefault(); }
    });
  }

  /* Start the explorer `uid` without its map: text, controls and URL work at once. */
  function start(uid, tries) {
    var root = document.getElementById(uid);
    if (explorers[uid]) return explorers[uid];
    if (!root) {  /* an output area may run this before it shows the output: wait for it */
      tries = tries || 0;
      if (tries < 400) setTimeout(function () { start(uid, tries + 1); }, 25);
      return null;
    }
    var data = JSON.parse(el(uid, "data").textContent);
    var x = { uid: uid, root: root, data: data, models: null, shown: null, shapeNames: {} };
    x.labels = {};
    x.colors = {};
    data.statuses.forEach(function (s) { x.labels[s.key] = s.label; x.colors[s.key] = s.color; });
    var today = todayISO();
    x.last = today > data.end ? today : data.end;
    x.stops = data.periods.map(function (p) { return p.start; }).filter(function (d) {
      return d <= x.last;
    });
    if (x.stops[x.stops.length - 1] !== x.last) x.stops.push(x.last);
    x.urlState = root.getAttribute("data-url-state") === "true";
    explorers[uid] = x;
    wire(x);
    var asked = x.urlState ? askedInURL() : null;
    if (asked !== null) {
      var r = resolve(x, asked);
      setDay(x, r[0], true);
      notice(x, r[1]);
    } else {
      setDay(x, root.getAttribute("data-start") || x.last);
    }
    if (window.performance && performance.mark) performance.mark("sco-explorer-summary");
    return x;
  }

  /* Attach the Bokeh map (called by Bokeh's document-ready event) and paint the current day. */
  function init(uid, models) {
    var x = explorers[uid] || start(uid);
    if (!x || x.models) return;
    x.models = models;
    models.countries.data.iso3.forEach(function (iso3, i) {
      x.shapeNames[iso3] = models.countries.data.name[i];
    });
    paintMap(x, x.data.periods[periodIndex(x, x.day)]);
    if (x.shown) showDetails(x, x.shown);
    x.root.setAttribute("data-ready", "true");
    if (window.performance && performance.mark) performance.mark("sco-explorer-ready");
  }

  function pickedIndex(cb) {
    var idx = cb && cb.index;
    if (idx && idx.indices && idx.indices.length) return idx.indices[0];
    return null;
  }

  function hovered(uid, cb) {
    var x = explorers[uid], i = pickedIndex(cb);
    if (!x || i === null) return;
    var iso3 = cb.renderer.data_source.data.iso3[i];
    if (iso3 !== x.shown) showDetails(x, iso3);
  }

  function tapped(uid, cb) {
    var x = explorers[uid];
    if (!x || !cb || !cb.source) return;
    var sel = cb.source.selected.indices;
    if (!sel.length) return;
    var iso3 = cb.source.data.iso3[sel[0]];
    showDetails(x, iso3);
    var select = el(uid, "country");
    select.value = x.data.names[iso3] ? iso3 : "";
  }

  /* For tests and tools: the explorer of `uid` and where a state is drawn, in CSS pixels. */
  function pixelOf(uid, iso3) {
    var x = explorers[uid];
    var src = x.models.countries.data, i = src.iso3.indexOf(iso3), px, py;
    if (i >= 0) { px = src.lx[i]; py = src.ly[i]; } else {
      var dots = x.models.dots.data, j = dots.iso3.indexOf(iso3);
      if (j < 0) return null;
      px = dots.x[j]; py = dots.y[j];
    }
    var view = window.Bokeh.index.get_one(x.models.plot);
    var sx = view.frame.x_scale.compute(px), sy = view.frame.y_scale.compute(py);
    var box = view.el.getBoundingClientRect();
    var canvas = view.canvas_view.el.getBoundingClientRect();
    return { x: canvas.left + sx, y: canvas.top + sy, plot: [box.left, box.top] };
  }

  window.SCOExplorer = {
    start: start, init: init, hovered: hovered, tapped: tapped, parseISO: parseISO, format: fmt,
    setDay: function (uid, iso) {
      var x = explorers[uid], r = resolve(x, iso);
      setDay(x, r[0], true);
      notice(x, r[1]);
    },
    pixelOf: pixelOf, explorers: explorers
  };
})();

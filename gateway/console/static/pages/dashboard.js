// The regulator's dashboard: GET /v1/statistics (the read model's statistics, by the chaincode's own
// rules) drawn as charts, each with its data table. A page script: console.js's helpers are
// window.IPLedger.
//
// The file has two parts. The first is pure (scales, ticks, number formats, the filters' query): no
// DOM, so that node runs it (testdata/dashboard.test.js, `node --test`, through go test). The second
// draws the page: SVG built element by element with createElementNS, every value from the ledger set
// as text (textContent), never as HTML; no chart library, no inline script.
"use strict";

(function () {
  // ---- pure functions ------------------------------------------------------------------------
  const INTERVALS = ["month", "quarter", "year"]; // the API's interval parameter (api.StatisticsIntervals)
  // The API's kind parameter (api.StatisticsKinds): a kind of right, or mixed (a package of several).
  const KINDS = ["patent-invention", "patent-utility", "patent-design", "trademark", "copyright", "mixed"];
  // A bank's MSP id (api.BankMSPPattern): the API's pledgee parameter.
  const BANK = /^[A-Za-z0-9]*Bank[A-Za-z0-9]*MSP$/;

  // niceStep is a round step (1, 2 or 5 times a power of ten) for about count steps up to max; at
  // least 1 when integer (counts are whole).
  function niceStep(max, count, integer) {
    if (!(max > 0)) return 1;
    const raw = max / (count || 5);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    return integer ? Math.max(1, Math.round(step)) : step;
  }

  // ticks are the axis's values from 0 to the first step at or above max (0 and one step when max is
  // 0 or missing), rounded so that 0.1 + 0.2 shows as 0.3.
  function ticks(max, count, integer) {
    const step = niceStep(max, count, integer);
    const top = max > 0 ? Math.ceil(max / step - 1e-9) * step : step;
    const out = [];
    for (let v = 0; v <= top + step / 2; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }

  // scale maps [0, domainMax] onto [0, length]; 0 when the domain is empty.
  function scale(domainMax, length) {
    return (v) => (domainMax > 0 && Number.isFinite(v) ? (v / domainMax) * length : 0);
  }

  // group puts thousands separators into a whole number's digits: 1234567 → "1,234,567".
  function group(n) {
    const s = String(Math.round(Math.abs(Number(n) || 0)));
    return (Number(n) < 0 && s !== "0" ? "-" : "") + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // moneyTick is an axis value in yuan, whole: ¥5,000,000 (the tables give the exact amounts by fmtMoney).
  const moneyTick = (v) => "¥" + group(v);

  // decimal is a number from the API's decimal string, for drawing only (the figures shown in words
  // come from the string itself, by fmtMoney).
  function decimal(s) {
    const n = Number(s);
    return Number.isFinite(n) ? n : 0;
  }

  // inCurrency is the Amount of one currency in a list of them ({amount, count, currency}), or null.
  const inCurrency = (list, cur) => (list || []).find((a) => a.currency === cur) || null;

  // fixed shows a number with the given decimals ("0.50"), "" for what is not one.
  const fixed = (v, d) => (Number.isFinite(v) ? v.toFixed(d) : "");

  // labelStep: show every step-th of n labels along length, each about width wide.
  function labelStep(n, length, width) {
    if (n <= 0) return 1;
    return Math.max(1, Math.ceil((n * width) / Math.max(1, length)));
  }

  // textWidth estimates a label's width in px at a font size: CJK characters are square, Latin ones
  // about 0.6 em.
  function textWidth(s, size) {
    let w = 0;
    for (const ch of String(s)) w += /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]/.test(ch) ? size : size * 0.6;
    return w;
  }

  // period splits the API's period label: "2025-03" (month), "2025-Q1" (quarter), "2025" (year).
  function period(label) {
    let m = /^(\d{4})-(\d{2})$/.exec(label || "");
    if (m) return { year: Number(m[1]), month: Number(m[2]) };
    m = /^(\d{4})-Q([1-4])$/.exec(label || "");
    if (m) return { year: Number(m[1]), quarter: Number(m[2]) };
    m = /^(\d{4})$/.exec(label || "");
    return m ? { year: Number(m[1]) } : null;
  }

  // filtersOf reads the dashboard's filters from a query string (a bookmark): from and to as dates
  // (YYYY-MM-DD), interval one of the API's, pledgee a bank's MSP id (at most 50 characters), kind one
  // of the API's; anything else is left out, for the API's defaults (every bank, every kind).
  function filtersOf(search) {
    const q = new URLSearchParams(search || "");
    const date = (s) => (/^\d{4}-\d{2}-\d{2}$/.test(s || "") ? s : "");
    const iv = q.get("interval") || "";
    const bank = q.get("pledgee") || "";
    const kind = q.get("kind") || "";
    return { from: date(q.get("from")), to: date(q.get("to")), interval: INTERVALS.includes(iv) ? iv : "",
      pledgee: bank.length <= 50 && BANK.test(bank) ? bank : "", kind: KINDS.includes(kind) ? kind : "" };
  }

  // FILTERS are the filters' names, in the order of the query.
  const FILTERS = ["from", "to", "interval", "pledgee", "kind"];

  // queryOf is the API's (and the page's) query for filters: the parameters given, in a fixed order.
  function queryOf(f) {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (f && f[k]) q.set(k, f[k]);
    return q.toString();
  }

  // filenameOf is the file name a Content-Disposition header gives, "" if none.
  function filenameOf(header) {
    const m = /filename="([^"]+)"/.exec(header || "") || /filename=([^;\s]+)/.exec(header || "");
    return m ? m[1] : "";
  }

  const pure = Object.freeze({ INTERVALS, KINDS, FILTERS, niceStep, ticks, scale, group, moneyTick, decimal, inCurrency, fixed, labelStep, textWidth, period, filtersOf, queryOf, filenameOf });
  if (typeof window === "undefined") { // node: the tests
    module.exports = pure;
    return;
  }

  // ---- the page --------------------------------------------------------------------------------
  const { pages, MSP, KIND, $, el, clear, t, tEnum, fmtTime, fmtDate, fmtMoney, orgName, api, alertBox, showServerError, resetMessages, validate, busy, refreshOn } = window.IPLedger;
  const SVG = "http://www.w3.org/2000/svg";
  // Series colours: each at least 4.5:1 against white (text and bars alike).
  const COLOURS = ["#0b5cad", "#b54708", "#067647", "#6941c6", "#b42318"];
  const INK = "#1c2430", AXIS = "#475467", GRID = "#e4e7ec";
  // The statutory examination times of P9: working days for a patent or a trademark, calendar days for
  // copyright, as the chaincode's rules count them (the page carries them: console.go's P9). Drawn as
  // reference lines only: the chaincode alone says which examination is overdue (its
  // examinationDueBy; the register's overdue filter).
  function limits(dataset) {
    return [{ days: Number(dataset.limitWorking), key: "dashboard.decision.limit-working" },
      { days: Number(dataset.limitCopyright), key: "dashboard.decision.limit-copyright" }].filter((l) => l.days > 0);
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) if (c) e.append(c);
    return e;
  }

  // periodName is a period in words: 2025年3月 / Mar 2025, 2025年第1季度 / Q1 2025, 2025年 / 2025.
  function periodName(label) {
    const p = period(label);
    if (!p) return label;
    const months = t("fmt.months").split(/\s+/);
    if (p.month) return t("dashboard.period.month", { Year: p.year, Month: p.month, MonthName: months[p.month - 1] || p.month });
    if (p.quarter) return t("dashboard.period.quarter", { Year: p.year, Quarter: p.quarter });
    return t("dashboard.period.year", { Year: p.year });
  }

  // amounts is a list of sums in words, each currency's: "¥5,000,000.00 (2)"; "—" for none.
  const amounts = (list) => ((list || []).length ? list.map((a) => t("dashboard.amount-of", { Amount: fmtMoney(a.amount, a.currency), N: a.count })).join("; ") : "—");
  const percent = (v) => (Number.isFinite(v) ? t("dashboard.percent", { P: fixed(v, 2) }) : "—");
  const kindName = (k) => (k === "mixed" ? t("dashboard.kind.mixed") : tEnum("assetKind", k));

  // legend draws the series' keys in a row at (x, y).
  function legend(series, x, y) {
    const g = svg("g", { class: "legend" });
    for (const s of series) {
      g.append(s.dash ? svg("line", { x1: x, y1: y - 4, x2: x + 14, y2: y - 4, stroke: s.colour, "stroke-width": 2, "stroke-dasharray": "5 3" })
        : svg("rect", { x, y: y - 10, width: 12, height: 12, fill: s.colour }),
      svg("text", { x: x + 18, y, "font-size": 12, fill: INK, text: s.name }));
      x += 30 + textWidth(s.name, 12);
    }
    return g;
  }

  // chartFrame is the SVG of a chart: role img, named by its title, the table beside it being its text.
  function chartFrame(name, width, height) {
    return svg("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "aria-label": t("dashboard.chart-label", { Title: name }),
      preserveAspectRatio: "xMinYMin meet", class: "chart-svg", focusable: "false" });
  }

  // columns draws grouped vertical bars: one group per category, one bar per series (a null value draws
  // none), a y axis with round ticks, x labels thinned to fit, reference lines (refs), a legend.
  function columns(o) {
    const W = 720, L = o.money ? 104 : 56, R = 16, T = 40, B = 56, H = 300;
    const pw = W - L - R, ph = H - T - B;
    const max = Math.max(0, ...o.series.flatMap((s) => s.values.filter(Number.isFinite)), ...(o.refs || []).map((r) => r.value));
    const tk = ticks(max, 5, o.integer);
    const top = tk[tk.length - 1];
    const y = scale(top, ph);
    const root = chartFrame(o.title, W, H);
    root.append(legend([...o.series, ...(o.refs || []).map((r) => ({ name: r.label, colour: r.colour, dash: true }))], L, 18));
    const axis = svg("g", { class: "axis" });
    for (const v of tk) {
      const yy = T + ph - y(v);
      axis.append(svg("line", { x1: L, x2: L + pw, y1: yy, y2: yy, stroke: GRID }),
        svg("text", { x: L - 6, y: yy + 4, "text-anchor": "end", "font-size": 11, fill: AXIS, text: o.format(v) }));
    }
    axis.append(svg("line", { x1: L, x2: L + pw, y1: T + ph, y2: T + ph, stroke: AXIS }),
      svg("text", { x: 14, y: T + ph / 2, transform: "rotate(-90 14 " + (T + ph / 2) + ")", "text-anchor": "middle", "font-size": 12, fill: INK, text: o.yTitle }),
      svg("text", { x: L + pw / 2, y: H - 8, "text-anchor": "middle", "font-size": 12, fill: INK, text: o.xTitle }));
    root.append(axis);
    const n = o.categories.length, gw = pw / Math.max(1, n);
    const bw = Math.max(1, Math.min(28, (gw * 0.8) / o.series.length));
    const step = labelStep(n, pw, Math.max(...o.categories.map((c) => textWidth(c, 11)), 1) + 8);
    const bars = svg("g", { class: "bars" });
    o.categories.forEach((c, i) => {
      const x0 = L + i * gw + (gw - bw * o.series.length) / 2;
      o.series.forEach((s, j) => {
        const v = s.values[i];
        if (!Number.isFinite(v)) return;
        const h = y(v);
        bars.append(svg("rect", { x: x0 + j * bw, y: T + ph - h, width: bw, height: Math.max(h, v > 0 ? 1 : 0), fill: s.colour, "data-series": s.key, "data-value": v }));
      });
      if (i % step === 0) bars.append(svg("text", { x: L + i * gw + gw / 2, y: T + ph + 16, "text-anchor": "middle", "font-size": 11, fill: AXIS, text: c }));
    });
    root.append(bars);
    for (const r of o.refs || []) {
      const yy = T + ph - y(r.value);
      root.append(svg("line", { x1: L, x2: L + pw, y1: yy, y2: yy, stroke: r.colour, "stroke-width": 2, "stroke-dasharray": "5 3", "data-ref": r.value }),
        svg("text", { x: L + pw - 4, y: yy - 4, "text-anchor": "end", "font-size": 11, fill: r.colour, text: r.label }));
    }
    return root;
  }

  // rows draws horizontal bars: one row per category, one bar per series, the value written after it.
  function rows(o) {
    const W = 720, L = Math.min(220, 16 + Math.max(60, ...o.categories.map((c) => textWidth(c, 12)))), R = 120, T = 40, B = 44;
    const rowH = 16 * o.series.length + 12, ph = Math.max(1, o.categories.length) * rowH, H = T + ph + B, pw = W - L - R;
    const max = o.max || Math.max(0, ...o.series.flatMap((s) => s.values.filter(Number.isFinite)));
    const tk = ticks(max, 4, o.integer);
    const x = scale(o.max || tk[tk.length - 1], pw);
    const root = chartFrame(o.title, W, H);
    root.append(legend(o.series, L, 18));
    const axis = svg("g", { class: "axis" });
    for (const v of o.max ? [0, o.max / 4, o.max / 2, (3 * o.max) / 4, o.max] : tk) {
      axis.append(svg("line", { x1: L + x(v), x2: L + x(v), y1: T, y2: T + ph, stroke: GRID }),
        svg("text", { x: L + x(v), y: T + ph + 16, "text-anchor": "middle", "font-size": 11, fill: AXIS, text: o.format(v) }));
    }
    axis.append(svg("line", { x1: L, x2: L, y1: T, y2: T + ph, stroke: AXIS }),
      svg("text", { x: L + pw / 2, y: H - 6, "text-anchor": "middle", "font-size": 12, fill: INK, text: o.xTitle }));
    root.append(axis);
    const bars = svg("g", { class: "bars" });
    o.categories.forEach((c, i) => {
      const y0 = T + i * rowH + 6;
      bars.append(svg("text", { x: L - 8, y: y0 + (rowH - 12) / 2 + 4, "text-anchor": "end", "font-size": 12, fill: INK, text: c }));
      o.series.forEach((s, j) => {
        const v = s.values[i];
        if (!Number.isFinite(v)) return;
        const w = x(v);
        bars.append(svg("rect", { x: L, y: y0 + j * 16, width: Math.max(w, v > 0 ? 1 : 0), height: 13, fill: s.colour, "data-series": s.key, "data-value": v }),
          svg("text", { x: L + w + 4, y: y0 + j * 16 + 11, "font-size": 11, fill: AXIS, text: o.format(v) }));
      });
    });
    if (!o.categories.length) bars.append(svg("text", { x: L + 8, y: T + 14, "font-size": 12, fill: AXIS, text: t("dashboard.none") }));
    root.append(bars);
    return root;
  }

  // table is a chart's data: its text alternative. head: the column names; body: rows whose first cell
  // is the row's header; each row may carry data attributes (data: {name: value}).
  function table(caption, head, body) {
    return el("table", { class: "data" },
      el("caption", { text: caption }),
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...body.map((r) => {
        const tr = el("tr", {}, el("th", { scope: "row", text: r.cells[0] }), ...r.cells.slice(1).map((c) => el("td", { text: c })));
        for (const [k, v] of Object.entries(r.data || {})) tr.dataset[k] = v;
        return tr;
      }), body.length ? [] : el("tr", {}, el("td", { colspan: head.length, class: "muted", text: t("dashboard.none") }))));
  }

  // draw puts a chart and its table into the page's section for it (data-chart).
  function draw(name, chart, data) {
    const sec = $(`[data-chart="${name}"]`);
    clear($(".chart-figure", sec)).append(chart);
    clear($(".chart-table", sec)).append(data);
  }
  const titleOf = (name) => $(`[data-chart="${name}"] h2`).textContent.trim();

  pages.dashboard = function () {
    const root = $("#dashboard");
    if (!root || KIND !== "regulator") return; // the regulator's page: the template tells anyone else so
    const form = $("#dash-filters");
    const KEY_SLOT = "ipledger.apiKey." + MSP;
    let current = filtersOf(location.search);
    let seq = 0;

    // request calls /v1/statistics with the signed-in key in the Authorization header (never in the
    // URL), answering the Response: the page needs its headers (the ledger height, the CSV's name). A
    // 401 goes through console.js's api(), which signs out.
    async function request(query) {
      let res;
      try {
        res = await fetch("/v1/statistics" + (query ? "?" + query : ""), { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY_SLOT) }, cache: "no-store" });
      } catch (e) {
        throw { status: 0, code: "NETWORK", message: String(e), details: {} };
      }
      if (res.ok) return res;
      if (res.status === 401) await api("GET", "/v1/statistics" + (query ? "?" + query : ""));
      const text = await res.text();
      let e = {};
      try { e = (JSON.parse(text) || {}).error || {}; } catch (ignored) { e = {}; }
      throw { status: res.status, code: e.code || "INTERNAL", message: e.message || text.slice(0, 200), details: e.details || {}, txId: e.txId || "" };
    }

    function fill(f) {
      for (const k of FILTERS) form.elements[k].value = f[k];
    }
    // The banks of the answers seen, offered as the pledgee filter's suggestions (no bank is named in
    // the console: any member of a bank's form is one).
    const banksSeen = new Set();
    function suggestBanks(st) {
      for (const b of st.byBank || []) banksSeen.add(b.msp);
      if (st.pledgee) banksSeen.add(st.pledgee);
      clear($("#d-banks")).append(...[...banksSeen].sort().map((msp) => el("option", { value: msp, text: orgName(msp) })));
    }

    async function load() {
      const mine = ++seq;
      const query = queryOf(current);
      root.setAttribute("aria-busy", "true");
      let st, res;
      try {
        res = await request(query);
        st = await res.json();
      } catch (err) {
        if (mine === seq) { root.removeAttribute("aria-busy"); showServerError(form, err); }
        return;
      }
      if (mine !== seq) return; // a later load is under way
      history.replaceState(null, "", "/console/dashboard" + (query ? "?" + query : ""));
      suggestBanks(st);
      asOf(st, res.headers.get("IPLedger-Ledger-Height"), res.headers.get("IPLedger-Read-Source"));
      totals(st);
      charts(st);
      root.dataset.query = query;
      root.dataset.asOf = st.asOf;
      root.removeAttribute("aria-busy");
    }

    // asOf says what the figures are valid at and how much of the private terms they include.
    function asOf(st, height, source) {
      const h = Number(height);
      const facts = clear($("#dash-asof-facts"));
      const fact = (k, v, id) => { const dd = el("dd", { id, text: v }); facts.append(el("dt", { text: t(k) }), dd); return dd; };
      fact("dashboard.asof.height", Number.isFinite(h) && h > 0 ? t("dashboard.asof.height-value", { Height: h, Last: h - 1 }) : "—", "dash-height").dataset.height = Number.isFinite(h) ? String(h) : "";
      fact("dashboard.asof.time", fmtTime(st.asOf), "dash-time");
      fact("dashboard.asof.source", source === "read-model" ? t("dashboard.asof.read-model") : source === "chaincode" ? t("dashboard.asof.chaincode") : source || "—", "dash-source");
      fact("dashboard.asof.window", t("common.from-to", { From: fmtDate(st.from), To: fmtDate(st.to) }) + " · " + t("dashboard.interval." + st.interval), "dash-window");
      // The filters the answer says it applied (not those asked: the chaincode's word).
      const applied = [st.pledgee ? t("dashboard.asof.filters-pledgee", { Bank: orgName(st.pledgee), MSP: st.pledgee }) : "",
        st.kind ? t("dashboard.asof.filters-kind", { Kind: kindName(st.kind) }) : ""].filter(Boolean);
      const filtered = fact("dashboard.asof.filters", applied.length ? applied.join(" · ") : t("dashboard.asof.filters-none"), "dash-filters-applied");
      filtered.dataset.pledgee = st.pledgee || "";
      filtered.dataset.kind = st.kind || "";
      fact("dashboard.asof.read", t("dashboard.asof.read-value", { N: st.pledgesRead, Org: orgName(st.queriedBy) }), "dash-read");
      const c = st.termsCoverage || {};
      const cov = $("#dash-coverage");
      cov.textContent = t("dashboard.coverage", { Registrations: c.registrations, Read: c.read, NotEntitled: c.notEntitled, Unavailable: c.unavailable }) + " " +
        t(c.complete ? "dashboard.coverage-complete" : "dashboard.coverage-incomplete");
      cov.className = c.complete ? "coverage ok" : "coverage warn";
      cov.dataset.complete = String(!!c.complete);
    }

    const MEASURES = ["applications", "registrations", "refusals", "releases", "revocations", "deregistrations", "defaults", "disposals"];
    function totals(st) {
      const tt = st.totals || {};
      const body = MEASURES.map((m) => ({ cells: [t("dashboard.measure." + m), String(tt[m] || 0)], data: { measure: m, value: String(tt[m] || 0) } }));
      const dt = tt.decisionTimes || {};
      body.push({ cells: [t("dashboard.measure.decisions"), String(dt.count || 0)], data: { measure: "decisions", value: String(dt.count || 0) } });
      for (const [m, list] of [["securedAmount", tt.securedAmount], ["disposalPrice", tt.disposalPrice], ["proceedsApplied", tt.proceedsApplied]]) {
        body.push({ cells: [t("dashboard.measure." + m), amounts(list)], data: { measure: m, value: (list || []).map((a) => a.currency + " " + a.amount).join(";") } });
      }
      clear($("#dash-totals")).append(table(t("dashboard.totals-caption", { From: fmtDate(st.from), To: fmtDate(st.to) }), [t("dashboard.col.measure"), t("dashboard.col.value")], body));
    }

    function charts(st) {
      const ps = st.periods || [];
      const labels = ps.map((p) => p.label);
      const count = (v) => group(v);
      const days = (v) => String(v);
      const xPeriod = t("dashboard.axis.period." + st.interval);

      // Registrations and releases per period.
      draw("flow", columns({ title: titleOf("flow"), categories: labels, integer: true, format: count, yTitle: t("dashboard.axis.count"), xTitle: xPeriod,
        series: [{ key: "registrations", name: t("dashboard.measure.registrations"), colour: COLOURS[0], values: ps.map((p) => p.registrations) },
          { key: "releases", name: t("dashboard.measure.releases"), colour: COLOURS[1], values: ps.map((p) => p.releases) }] }),
      table(t("dashboard.table-of", { Title: titleOf("flow") }), [t("dashboard.period"), t("dashboard.dates"), ...["applications", "registrations", "refusals", "releases", "revocations", "deregistrations"].map((m) => t("dashboard.measure." + m))],
        ps.map((p) => ({ cells: [periodName(p.label), t("common.from-to", { From: fmtDate(p.start), To: fmtDate(p.end) }), ...[p.applications, p.registrations, p.refusals, p.releases, p.revocations, p.deregistrations].map(String)], data: { period: p.label } }))));

      // Time from application to decision, against the statutory limits.
      const dt = (p) => p.decisionTimes || {};
      const has = (p) => dt(p).count > 0;
      draw("decision", columns({ title: titleOf("decision"), categories: labels, format: days, yTitle: t("dashboard.axis.days"), xTitle: xPeriod,
        series: [{ key: "mean", name: t("dashboard.decision.mean"), colour: COLOURS[0], values: ps.map((p) => (has(p) ? dt(p).meanDays : null)) },
          { key: "p50", name: t("dashboard.decision.p50"), colour: COLOURS[2], values: ps.map((p) => (has(p) ? dt(p).p50Days : null)) },
          { key: "p90", name: t("dashboard.decision.p90"), colour: COLOURS[3], values: ps.map((p) => (has(p) ? dt(p).p90Days : null)) }],
        refs: limits($("#dashboard").dataset).map((l, i) => ({ value: l.days, label: t(l.key, { Days: l.days }), colour: i ? COLOURS[4] : COLOURS[1] })) }),
      table(t("dashboard.table-of", { Title: titleOf("decision") }), [t("dashboard.period"), t("dashboard.measure.decisions"), t("dashboard.decision.mean"), t("dashboard.decision.p50"), t("dashboard.decision.p90")],
        ps.map((p) => ({ cells: [periodName(p.label), String(dt(p).count || 0), ...(has(p) ? [dt(p).meanDays, dt(p).p50Days, dt(p).p90Days].map((v) => fixed(v, 2)) : ["—", "—", "—"])], data: { period: p.label } }))));

      // Defaults and recoveries.
      draw("defaults", columns({ title: titleOf("defaults"), categories: labels, integer: true, format: count, yTitle: t("dashboard.axis.count"), xTitle: xPeriod,
        series: [{ key: "defaults", name: t("dashboard.measure.defaults"), colour: COLOURS[4], values: ps.map((p) => p.defaults) },
          { key: "disposals", name: t("dashboard.measure.disposals"), colour: COLOURS[2], values: ps.map((p) => p.disposals) }] }),
      table(t("dashboard.table-of", { Title: titleOf("defaults") }), [t("dashboard.period"), t("dashboard.measure.defaults"), t("dashboard.measure.disposals"), t("dashboard.measure.disposalPrice"), t("dashboard.measure.proceedsApplied")],
        ps.map((p) => ({ cells: [periodName(p.label), String(p.defaults), String(p.disposals), amounts(p.disposalPrice), amounts(p.proceedsApplied)], data: { period: p.label } }))));

      // Secured amounts registered per period (CNY drawn; every currency in the table).
      const cny = (list) => { const a = inCurrency(list, "CNY"); return a ? decimal(a.amount) : 0; };
      draw("secured", columns({ title: titleOf("secured"), categories: labels, money: true, format: moneyTick, yTitle: t("dashboard.axis.cny"), xTitle: xPeriod,
        series: [{ key: "securedAmount", name: t("dashboard.measure.securedAmount"), colour: COLOURS[0], values: ps.map((p) => cny(p.securedAmount)) }] }),
      table(t("dashboard.table-of", { Title: titleOf("secured") }), [t("dashboard.period"), t("dashboard.measure.registrations"), t("dashboard.measure.securedAmount")],
        ps.map((p) => ({ cells: [periodName(p.label), String(p.registrations), amounts(p.securedAmount)], data: { period: p.label } }))));

      // Secured amounts by bank.
      const banks = st.byBank || [];
      draw("bank", rows({ title: titleOf("bank"), categories: banks.map((b) => orgName(b.msp)), format: moneyTick, xTitle: t("dashboard.axis.cny"),
        series: [{ key: "securedAmount", name: t("dashboard.measure.securedAmount"), colour: COLOURS[0], values: banks.map((b) => cny(b.amounts)) }] }),
      table(t("dashboard.table-of", { Title: titleOf("bank") }), [t("dashboard.bank"), t("dashboard.measure.registrations"), t("dashboard.registration-share"), t("dashboard.measure.securedAmount"), t("dashboard.amount-share")],
        banks.map((b) => ({ cells: [orgName(b.msp), String(b.registrations), percent(b.registrationShare), amounts(b.amounts), b.amountShare === undefined ? t("dashboard.share-not-given") : percent(b.amountShare)], data: { bank: b.msp } }))));

      // Secured amounts by kind of right.
      const kinds = st.byKind || [];
      draw("kind", rows({ title: titleOf("kind"), categories: kinds.map((k) => kindName(k.kind)), format: moneyTick, xTitle: t("dashboard.axis.cny"),
        series: [{ key: "securedAmount", name: t("dashboard.measure.securedAmount"), colour: COLOURS[2], values: kinds.map((k) => cny(k.amounts)) }] }),
      table(t("dashboard.table-of", { Title: titleOf("kind") }), [t("common.right-kind"), t("dashboard.measure.registrations"), t("dashboard.rights"), t("dashboard.measure.securedAmount")],
        kinds.map((k) => ({ cells: [kindName(k.kind), String(k.registrations), String(k.rights), amounts(k.amounts)], data: { kind: k.kind } }))));

      // Concentration: the banks' shares, the HHI, the owner in the most pledged rights.
      const c = st.concentration || {};
      const shareSeries = [{ key: "registrationShare", name: t("dashboard.registration-share"), colour: COLOURS[0], values: banks.map((b) => b.registrationShare) }];
      if (banks.some((b) => b.amountShare !== undefined)) shareSeries.push({ key: "amountShare", name: t("dashboard.amount-share"), colour: COLOURS[1], values: banks.map((b) => (b.amountShare === undefined ? null : b.amountShare)) });
      const measures = [
        { cells: [t("dashboard.concentration.registration-hhi"), fixed(c.registrationHhi, 2)], data: { measure: "registrationHhi", value: String(c.registrationHhi) } },
        { cells: [t("dashboard.concentration.amount-hhi"), c.amountHhi === undefined ? t("dashboard.share-not-given") : fixed(c.amountHhi, 2)], data: { measure: "amountHhi", value: c.amountHhi === undefined ? "" : String(c.amountHhi) } },
        { cells: [t("dashboard.concentration.pledged-rights"), String(c.pledgedRights || 0)], data: { measure: "pledgedRights", value: String(c.pledgedRights || 0) } },
        { cells: [t("dashboard.concentration.top-owner"), c.topOwnerId ? t("dashboard.concentration.top-owner-value", { Name: c.topOwnerName, Id: c.topOwnerId, N: c.topOwnerRights, Of: c.pledgedRights, P: fixed(c.topOwnerShare, 2) }) : "—"], data: { measure: "topOwner", value: c.topOwnerId || "" } },
      ];
      draw("concentration", rows({ title: titleOf("concentration"), categories: banks.map((b) => orgName(b.msp)), max: 100, format: (v) => t("dashboard.percent", { P: fixed(v, 0) }), xTitle: t("dashboard.axis.share"), series: shareSeries }),
        el("div", {}, table(t("dashboard.table-of", { Title: titleOf("concentration") }), [t("dashboard.bank"), t("dashboard.registration-share"), t("dashboard.amount-share")],
          banks.map((b) => ({ cells: [orgName(b.msp), percent(b.registrationShare), b.amountShare === undefined ? t("dashboard.share-not-given") : percent(b.amountShare)], data: { bank: b.msp } }))),
        table(t("dashboard.concentration.measures"), [t("dashboard.col.measure"), t("dashboard.col.value")], measures)));
    }

    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages(form);
      form.elements.pledgee.value = form.elements.pledgee.value.trim();
      if (!validate(form)) return;
      current = Object.fromEntries(FILTERS.map((k) => [k, form.elements[k].value]));
      load();
    });
    $("#dash-reset").addEventListener("click", () => {
      resetMessages(form);
      current = filtersOf("");
      fill(current);
      load();
    });
    // CSV: the API's own CSV for the filters shown, fetched with the key in the header, then saved
    // from a Blob through a link with download (the key never goes into a URL).
    $("#dash-csv").addEventListener("click", (ev) => busy(ev.currentTarget, async () => {
      resetMessages();
      const query = queryOf(current);
      try {
        const res = await request((query ? query + "&" : "") + "format=csv");
        const blob = await res.blob();
        const href = URL.createObjectURL(blob);
        const a = el("a", { href, download: filenameOf(res.headers.get("Content-Disposition")) || "ipledger-statistics.csv", hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(href), 60000);
        const n = $("#dash-csv-status");
        n.textContent = t("dashboard.csv-saved", { Name: a.download });
        n.dataset.file = a.download;
      } catch (err) { alertBox(err); }
    }));
    fill(current);
    refreshOn((ev) => ev.type.startsWith("Pledge"), load);
    load();
  };
})();

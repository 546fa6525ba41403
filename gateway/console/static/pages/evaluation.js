// The evaluation of the province's IP finance (F9, GET /v1/evaluation): the loans of a window by bank,
// industry and region, valuations against what the sales brought, cover, the fund and subsidies. The
// regulator, the IP office and the fund's manager see every bank's; a bank its own. A page script:
// console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, $, el, clear, t, has, tEnum, fmtMoney, orgName, api, alertBox, refreshOn, chinaToday, latest } = window.IPLedger;

  // amounts is a list of {amount, currency} in the page's words, "—" for none.
  const amounts = (list) => ((list || []).length ? list.map((a) => fmtMoney(a.amount, a.currency)).join("; ") : "—");

  // table is a table with a caption, a header row and rows of cells (text, or nodes).
  function table(caption, head, rows) {
    return el("table", { class: "list" }, el("caption", { text: caption }),
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...(rows.length ? rows : [[t("evaluation.none")]]).map((r) =>
        el("tr", {}, ...r.map((c, i) => (i === 0 ? el("th", { scope: "row" }, c) : el("td", {}, c)))))));
  }

  // groupName is a group's key in words: a bank by name, an industry section or a region code with
  // "unstated" said.
  function groupName(by, key) {
    if (key === "unstated") return t("evaluation.unstated");
    if (by === "bank") return orgName(key);
    if (by === "industry") return has("evaluation.industry." + key) ? key + " " + t("evaluation.industry." + key) : key;
    return key;
  }

  function loansTable(caption, by, column, groups) {
    return table(caption, [column, t("evaluation.col.loans"), t("evaluation.col.amounts"), t("evaluation.col.valued"),
      t("evaluation.col.covered"), t("evaluation.col.defaulted")],
    groups.map((g) => [groupName(by, g.key), String(g.loans), amounts(g.amounts), String(g.valued), String(g.covered), String(g.defaulted)]));
  }

  pages.evaluation = function () {
    const form = $("#eval-filters");
    form.elements.to.value = chinaToday();
    form.elements.from.value = chinaToday().slice(0, 4) + "-01-01";

    const turn = latest(); // a later load draws instead of an earlier one
    async function load() {
      const mine = turn();
      const q = new URLSearchParams();
      for (const k of ["from", "to"]) if (form.elements[k].value) q.set(k, form.elements[k].value);
      let ev;
      try {
        ev = await api("GET", "/v1/evaluation?" + q.toString());
      } catch (err) { if (mine()) alertBox(err); return; }
      if (mine()) render(ev);
    }

    function render(ev) {
      $("#eval-scope").textContent = ev.pledgee
        ? t("evaluation.scope.bank", { From: ev.from, To: ev.to, Bank: orgName(ev.pledgee) })
        : t("evaluation.scope.all", { From: ev.from, To: ev.to });
      const c = ev.termsCoverage;
      $("#eval-coverage").textContent = t("evaluation.coverage", { Read: c.read, N: c.registrations, NotEntitled: c.notEntitled, Unavailable: c.unavailable });
      clear($("#eval-loans")).append(
        loansTable(t("evaluation.loans.total"), "all", t("evaluation.col.scope"), [{ ...ev.loans, key: t("evaluation.all") }]),
        loansTable(t("evaluation.loans.by-bank"), "bank", t("evaluation.col.bank"), ev.byBank),
        loansTable(t("evaluation.loans.by-industry"), "industry", t("evaluation.col.industry"), ev.byIndustry),
        loansTable(t("evaluation.loans.by-region"), "region", t("evaluation.col.region"), ev.byRegion));
      const v = ev.valuations;
      clear($("#eval-valuations")).append(table(t("evaluation.valuations.title"),
        [t("evaluation.col.measure"), t("evaluation.col.value")],
        [[t("evaluation.valuations.sales"), String(v.sales)], [t("evaluation.valuations.part-sales"), String(v.partSales)],
          [t("evaluation.valuations.values-read"), String(v.valuesRead)],
          [t("evaluation.valuations.value"), amounts(v.value)], [t("evaluation.valuations.price"), amounts(v.price)],
          [t("evaluation.valuations.recovery"), v.recovery === undefined ? "—" : v.recovery.toFixed(2) + "%"]]));
      clear($("#eval-covers")).append(table(t("evaluation.covers.title"),
        [t("evaluation.col.kind"), t("evaluation.col.recorded"), t("evaluation.col.premiums"), t("evaluation.col.payments"), t("evaluation.col.paid")],
        ev.covers.map((k) => [tEnum("coverKind", k.kind), String(k.recorded), amounts(k.premiums), String(k.payments), amounts(k.paid)])));
      const f = ev.fund;
      clear($("#eval-fund")).append(table(t("evaluation.fund.title"),
        [t("evaluation.col.measure"), t("evaluation.col.count"), t("evaluation.col.amount")],
        [[t("evaluation.fund.approved"), String(f.approved), amounts(f.approvedAmount)], [t("evaluation.fund.refused"), String(f.refused), "—"],
          [t("evaluation.fund.paid"), String(f.paid), amounts(f.paidAmount)]]));
      clear($("#eval-subsidies")).append(table(t("evaluation.subsidies.title"),
        [t("evaluation.col.kind"), t("evaluation.col.approved"), t("evaluation.col.amount"), t("evaluation.col.loans-supported"),
          t("evaluation.col.flagged"), t("evaluation.col.paid-count"), t("evaluation.col.paid")],
        ev.subsidies.map((k) => [tEnum("subsidyKind", k.kind), String(k.approved), amounts(k.approvedAmount), String(k.loans),
          String(k.flagged), String(k.paid), amounts(k.paidAmount)])));
    }

    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    refreshOn((ev) => ev.type.startsWith("Pledge") || ev.type.startsWith("Cover") || ev.type.startsWith("Fund") || ev.type.startsWith("Subsidy"), load);
    load();
  };
})();

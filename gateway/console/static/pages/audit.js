// The regulator's register of pledges: every pledge on the ledger, filtered by bank, status, kind of
// right and overdue examination. A page script: console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, $, el, clear, t, tEnum, fmtTime, orgName, badge, pledgeLink, assetLink, api, listAll, truncationNote, mapLimit, alertBox, refreshOn } = window.IPLedger;

  pages.audit = function () {
    const STATUSES = ["applied", "registered", "refused", "released", "revoked", "defaulted", "disposed", "discharged", "deregistered"];
    const filters = $("#audit-filters");
    const kinds = new Map();
    let all = [], late = new Set();
    async function load() {
      try {
        const lists = await Promise.all([...STATUSES.map((s) => listAll("status=" + s)), listAll("overdue=true")]);
        truncationNote(filters, ...lists);
        late = new Set(lists.pop().map((p) => p.id));
        all = lists.flat();
        const missing = [...new Set(all.flatMap((p) => p.assetIds))].filter((a) => !kinds.has(a));
        await mapLimit(missing, 4, (a) => api("GET", "/v1/assets/" + encodeURIComponent(a)).then((x) => kinds.set(a, x.kind), () => {})); // a right not read is said in words, and read again next time
      } catch (err) { alertBox(err); return; }
      bankOptions();
      render();
    }
    // bankOptions lists the banks of the pledges on the register: no list of banks is fixed, so a bank
    // that joined later appears with its first pledge.
    function bankOptions() {
      const sel = filters.elements.bank, cur = sel.value;
      const banks = [...new Set(all.map((p) => p.pledgee.msp))].sort();
      sel.replaceChildren(el("option", { value: "", text: t("common.all") }), ...banks.map((m) => el("option", { value: m, text: orgName(m) })));
      sel.value = banks.includes(cur) ? cur : "";
    }
    function render() {
      const f = Object.fromEntries(new FormData(filters));
      const rows = all.filter((p) => (!f.bank || p.pledgee.msp === f.bank) && (!f.status || p.status === f.status) &&
        (!f.kind || p.assetIds.some((a) => kinds.get(a) === f.kind)) && (!f.overdue || late.has(p.id)));
      rows.sort((a, b) => (b.appliedAt || "").localeCompare(a.appliedAt || ""));
      const count = (key) => rows.reduce((m, p) => m.set(key(p), (m.get(key(p)) || 0) + 1), new Map());
      const counts = clear($("#audit-counts"));
      counts.append(el("span", { text: t("audit.count-pledges", { N: rows.length }) }), el("span", { text: t("audit.count-overdue", { N: rows.filter((p) => late.has(p.id)).length }) }));
      for (const [k, n] of count((p) => p.status)) counts.append(el("span", {}, badge(k), " " + n));
      for (const [k, n] of count((p) => orgName(p.pledgee.msp))) counts.append(el("span", { text: k + ": " + n }));
      const tbody = clear($("#audit-rows"));
      for (const p of rows) {
        tbody.append(el("tr", { "data-pledge": p.id }, el("td", {}, pledgeLink(p.id), late.has(p.id) ? [" ", badge("overdue", "flag")] : ""),
          el("td", { text: orgName(p.pledgee.msp) }), el("td", {}, ...p.assetIds.map((a) => [assetLink(a), " "])),
          el("td", { text: [...new Set(p.assetIds.map((a) => (kinds.has(a) ? tEnum("assetKind", kinds.get(a)) : t("audit.kind-unread"))))].join(t("common.list-sep")) }), el("td", {}, badge(p.status)),
          el("td", { text: fmtTime(p.appliedAt) }), el("td", { text: fmtTime(p.decidedAt) }), el("td", { text: (p.ranks || []).map((r) => r.rank).join(", ") })));
      }
      if (!rows.length) tbody.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: t("audit.empty") })));
    }
    filters.addEventListener("change", render);
    $("#audit-reload").addEventListener("click", load);
    refreshOn((ev) => ev.type.startsWith("Pledge"), load);
    load();
  };
})();

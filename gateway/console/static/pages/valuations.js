// A valuation agency's reports (F2): issue one for a client bank (POST /v1/valuations, its value sent
// privately), and the agency's reports on the ledger (GET /v1/valuations?valuer=). A page script:
// console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, MSP, $, el, clear, t, tEnum, fmtDate, orgName, badge, assetLink, listEvery, actionForm, alertBox, refreshOn, truncationNote, latest } = window.IPLedger;

  pages.valuations = function () {
    const form = $("#val-form");
    const v = (name) => form.elements[name].value.trim();
    $("#val-file").addEventListener("change", async (ev) => {
      const f = ev.target.files[0];
      if (!f || !crypto.subtle) return;
      const sum = await crypto.subtle.digest("SHA-256", await f.arrayBuffer());
      $("#val-hash").value = Array.from(new Uint8Array(sum), (x) => x.toString(16).padStart(2, "0")).join("");
      $("#val-hash").dispatchEvent(new Event("input", { bubbles: true })); // another report: another request
    });
    actionForm(form, () => {
      $("#val-issued").hidden = true;
      return {
        path: "/v1/valuations",
        body: {
          assetIds: v("assetIds").split(",").map((s) => s.trim()).filter(Boolean),
          clientBank: v("clientBank"),
          method: v("method"),
          valuation: { value: v("value"), currency: v("currency") },
          valuationDate: v("valuationDate"),
          validUntil: v("validUntil"),
          reportNumber: v("reportNumber"),
          reportHash: v("reportHash"),
        },
      };
    }, (r) => {
      const id = r.id || (r.result || {}).id;
      const box = clear($("#val-issued"));
      box.append(el("strong", { text: t("valuations.issued") + " " }), el("code", { "data-report": id, text: id }),
        el("div", { text: t("valuations.issued-detail", { Bank: orgName(v("clientBank")), Block: r.blockNumber, Tx: r.txId }) }));
      box.hidden = false;
      load();
    });

    const turn = latest(); // a later load draws instead of an earlier one
    async function load() {
      const mine = turn();
      const tbody = $("#val-rows");
      let items;
      try { items = await listEvery("/v1/valuations?valuer=" + encodeURIComponent(MSP)); } catch (err) { if (mine()) alertBox(err); return; }
      if (!mine()) return;
      items.sort((a, b) => (b.issuedAt || "").localeCompare(a.issuedAt || ""));
      truncationNote(tbody.closest("table"), items);
      clear(tbody);
      for (const r of items) {
        tbody.append(el("tr", { "data-report": r.id }, el("td", {}, el("code", { text: r.id })), el("td", { text: r.reportNumber || "" }),
          el("td", { text: orgName(r.clientBank) }), el("td", {}, ...(r.assetIds || []).map((a) => [assetLink(a), " "])),
          el("td", { text: tEnum("valuationMethod", r.method) }), el("td", { text: fmtDate(r.valuationDate) }),
          el("td", { text: fmtDate(r.validUntil) }), el("td", {}, badge(r.status, "valuationStatus"))));
      }
      if (!items.length) tbody.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: t("valuations.empty") })));
      tbody.dataset.loaded = "";
    }
    refreshOn((ev) => ev.type.startsWith("ValuationReport"), load);
    load();
  };
})();

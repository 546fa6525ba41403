// An insurer's covers (F4, F5): record insurance or a guarantee on a registered pledge (POST
// /v1/covers), the insurer's covers on the ledger (GET /v1/covers?insurer=), and the payment of one
// after the pledge's disposal (POST /v1/covers/{id}/payment). A page script: console.js's helpers are
// window.IPLedger.
"use strict";

(function () {
  const { pages, MSP, $, el, clear, t, tEnum, fmtTime, fmtDate, fmtMoney, orgName, pledgeLink, listEvery, actionForm, alertBox, refreshOn, truncationNote, latest } = window.IPLedger;

  // basisPoints is a percent as typed ("70", "12.5") in basis points (7000, 1250), without a float's
  // rounding error: at most two decimals, as the input allows.
  function basisPoints(s) {
    const m = /^([0-9]{1,3})(?:\.([0-9]{1,2}))?$/.exec(String(s).trim());
    return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : NaN;
  }
  const percent = (bp) => (bp / 100).toFixed(2).replace(/\.?0+$/, "") + " %";

  pages.covers = function () {
    const form = $("#cover-form");
    const v = (name) => form.elements[name].value.trim();
    actionForm(form, () => {
      $("#cover-done").hidden = true;
      return {
        path: "/v1/covers",
        body: {
          pledgeId: v("pledgeId"), kind: v("kind"), policyNumber: v("policyNumber"), coveredShare: basisPoints(v("coveredShare")),
          premium: v("premium"), currency: v("currency"), termStart: v("termStart"), termEnd: v("termEnd"),
        },
      };
    }, (r) => {
      const id = r.id || (r.result || {}).id;
      const box = clear($("#cover-done"));
      box.append(el("strong", { text: t("covers.done") + " " }), el("code", { "data-cover": id, text: id }),
        el("div", { text: t("covers.done-detail", { Pledge: v("pledgeId"), Block: r.blockNumber, Tx: r.txId }) }));
      box.hidden = false;
      load();
    });

    // payForm is a cover's payment form (its template's fields carry the API's checks).
    function payForm(c) {
      const f = $("#cover-pay-tpl").content.firstElementChild.cloneNode(true);
      f.dataset.cover = c.id;
      actionForm(f, () => ({ path: "/v1/covers/" + encodeURIComponent(c.id) + "/payment",
        body: { amount: f.elements.amount.value.trim(), reference: f.elements.reference.value.trim() } }), () => load());
      return f;
    }

    const turn = latest(); // a later load draws instead of an earlier one
    async function load() {
      const mine = turn();
      const tbody = $("#cover-rows");
      let items;
      try { items = await listEvery("/v1/covers?insurer=" + encodeURIComponent(MSP)); } catch (err) { if (mine()) alertBox(err); return; }
      if (!mine()) return;
      items.sort((a, b) => (b.recordedAt || "").localeCompare(a.recordedAt || ""));
      truncationNote(tbody.closest("table"), items);
      clear(tbody);
      for (const c of items) {
        const paid = c.payment
          ? el("span", { class: "paid", "data-paid": c.payment.amount, text: t("covers.paid", { Amount: fmtMoney(c.payment.amount, c.payment.currency || c.currency), Reference: c.payment.reference || "", Time: fmtTime(c.payment.at) }) })
          : payForm(c);
        tbody.append(el("tr", { "data-cover": c.id }, el("td", {}, el("code", { text: c.id })), el("td", {}, pledgeLink(c.pledgeId)),
          el("td", { text: orgName(c.pledgee) }), el("td", { text: tEnum("coverKind", c.kind) }), el("td", { text: c.policyNumber || "" }),
          el("td", { text: percent(c.coveredShare || 0) }), el("td", { text: t("common.from-to", { From: fmtDate(c.termStart), To: fmtDate(c.termEnd) }) }),
          el("td", { text: fmtMoney(c.premium, c.currency) }), el("td", {}, paid)));
      }
      if (!items.length) tbody.append(el("tr", {}, el("td", { colspan: 9, class: "muted", text: t("covers.empty") })));
      tbody.dataset.loaded = "";
    }
    refreshOn((ev) => ev.type.startsWith("Cover"), load);
    load();
  };
})();

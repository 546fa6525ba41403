// The IP office's accreditation of valuation agencies (F1, POST /v1/accreditations/{msp}): an agency
// accredited for a period issues the reports a pledge may cite (F2, F3). Recording it again renews it.
// A page script: console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, $, el, clear, t, tEnum, fmtDate, orgName, actionForm } = window.IPLedger;

  pages.accreditations = function () {
    const form = $("#acc-form");
    const v = (name) => form.elements[name].value.trim();
    actionForm(form, () => {
      $("#acc-done").hidden = true;
      return {
        path: "/v1/accreditations/" + encodeURIComponent(v("msp")),
        body: { name: v("name"), filingNumber: v("filingNumber"), validFrom: v("validFrom"), validUntil: v("validUntil") },
      };
    }, (r) => {
      const a = r.result || {};
      const box = clear($("#acc-done"));
      box.dataset.msp = a.msp || v("msp");
      box.append(el("strong", { text: t("accreditations.done") + " " }),
        el("span", { "data-msp": a.msp || v("msp"), text: orgName(a.msp || v("msp")) + " (" + (a.msp || v("msp")) + ")" }), " ",
        el("span", { class: "badge " + (a.status || ""), "data-status": a.status || "", text: tEnum("accreditationStatus", a.status) }),
        el("div", { text: t("accreditations.done-detail", { Name: a.name || v("name"), From: fmtDate(a.validFrom || v("validFrom")),
          Until: fmtDate(a.validUntil || v("validUntil")), Block: r.blockNumber, Tx: r.txId }) }));
      box.hidden = false;
    });
    form.dataset.ready = "";
  };
})();

// A bank's part of the IP-finance record (F5, F7, F8): its claim on the risk-compensation fund for the
// loss on a pledge whose rights were sold (POST /v1/fund/claims; the loss as the ledger computes it,
// GET /v1/pledges/{id}/loss), and its applications for a loan-interest, premium or valuation-fee
// subsidy (POST /v1/fund/subsidies). A page script: console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, $, el, clear, t, fmtMoney, api, actionForm, explain, latest } = window.IPLedger;

  // sha256 fills input with the SHA-256 of the file chosen in picker.
  function sha256Into(picker, input) {
    picker.addEventListener("change", async (ev) => {
      const f = ev.target.files[0];
      if (!f || !crypto.subtle) return;
      const sum = await crypto.subtle.digest("SHA-256", await f.arrayBuffer());
      input.value = Array.from(new Uint8Array(sum), (x) => x.toString(16).padStart(2, "0")).join("");
      input.dispatchEvent(new Event("input", { bubbles: true })); // another document: another request
    });
  }

  pages.finance = function () {
    const claim = $("#claim-form");
    const pledge = () => claim.elements.pledgeId.value.trim();

    // The pledge's loss as the ledger computes it (F5): what a claim would be computed from.
    const lossTurn = latest(); // the last pledge asked for draws, once
    async function showLoss() {
      const mine = lossTurn();
      const id = pledge();
      if (!id) { clear($("#claim-loss")); return; }
      let l;
      try { l = await api("GET", "/v1/pledges/" + encodeURIComponent(id) + "/loss"); } catch (err) {
        if (mine()) clear($("#claim-loss")).append(el("p", { class: "muted", "data-loss": "", text: t("finance.loss-none", { Reason: explain(err).words }) }));
        return;
      }
      if (!mine()) return;
      const row = (k, amount) => [el("dt", { text: t(k) }), el("dd", { text: fmtMoney(amount, l.currency) })];
      clear($("#claim-loss")).append(el("dl", { class: "facts", "data-loss": l.pledgeId || id }, ...row("finance.loss.claim", l.claim), ...row("finance.loss.proceeds", l.proceeds),
        ...row("finance.loss.gross", l.gross), ...row("finance.loss.insurance", l.insurancePaid), ...row("finance.loss.net", l.net)));
    }
    $("#claim-loss-show").addEventListener("click", showLoss);
    claim.dataset.ready = "";
    claim.elements.pledgeId.addEventListener("change", showLoss);
    actionForm(claim, () => {
      $("#claim-done").hidden = true;
      return { path: "/v1/fund/claims", body: { pledgeId: pledge() } };
    }, (r) => {
      const id = r.id || (r.result || {}).id;
      const c = r.result || {};
      const box = clear($("#claim-done"));
      box.append(el("strong", { text: t("finance.claim-done") + " " }), el("code", { "data-claim": id, text: id }),
        el("div", { text: t("finance.claim-computed", { Amount: c.computed ? fmtMoney(c.computed, c.currency) : "—" }) }),
        el("div", { text: t("finance.done-detail", { Block: r.blockNumber, Tx: r.txId }) }));
      box.hidden = false;
    });

    const sub = $("#subsidy-form");
    const v = (name) => sub.elements[name].value.trim();
    const toggle = (box, on) => { box.disabled = !on; box.hidden = !on; };
    const kindChanged = () => {
      toggle($("#sub-period"), v("kind") === "loan-interest");
      toggle($("#sub-cover"), v("kind") === "premium");
    };
    $("#sub-kind").addEventListener("change", kindChanged);
    kindChanged();
    sha256Into($("#sub-evidence-file"), $("#sub-evidence"));
    actionForm(sub, () => {
      $("#subsidy-done").hidden = true;
      const body = { pledgeId: v("pledgeId"), kind: v("kind"), enterprise: { id: v("enterprise-id"), name: v("enterprise-name") },
        basis: v("basis"), currency: v("currency"), evidenceHash: v("evidenceHash") };
      if (body.kind === "loan-interest") Object.assign(body, { periodStart: v("periodStart"), periodEnd: v("periodEnd") });
      if (body.kind === "premium") body.coverId = v("coverId");
      return { path: "/v1/fund/subsidies", body };
    }, (r) => {
      const id = r.id || (r.result || {}).id;
      const s = r.result || {};
      const box = clear($("#subsidy-done"));
      box.append(el("strong", { text: t("finance.subsidy-done") + " " }), el("code", { "data-subsidy": id, text: id }),
        el("div", { text: t("finance.subsidy-computed", { Amount: s.computed ? fmtMoney(s.computed, s.currency) : "—" }) }),
        el("div", { text: t("finance.done-detail", { Block: r.blockNumber, Tx: r.txId }) }));
      box.hidden = false;
    });
    sub.dataset.ready = "";
  };
})();

// The party search (S1) and the certified search extract with its proof (S2), printable on A4
// (pages/parties.css). A page script: console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, $, $$, el, clear, t, tEnum, fmtTime, short, orgName, badge, pledgeLink, assetLink, param, api, alertBox,
    resetMessages, showServerError, validate, refreshOn, latest, busy, orgNames } = window.IPLedger;

  pages.parties = function () {
    const form = $("#parties-form");
    const by = $("#party-by"), input = $("#party-q");
    let next = "", query = "", current = "";
    const sep = t("common.list-sep");
    // search reads the first page of a query, or (more) the next one. Only the newest search or page
    // draws (latest): a page of an earlier query that answers late never mixes into a new search's rows.
    const searchTurn = latest();
    async function search(more) {
      const mine = searchTurn();
      resetMessages(form);
      if (!more) { next = ""; clear($("#party-rows")); $("#party-more").hidden = true; }
      let page;
      try {
        page = await api("GET", "/v1/parties?" + query + "&pageSize=50" + (next ? "&bookmark=" + encodeURIComponent(next) : ""));
      } catch (err) {
        if (!mine()) return;
        if (err.status === 422) showServerError(form, err); else alertBox(err);
        return;
      }
      if (!mine()) return;
      const rows = $("#party-rows");
      for (const h of page.items) {
        // A party's records may go on over pages: one row per party, counts added up.
        let tr = $$("tr", rows).find((r) => r.dataset.party === h.id);
        if (!tr) {
          tr = el("tr", { "data-party": h.id }, el("td", {}, el("code", { text: h.id })), el("td"), el("td", { text: "0" }), el("td", { text: "0" }), el("td", { text: "0" }),
            el("td", {}, el("button", { type: "button", class: "link", text: t("parties.extract-button"), onclick: () => showExtract(h.id) })));
          rows.append(tr);
        }
        const cells = tr.children;
        tr.names = new Set([...(tr.names || []), ...h.names]);
        cells[1].textContent = Array.from(tr.names).join(sep);
        cells[2].textContent = String(Number(cells[2].textContent) + h.rights.length);
        cells[3].textContent = String(Number(cells[3].textContent) + h.pledges.length);
        cells[4].textContent = String(Number(cells[4].textContent) + (h.debts || []).length);
      }
      next = page.bookmark;
      $("#party-more").hidden = !next;
      $("#party-results").hidden = false;
      if (!rows.children.length) rows.append(el("tr", {}, el("td", { colspan: "6", class: "muted", text: t("parties.none-found") })));
    }
    const proofCell = (tx) => tx ? el("td", {}, String(tx.blockNumber), " · ", el("code", { text: short(tx.txId), title: tx.txId }), " · ", orgNames(tx.endorsingOrgs),
      tx.valid ? "" : " (" + tx.validationCode + ")") : el("td", { class: "muted", text: t("parties.not-registered") });
    const turn = latest();
    async function showExtract(id) {
      const mine = turn();
      resetMessages(form);
      current = id;
      let v;
      try {
        v = await api("GET", "/v1/parties/" + encodeURIComponent(id) + "/extract");
      } catch (err) {
        if (!mine()) return;
        $("#extract").hidden = true;
        alertBox(err);
        return;
      }
      if (!mine()) return;
      history.replaceState(null, "", "/console/parties?id=" + encodeURIComponent(id));
      const x = v.extract, pr = v.proof;
      const proofOf = (list, rid) => (list.find((p) => p.id === rid) || {});
      $("#ex-names").textContent = x.names.join(sep);
      $("#ex-id").textContent = x.id;
      $("#ex-asof").textContent = fmtTime(x.asOf); // Beijing time, as every time of the console
      $("#ex-by").textContent = orgName(x.queriedBy) + " (" + x.queriedBy + ")";
      // The issuing organization is the one whose gateway answered: the extract is read for it.
      $("#ex-issuer").textContent = orgName(x.queriedBy) + " (" + x.queriedBy + ")";
      $("#ex-qr").src = "/console/qr.svg?party=" + encodeURIComponent(x.id);
      $("#ex-link").textContent = location.origin + "/console/parties?id=" + x.id;
      $("#ex-endpoint").textContent = "GET /v1/parties/" + x.id + "/extract";
      $("#ex-no-rights").hidden = x.rights.length > 0;
      $("#ex-rights-table").hidden = x.rights.length === 0;
      clear($("#ex-rights")).append(...x.rights.map((r) => el("tr", {}, el("td", {}, assetLink(r.id)), el("td", { text: tEnum("assetKind", r.kind) + " · " + r.number }),
        el("td", { text: r.title }), el("td", {}, badge(r.legalStatus, "legalStatus"), r.frozen ? badge("frozen", "flag") : "", r.disputed ? badge("disputed", "flag") : ""),
        el("td", { text: (r.share / 100).toFixed(2) + " %" }), el("td", { text: String(r.encumbrances) }), proofCell(proofOf(pr.rights, r.id).registration))));
      const pledgeRows = (list, proofs) => list.map((p) => el("tr", {}, el("td", {}, pledgeLink(p.id)), el("td", {}, badge(p.status)),
        el("td", { text: p.pledgee.name + " (" + orgName(p.pledgee.msp) + ")" }), el("td", { text: p.registrationNumber || "" }),
        el("td", { text: p.assetIds.join(", ") }), proofCell(proofOf(proofs, p.id).registration)));
      $("#ex-no-pledges").hidden = x.pledges.length > 0;
      $("#ex-pledges-table").hidden = x.pledges.length === 0;
      clear($("#ex-pledges")).append(...pledgeRows(x.pledges, pr.pledges));
      const debts = x.debts || [];
      $("#ex-no-debts").hidden = debts.length > 0;
      $("#ex-debts-table").hidden = debts.length === 0;
      clear($("#ex-debts")).append(...pledgeRows(debts, pr.debts || []));
      $("#ex-channel").textContent = pr.channel;
      $("#ex-height").textContent = pr.ledgerHeight;
      $("#ex-verified").textContent = orgName(pr.verifiedBy) + " (" + pr.verifiedBy + ")";
      $("#ex-valid-at").textContent = t("extract.valid-at", { Height: pr.ledgerHeight, Time: fmtTime(x.asOf) });
      $("#extract").hidden = false;
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages(form);
      if (!validate(form)) return;
      query = by.value + "=" + encodeURIComponent(input.value.trim());
      $("#extract").hidden = true;
      search(false);
    });
    // The More button is disabled while its page loads: a second click does not add the page twice.
    $("#party-more").addEventListener("click", (ev) => busy(ev.currentTarget, () => search(true)));
    $("#ex-print").addEventListener("click", () => window.print());
    refreshOn((ev) => ev.type.startsWith("Transfer") || ev.type.startsWith("Pledge") || ev.type.startsWith("Asset"), () => current && showExtract(current));
    if (param("id")) {
      by.value = "id";
      input.value = param("id");
      showExtract(param("id"));
    }
  };
})();

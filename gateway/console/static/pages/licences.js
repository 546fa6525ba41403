// The licence register of an IP right (L1-L4): every licence recorded on it, terminated ones too, with
// type (独占/排他/普通), licensees, term, territory, filing number (备案号) and status, and the licence
// requests waiting; the IP office records an early termination (L3). A page script: console.js's
// helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, KIND, $, el, clear, t, tEnum, fmtTime, fmtDate, badge, param, api, alertBox, notice, resetMessages, validate,
    refreshOn, actionForm, findAsset, chinaToday, latest } = window.IPLedger;
  const enc = encodeURIComponent;


  pages.licences = function () {
    const lookup = $("#licence-lookup");
    let current = "";

    // wanted is the right last asked for (drawn, or its read on the way): a live refresh reloads it,
    // never the right drawn before a lookup of another one (a slow redraw would overwrite the lookup).
    let wanted = "";
    const turn = latest();
    async function show(id) {
      wanted = id;
      const mine = turn();
      let asset, st, pending;
      try {
        asset = await findAsset(id);
        [st, pending] = await Promise.all([api("GET", "/v1/verify/" + enc(asset.id)).then((v) => v.statement),
          api("GET", "/v1/transfers?assetId=" + enc(asset.id) + "&status=requested&kind=license&pageSize=100")]);
      } catch (err) {
        if (!mine()) return;
        $("#licence-register").hidden = true;
        alertBox(err);
        return;
      }
      if (!mine()) return;
      current = asset.id;
      history.replaceState(null, "", "/console/licences?asset=" + enc(asset.id));
      $("#l-heading").textContent = t("licences.heading", { Title: asset.title, Number: asset.number });
      $("#l-facts").textContent = t("licences.facts", { Kind: tEnum("assetKind", asset.kind), Id: asset.id, Status: tEnum("legalStatus", asset.legalStatus),
        Owners: asset.owners.map((o) => o.name).join(t("common.list-sep")), AsOf: fmtTime(st.asOf) });
      // The status of a licence not terminated is the statement's (on the register's day); a terminated
      // one keeps its record on the right with the termination.
      const status = new Map((st.licenses || []).map((l) => [l.transferId, l.status]));
      const licences = (asset.licenses || []).slice().sort((a, b) => (b.recordedAt || "").localeCompare(a.recordedAt || ""));
      const tbody = clear($("#l-rows"));
      for (const l of licences) {
        const s = l.termination ? "terminated" : status.get(l.transferId) || "";
        tbody.append(el("tr", { "data-licence": l.transferId, "data-status": s },
          el("td", {}, el("a", { href: "/console/transfers?id=" + enc(l.transferId), text: l.transferId })),
          el("td", { text: l.type ? tEnum("licenseType", l.type) : t("verify.not-recorded") }),
          el("td", { text: (l.licensees || []).map((x) => x.name + " (" + x.id + ")").join(t("common.list-sep")) }),
          el("td", { text: l.termStart ? t("common.from-to", { From: fmtDate(l.termStart), To: fmtDate(l.termEnd) }) : "" }),
          el("td", { text: (l.territory || []).join(t("common.list-sep")) + (l.territoryNote ? " (" + l.territoryNote + ")" : "") }),
          el("td", { text: l.filingNumber || "" }),
          el("td", { text: fmtTime(l.recordedAt) }),
          el("td", {}, s ? badge(s, "licenseStatus") : "", l.termination ? el("div", { class: "muted", text: t("licences.terminated-on", { Date: fmtDate(l.termination.date), Reason: l.termination.reason }) }) : "")));
      }
      if (!licences.length) tbody.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: t("verify.unlicensed") })));
      $("#l-caption").textContent = t("licences.count", { N: licences.length, InForce: licences.filter((l) => !l.termination && status.get(l.transferId) === "in-force").length });
      const waiting = pending.items || []; // the licence requests waiting (kind=license)
      const ul = clear($("#l-pending"));
      for (const tr of waiting) {
        ul.append(el("li", {}, el("a", { href: "/console/transfers?id=" + enc(tr.id), text: tr.id }), " · " + tEnum("licenseType", tr.license && tr.license.type) + " · " +
          tr.newOwners.map((o) => o.name).join(t("common.list-sep")) + " · " + fmtTime(tr.requestedAt)));
      }
      if (!waiting.length) ul.append(el("li", { class: "muted", text: t("licences.none-pending") }));
      $("#l-history").href = "/console/history?asset=" + enc(asset.id);
      if ($("#l-request")) $("#l-request").href = "/console/transfers?kind=license&asset=" + enc(asset.id);
      const sel = $("#lt-licence");
      if (sel) {
        const open = licences.filter((l) => !l.termination);
        const keep = sel.value;
        sel.replaceChildren(el("option", { value: "", text: t("licences.choose") }), ...open.map((l) =>
          el("option", { value: l.transferId, text: l.transferId + " · " + (l.type ? tEnum("licenseType", l.type) : "") + " · " + (l.licensees || []).map((x) => x.name).join(t("common.list-sep")) })));
        if (open.some((l) => l.transferId === keep)) sel.value = keep;
        if (!$("#lt-date").value) $("#lt-date").value = chinaToday();
      }
      $("#licence-register").hidden = false;
    }

    const term = $("#licence-terminate");
    if (term && KIND === "ipoffice") {
      actionForm(term, () => ({ path: "/v1/assets/" + enc(current) + "/licenses/" + enc(term.elements.transferId.value) + "/terminate",
        body: { date: term.elements.date.value, reason: term.elements.reason.value.trim() } }), async (r, b) => {
        const id = term.elements.transferId.value;
        notice(t("licences.terminated", { Licence: id, Date: fmtDate(b.date), Block: r.blockNumber, Tx: r.txId }) + (r.replay ? " " + t("transfers.replay") : ""));
        $("#notice").dataset.outcome = "terminate:" + id;
        term.elements.reason.value = "";
        await show(current);
      });
    }

    lookup.addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages(lookup);
      if (validate(lookup)) show($("#l-asset").value.trim());
    });
    // A licence recorded or terminated, or a transfer requested on the right, changes the register.
    refreshOn((ev, p) => wanted && (p.assetIds || []).includes(wanted) && (ev.type.startsWith("Transfer") || ev.type.startsWith("License") || ev.type.startsWith("Asset")), () => show(wanted));
    if (param("asset")) {
      $("#l-asset").value = param("asset");
      show(param("asset"));
    }
  };
})();

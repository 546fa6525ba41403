// Transfers (转让) and licences (许可) requested for recording: the exchange requests one after a trade
// and lists its requests; a pledgee bank finds those that need its consent and consents (P7) with the
// use of the proceeds; the IP office lists those waiting for it and records or refuses them with reason
// codes (T1). A page script: console.js's helpers are window.IPLedger; every decision is the chaincode's.
"use strict";

(function () {
  const { pages, MSP, KIND, $, $$, el, clear, t, tEnum, fmtTime, fmtDate, orgName, badge, assetLink, param, api,
    alertBox, notice, resetMessages, validate, refreshOn, actionForm } = window.IPLedger;

  const PAGE_SIZE = 20;
  const CONSENT_PAGE_SIZE = 100; // a bank's requests to consent to: usually all of them at once
  const enc = encodeURIComponent;
  // answered is the notice of a submission: its words, and when the ledger had decided the same request
  // before (a repeat with the same Idempotency-Key), that nothing was written again.
  const answered = (text, r, outcome) => {
    notice(text + (r.replay ? " " + t("transfers.replay") : ""));
    $("#notice").dataset.outcome = outcome;
  };
  const names = (owners) => (owners || []).map((o) => o.name).join(", ");

  pages.transfers = function () {
    const view = $("#transfer-view");
    const filters = $("#transfer-filters");
    let shown = "", shownAsset = "";

    // ---- the exchange's request -------------------------------------------------------------------
    const reqForm = $("#transfer-form");
    if (reqForm) {
      const licence = $("#t-license");
      const kindChanged = () => { licence.disabled = licence.hidden = $("#t-kind").value !== "license"; };
      $("#t-kind").addEventListener("change", kindChanged);
      if (param("asset")) $("#t-asset").value = param("asset");
      if (param("kind") === "license") { $("#t-kind").value = "license"; kindChanged(); }
      actionForm(reqForm, () => {
        const b = { assetId: $("#t-asset").value.trim(), kind: $("#t-kind").value, origin: "trade", tradeRef: $("#t-ref").value.trim(),
          newOwners: [{ id: $("#t-owner-id").value.trim(), name: $("#t-owner-name").value.trim(), share: 10000 }] };
        if (b.kind === "license") {
          b.license = { type: $("#t-ltype").value, termStart: $("#t-lstart").value, termEnd: $("#t-lend").value,
            territory: $("#t-lterr").value.split(",").map((x) => x.trim()).filter(Boolean), filingNumber: $("#t-lfiling").value.trim() };
          if ($("#t-lnote").value.trim()) b.license.territoryNote = $("#t-lnote").value.trim();
        }
        return { path: "/v1/transfers", body: b };
      }, async (r) => {
        answered(t("transfers.requested", { Transfer: r.id, Block: r.blockNumber, Tx: r.txId }), r, "request:" + r.id);
        await Promise.all([show(r.id), loadList()]);
      });
    }

    // ---- the list ---------------------------------------------------------------------------------
    // The API lists by IP right, status, requesting organization, kind and the bank whose consent a
    // request waits for (consentOf), a page at a time (bookmark). A bank's "needs my consent" is
    // consentOf=<its MSP>: the chaincode decides which requests wait for it (P7), as it does when the
    // IP office records one; with the other filters given, all must hold.
    const pagesSeen = [""];
    let pageAt = 0;
    const consentView = () => KIND === "bank" && filters.elements.needsConsent && filters.elements.needsConsent.checked;
    function query(bookmark) {
      const q = new URLSearchParams();
      for (const k of ["status", "requestedBy", "assetId"]) {
        const v = filters.elements[k].value.trim();
        if (v) q.set(k, v);
      }
      if (consentView()) q.set("consentOf", MSP);
      q.set("pageSize", String(consentView() ? CONSENT_PAGE_SIZE : PAGE_SIZE));
      if (bookmark) q.set("bookmark", bookmark);
      return q.toString();
    }
    // page reads one page of the list; a filtered page may be empty while more follow, so an empty one
    // is followed, one request after the other, a few times at most.
    async function page(bookmark) {
      let p;
      for (let i = 0; i < 5; i++) {
        p = await api("GET", "/v1/transfers?" + query(bookmark));
        if ((p.items || []).length || !p.bookmark) break;
        bookmark = p.bookmark;
      }
      return p;
    }
    async function loadList() {
      const tbody = $("#tl-rows");
      const consent = consentView();
      let items, next = "";
      try {
        const p = await page(pagesSeen[pageAt]);
        items = p.items || [];
        next = p.bookmark || "";
      } catch (err) {
        clear(tbody);
        if (err.status === 422 && err.details && err.details.field) {
          const slot = $(`[data-error-for="${CSS.escape(err.details.field)}"]`, filters);
          if (slot) slot.textContent = t("error.ledger-says", { Message: err.message });
        }
        alertBox(err);
        return;
      }
      clear(tbody);
      for (const tr of items) tbody.append(row(tr));
      if (!items.length) tbody.append(el("tr", {}, el("td", { colspan: 7, class: "muted", text: consent ? t("transfers.list-empty.consent") : t("transfers.list-empty") })));
      $("#tl-caption").textContent = consent ? t(pageAt || next ? "transfers.list-count.consent-page" : "transfers.list-count.consent", { N: items.length, Page: pageAt + 1 })
        : t("transfers.list-count", { N: items.length, Page: pageAt + 1 });
      pagesSeen.length = pageAt + 1;
      if (next) pagesSeen.push(next);
      $("#tl-next").hidden = !next;
      $("#tl-first").hidden = pageAt === 0;
    }
    function row(tr) {
      const link = el("a", { href: "/console/transfers?id=" + enc(tr.id), text: tr.id, onclick: (ev) => { ev.preventDefault(); lookUp(tr.id); } });
      return el("tr", { "data-transfer": tr.id },
        el("td", {}, link),
        el("td", {}, assetLink(tr.assetId)),
        el("td", { text: tEnum("transferKind", tr.kind) + (tr.license ? " · " + tEnum("licenseType", tr.license.type) : "") + " · " + tEnum("transferOrigin", tr.origin) }),
        el("td", { text: fmtTime(tr.requestedAt) + " · " + orgName(tr.requestedBy) }),
        el("td", { text: t("transfers.from-to", { From: names(tr.fromOwners), To: names(tr.newOwners) }) }),
        el("td", { text: tr.consents.length ? tr.consents.map((c) => orgName(c.msp)).join(", ") : t("transfers.no-consent") }),
        el("td", {}, badge(tr.status, "transferStatus")));
    }
    filters.addEventListener("submit", (ev) => {
      ev.preventDefault();
      $$(".field-error", filters).forEach((s) => { s.textContent = ""; });
      pagesSeen.length = 1;
      pageAt = 0;
      loadList();
    });
    filters.addEventListener("change", (ev) => { if (ev.target.name === "needsConsent") filters.requestSubmit(); });
    $("#tl-next").addEventListener("click", () => { pageAt++; loadList(); });
    $("#tl-first").addEventListener("click", () => { pageAt = 0; loadList(); });

    // ---- one transfer -----------------------------------------------------------------------------
    // show draws a transfer, or, for an IP right's id, the transfers waiting on it, with what this
    // organization may do with each.
    async function show(id) {
      shown = id;
      let ts = [];
      try {
        ts = [await api("GET", "/v1/transfers/" + enc(id))];
      } catch (err) {
        if (err.status !== 404) { alertBox(err); return; }
        try {
          const st = (await api("GET", "/v1/verify/" + enc(id))).statement;
          ts = await Promise.all(st.pendingTransfers.map((x) => api("GET", "/v1/transfers/" + enc(x))));
          if (!ts.length) { clear(view).append(el("p", { class: "muted", text: t("transfers.none-pending", { Id: id }) })); return; }
        } catch (err2) { alertBox(err2); return; }
      }
      shownAsset = ts.length ? ts[0].assetId : "";
      const cards = [];
      for (const tr of ts) cards.push(await transferCard(tr));
      clear(view).append(...cards);
    }
    function lookUp(id) {
      $("#t-id").value = id;
      history.replaceState(null, "", "/console/transfers?id=" + enc(id));
      show(id).then(() => view.scrollIntoView({ block: "nearest" }));
    }
    async function transferCard(tr) {
      const facts = el("dl", { class: "facts" });
      const fact = (k, ...v) => facts.append(el("dt", { text: k }), el("dd", {}, ...v));
      fact(t("transfers.right"), assetLink(tr.assetId));
      fact(t("transfers.kind"), tEnum("transferKind", tr.kind) + " · " + tEnum("transferOrigin", tr.origin) + (tr.tradeRef ? " · " + t("transfers.trade-ref") + " " + tr.tradeRef : ""));
      if (tr.court) fact(t("transfers.court"), tr.court + (tr.courtRef ? " " + tr.courtRef : ""));
      fact(t("transfers.col.parties"), t("transfers.from-to", { From: names(tr.fromOwners), To: names(tr.newOwners) }));
      if (tr.license) {
        const l = tr.license;
        fact(t("transfers.licence"), tEnum("licenseType", l.type) + " · " + t("common.from-to", { From: fmtDate(l.termStart), To: fmtDate(l.termEnd) }) + " · " +
          (l.territory || []).join(", ") + (l.territoryNote ? " (" + l.territoryNote + ")" : "") + " · " + t("transfers.filing") + " " + l.filingNumber);
      }
      fact(t("transfers.col.requested"), fmtTime(tr.requestedAt) + " · " + orgName(tr.requestedBy));
      fact(t("transfers.consents"), tr.consents.length ? tr.consents.map((c) => t("transfers.consent-of", { Org: orgName(c.msp), Pledge: c.pledgeId, Use: tEnum("proceedsUse", c.proceedsUse) })).join("; ") : t("transfers.no-consent"));
      if (tr.decidedAt) fact(t("transfers.decided"), fmtTime(tr.decidedAt));
      if (tr.status === "refused") {
        fact(t("transfers.refusal-reasons"), (tr.refusalReasons || []).map(reasonWords).join("; ") + (tr.refusalNote ? " — " + tr.refusalNote : ""));
      }
      const card = el("div", { class: "application", "data-transfer": tr.id, "data-status": tr.status },
        el("h3", {}, tr.id, " ", badge(tr.status, "transferStatus")), facts,
        el("p", {}, el("a", { href: "/console/history?transfer=" + enc(tr.id), text: t("page.history.title") }),
          tr.kind === "license" ? [" · ", el("a", { href: "/console/licences?asset=" + enc(tr.assetId), text: t("page.licences.title") })] : ""));
      if (tr.status !== "requested") return card;
      const decide = el("div", { class: "decide" });
      if (KIND === "bank") await consentForms(tr, decide);
      if (KIND === "ipoffice") decide.append(recordForm(tr), refuseForm(tr));
      if (decide.children.length) card.append(decide);
      return card;
    }
    // A refusal's reason in words: the form's codes have them ("transfers.reason.<code>"); another code
    // is shown as it is.
    function reasonWords(code) {
      const box = $("#transfer-refusal-reasons");
      const input = box && $(`input[value="${CSS.escape(code)}"]`, box.content);
      return input ? input.parentElement.textContent.trim() : code;
    }
    // consentForms offers the bank's consent for each of its pledges on the right that has not
    // consented yet (P7), with the use of the proceeds.
    async function consentForms(tr, into) {
      let st;
      try {
        st = (await api("GET", "/v1/verify/" + enc(tr.assetId))).statement;
      } catch (err) { alertBox(err); return; }
      for (const e of (st.encumbrances || []).filter((x) => x.pledgeeMsp === MSP && !tr.consents.some((c) => c.pledgeId === x.pledgeId))) {
        const id = "c-use-" + tr.id + "-" + e.pledgeId;
        const form = el("form", { class: "consent", novalidate: true, "data-pledge": e.pledgeId },
          el("p", { text: t("transfers.consent-as", { Pledge: e.pledgeId }) }),
          el("label", { for: id, text: t("transfers.proceeds-use") }),
          el("select", { id, name: "proceedsUse", required: true, "data-field": "proceedsUse" },
            el("option", { value: "early-repayment", text: tEnum("proceedsUse", "early-repayment") }), el("option", { value: "escrow", text: tEnum("proceedsUse", "escrow") })),
          el("span", { class: "field-error", "data-error-for": "proceedsUse" }), " ",
          el("button", { type: "submit", text: t("transfers.consent") }));
        actionForm(form, () => ({ path: "/v1/transfers/" + enc(tr.id) + "/consent", body: { pledgeId: e.pledgeId, proceedsUse: form.elements.proceedsUse.value } }),
          async (r, b) => {
            answered(t("transfers.done.consent", { Transfer: tr.id, Pledge: b.pledgeId, Use: tEnum("proceedsUse", b.proceedsUse), Block: r.blockNumber, Tx: r.txId }), r, "consent:" + tr.id);
            await Promise.all([show(shown), loadList()]);
          });
        into.append(form);
      }
      if (!into.children.length && (st.encumbrances || []).some((x) => x.pledgeeMsp === MSP)) into.append(el("p", { class: "muted", text: t("transfers.consented") }));
    }
    function recordForm(tr) {
      const form = el("form", { class: "record", novalidate: true },
        el("p", { text: t("transfers.record-intro") }),
        el("button", { type: "submit", text: t("transfers.record") }));
      actionForm(form, () => ({ path: "/v1/transfers/" + enc(tr.id) + "/record", body: {} }), async (r) => {
        answered(t("transfers.done.record", { Transfer: tr.id, Block: r.blockNumber, Tx: r.txId }), r, "record:" + tr.id);
        await Promise.all([show(shown), loadList()]);
      });
      return form;
    }
    // refuseForm: the IP office's reason codes (the Refusal schema's reasons, one to ten) and a note.
    function refuseForm(tr) {
      const noteId = "r-note-" + tr.id;
      const form = el("form", { class: "refuse", novalidate: true },
        el("fieldset", {}, el("legend", { text: t("transfers.refusal-reasons") }), $("#transfer-refusal-reasons").content.cloneNode(true)),
        el("span", { class: "field-error", "data-error-for": "reasons" }),
        el("label", { for: noteId, text: t("transfers.note") }),
        el("input", { id: noteId, name: "note", maxlength: 1000, "data-field": "note" }),
        el("span", { class: "field-error", "data-error-for": "note" }),
        el("button", { type: "submit", class: "danger", text: t("transfers.refuse") }));
      actionForm(form, () => {
        const reasons = $$("input[name=reason]:checked", form).map((i) => i.value);
        if (!reasons.length) {
          $("[data-error-for=reasons]", form).textContent = t("transfers.choose-reason");
          return null;
        }
        const b = { reasons };
        if (form.elements.note.value.trim()) b.note = form.elements.note.value.trim();
        return { path: "/v1/transfers/" + enc(tr.id) + "/refuse", body: b };
      }, async (r, b) => {
        answered(t("transfers.done.refuse", { Transfer: tr.id, Reasons: b.reasons.map(reasonWords).join("; "), Block: r.blockNumber, Tx: r.txId }), r, "refuse:" + tr.id);
        await Promise.all([show(shown), loadList()]);
      });
      return form;
    }

    $("#transfer-lookup").addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages($("#transfer-lookup"));
      if (validate($("#transfer-lookup"))) lookUp($("#t-id").value.trim());
    });
    if (param("id")) { $("#t-id").value = param("id"); show(param("id")); }
    // A transfer's events reload the list, and the transfer shown when they name it or its right; a
    // pledge's events may change which consents a bank owes.
    refreshOn((ev) => ev.type.startsWith("Transfer") || (KIND === "bank" && ev.type.startsWith("Pledge")), loadList);
    refreshOn((ev, p) => shown && (p.id === shown || (shownAsset && (p.assetIds || []).includes(shownAsset))), () => show(shown));
    loadList();
  };
})();

// Transfers (转让) and licences (许可) requested for recording: the exchange requests one after a trade
// and lists its requests; a pledgee bank finds those that need its consent and consents (P7) with the
// use of the proceeds; the IP office lists those waiting for it and records or refuses them with reason
// codes (T1). A page script: console.js's helpers are window.IPLedger; every decision is the chaincode's.
"use strict";

(function () {
  const { pages, MSP, KIND, $, $$, el, clear, t, tEnum, fmtTime, fmtDate, orgName, badge, assetLink, param, api,
    alertBox, notice, resetMessages, validate, refreshOn, actionForm, latest } = window.IPLedger;

  const PAGE_SIZE = 20;
  const CONSENT_PAGE_SIZE = 100; // a bank's requests to consent to: usually all of them at once
  const enc = encodeURIComponent;
  // answered is the notice of a submission: its words, and when the ledger had decided the same request
  // before (a repeat with the same Idempotency-Key), that nothing was written again.
  const answered = (text, r, outcome) => {
    notice(text + (r.replay ? " " + t("transfers.replay") : ""));
    $("#notice").dataset.outcome = outcome;
    $("#notice").dataset.block = r.blockNumber === undefined ? "" : String(r.blockNumber);
  };
  const names = (owners) => (owners || []).map((o) => o.name).join(", ");

  pages.transfers = function () {
    const view = $("#transfer-view");
    const filters = $("#transfer-filters");
    let shown = "", shownAsset = "";

    // ---- the request (POST /v1/transfers): the exchange's trade or judicial auction, the IP office's
    // owner's request or court's order ------------------------------------------------------------
    // The form offers the origins the organization may send (the chaincode admits a trade or a
    // judicial auction from the exchange, an owner's request or a court's order through the IP office)
    // and, by origin, the fields the API takes: tradeRef (required for a trade, optional for an
    // auction), court and courtRef (a court's transfer, an assignment only, C3), pledgesPurged (a
    // court-order only); and one to twenty new owners or licensees with their shares (10000 in all).
    const reqForm = $("#transfer-form");
    if (reqForm) {
      const licence = $("#t-license"), kindSel = $("#t-kind"), originSel = $("#t-origin");
      const toggle = (box, on) => { box.disabled = !on; box.hidden = !on; };
      const kindChanged = () => toggle(licence, kindSel.value === "license");
      // originChanged shows and enables the fields of the origin chosen; the others are neither
      // checked nor sent.
      const originChanged = () => {
        const origin = originSel.value, court = origin === "court-order" || origin === "judicial-auction";
        $("#t-trade").hidden = !(origin === "trade" || origin === "judicial-auction");
        $("#t-ref").disabled = $("#t-trade").hidden;
        $("#t-ref").required = origin === "trade";
        toggle($("#t-court"), court);
        $("#t-purged-box").hidden = $("#t-purged").disabled = origin !== "court-order";
        $("option[value=license]", kindSel).disabled = court; // a court orders an assignment
        if (court) kindSel.value = "assignment";
        kindChanged();
        $("#t-origin-hint").textContent = {
          trade: t("transfers.origin-hint.trade"), "judicial-auction": t("transfers.origin-hint.judicial-auction"),
          "owner-request": t("transfers.origin-hint.owner-request"), "court-order": t("transfers.origin-hint.court-order"),
        }[origin] || "";
      };
      kindSel.addEventListener("change", kindChanged);
      originSel.addEventListener("change", originChanged);

      // The rows of the new owners, as the register of rights has them (rights.js): labels tied to
      // their inputs, numbered in order (data-index: the row a 422's "newOwners[1].name" names), and
      // the shares' running total.
      const rows = $("#t-owner-rows");
      const percent = (bp) => (Number(bp) / 100).toFixed(2);
      function total() {
        const sum = $$("[name=owner-share]", rows).reduce((a, i) => a + (Number(i.value) || 0), 0);
        const out = $("#t-owner-total");
        out.textContent = t("transfers.owners-total", { Total: sum, Percent: percent(sum) });
        out.className = sum === 10000 ? "ok" : "muted";
      }
      function renumber() {
        const all = $$("[data-row=newOwners]", rows);
        all.forEach((row, i) => {
          row.dataset.index = String(i);
          for (const label of $$("label[data-for]", row)) {
            const input = $("input", label.parentElement);
            input.id = "t-owner-" + i + "-" + label.dataset.for;
            label.htmlFor = input.id;
          }
          $("[data-remove-owner]", row).hidden = all.length === 1;
        });
        $("#t-add-owner").hidden = all.length >= 20; // TransferRequest.newOwners: at most 20
        total();
      }
      function addOwner(share) {
        const row = $("#t-owner-row").content.firstElementChild.cloneNode(true);
        $("[name=owner-share]", row).value = share;
        $("[data-remove-owner]", row).addEventListener("click", () => {
          row.remove();
          renumber();
          reqForm.dispatchEvent(new Event("input")); // another form: another request
          $("#t-add-owner").focus();
        });
        rows.append(row);
        renumber();
        return row;
      }
      rows.addEventListener("input", total);
      $("#t-add-owner").addEventListener("click", () => {
        const row = addOwner("");
        reqForm.dispatchEvent(new Event("input"));
        $("input", row).focus();
      });
      addOwner(10000);

      if (param("asset")) $("#t-asset").value = param("asset");
      if (param("origin") && $(`option[value="${CSS.escape(param("origin"))}"]`, originSel)) originSel.value = param("origin");
      originChanged();
      if (param("kind") === "license" && !$("option[value=license]", kindSel).disabled) { kindSel.value = "license"; kindChanged(); }

      actionForm(reqForm, () => {
        const v = (sel, root) => $(sel, root).value.trim();
        const origin = originSel.value;
        const b = { assetId: v("#t-asset"), kind: kindSel.value, origin,
          newOwners: $$("[data-row=newOwners]", rows).map((r) => ({ id: v("[name=owner-id]", r), name: v("[name=owner-name]", r), share: Number(v("[name=owner-share]", r)) })) };
        if (!$("#t-ref").disabled && v("#t-ref")) b.tradeRef = v("#t-ref");
        if (!$("#t-court").disabled) {
          b.court = v("#t-court-name");
          b.courtRef = v("#t-court-ref");
          if (!$("#t-purged").disabled && $("#t-purged").checked) b.pledgesPurged = true;
        }
        if (b.kind === "license") {
          b.license = { type: v("#t-ltype"), termStart: v("#t-lstart"), termEnd: v("#t-lend"),
            territory: $("#t-lterr").value.split(",").map((x) => x.trim()).filter(Boolean), filingNumber: v("#t-lfiling") };
          if (v("#t-lnote")) b.license.territoryNote = v("#t-lnote");
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
    // loadList draws page `at` of the list (the page shown when not given: a live refresh). Only the
    // newest read draws (latest): an older answer, to a filter since changed or a page since left,
    // never draws over a newer one, and the page shown (pageAt) is the one drawn, so that Next and
    // First page clicked in quick succession cannot skip or repeat a page.
    const listTurn = latest();
    async function loadList(at) {
      if (at === undefined) at = pageAt;
      if (pagesSeen[at] === undefined) at = 0;
      const mine = listTurn();
      const tbody = $("#tl-rows");
      const consent = consentView();
      let items, next = "";
      try {
        const p = await page(pagesSeen[at]);
        items = p.items || [];
        next = p.bookmark || "";
      } catch (err) {
        if (!mine()) return;
        clear(tbody);
        if (err.status === 422 && err.details && err.details.field) {
          const slot = $(`[data-error-for="${CSS.escape(err.details.field)}"]`, filters);
          if (slot) slot.textContent = t("error.ledger-says", { Message: err.message });
        }
        alertBox(err);
        return;
      }
      if (!mine()) return;
      pageAt = at;
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
      pageAt = 0; // a live refresh until the answer comes reads the first page of the new filter too
      loadList(0);
    });
    filters.addEventListener("change", (ev) => { if (ev.target.name === "needsConsent") filters.requestSubmit(); });
    $("#tl-next").addEventListener("click", () => { if (pagesSeen[pageAt + 1]) loadList(pageAt + 1); });
    $("#tl-first").addEventListener("click", () => loadList(0));

    // ---- one transfer -----------------------------------------------------------------------------
    // show draws a transfer, or, for an IP right's id, the transfers waiting on it, with what this
    // organization may do with each. The cards are kept by transfer id (cards): a redraw on a live
    // event updates the facts of a card already shown and keeps its forms, with what the clerk has
    // chosen, ticked or typed in them and their Idempotency-Keys; a decided transfer loses its forms.
    // Only the newest read draws (latest): a slow answer never draws over a later one.
    const cards = new Map();
    const showTurn = latest();
    async function show(id) {
      shown = id;
      const mine = showTurn();
      let ts = [], statements = new Map(), awaiting = new Set();
      try {
        try {
          ts = [await api("GET", "/v1/transfers/" + enc(id))];
        } catch (err) {
          if (err.status !== 404) throw err;
          const st = (await api("GET", "/v1/verify/" + enc(id))).statement;
          ts = await Promise.all(st.pendingTransfers.map((x) => api("GET", "/v1/transfers/" + enc(x))));
          statements.set(st.assetId || id, st);
        }
        // A bank's consent forms: the chaincode says which transfers on the right wait for this bank's
        // consent (consentOf, P7; none for a court's, C3), the right's statement which of its pledges
        // are on the right. Both are read before anything is drawn, so that the drawing is done at once.
        if (KIND === "bank") {
          const need = [...new Set(ts.filter((tr) => tr.status === "requested").map((tr) => tr.assetId))];
          const read = await Promise.all(need.map(async (a) => [a, (await api("GET", "/v1/verify/" + enc(a))).statement,
            (await api("GET", "/v1/transfers?assetId=" + enc(a) + "&consentOf=" + enc(MSP) + "&pageSize=100")).items || []]));
          statements = new Map(read.map(([a, st]) => [a, st]));
          awaiting = new Set(read.flatMap(([, , items]) => items.map((tr) => tr.id)));
        }
      } catch (err) { if (mine()) alertBox(err); return; }
      if (!mine()) return; // a later read has begun: it draws
      shownAsset = ts.length ? ts[0].assetId : "";
      const ids = new Set(ts.map((tr) => tr.id));
      for (const [k, c] of cards) if (!ids.has(k)) { c.card.remove(); cards.delete(k); }
      for (const e of [...view.children]) if (!e.matches(".application[data-transfer]")) e.remove(); // "none pending"
      let prev = null;
      for (const tr of ts) {
        let c = cards.get(tr.id);
        if (!c) { c = transferCard(tr); cards.set(tr.id, c); }
        update(c, tr, statements.get(tr.assetId), awaiting.has(tr.id));
        // Move a card only when it is out of place: moving one would take the focus out of its form.
        if ((prev ? prev.nextElementSibling : view.firstElementChild) !== c.card) {
          if (prev) prev.after(c.card); else view.prepend(c.card);
        }
        prev = c.card;
      }
      if (!ts.length) view.append(el("p", { class: "muted", text: t("transfers.none-pending", { Id: id }) }));
    }
    function lookUp(id) {
      $("#t-id").value = id;
      history.replaceState(null, "", "/console/transfers?id=" + enc(id));
      show(id).then(() => view.scrollIntoView({ block: "nearest" }));
    }
    // the new owners with their shares when there are several (50.00 %), else their names.
    const sharesOf = (owners) => (owners || []).length > 1 ? owners.map((o) => o.name + " (" + (o.share / 100).toFixed(2) + " %)").join(", ") : names(owners);
    // transferCard makes the card of one transfer; update fills in its facts and its forms.
    function transferCard(tr) {
      const c = { head: el("h3"), facts: el("dl", { class: "facts" }), links: el("p"), decide: el("div", { class: "decide" }), consent: new Map(), decision: null };
      c.card = el("div", { class: "application", "data-transfer": tr.id }, c.head, c.facts, c.links, c.decide);
      return c;
    }
    function update(c, tr, st, awaitsMine) {
      c.card.dataset.status = tr.status;
      clear(c.head).append(tr.id, " ", badge(tr.status, "transferStatus"));
      const facts = clear(c.facts);
      const fact = (k, ...v) => facts.append(el("dt", { text: k }), el("dd", {}, ...v));
      fact(t("transfers.right"), assetLink(tr.assetId));
      fact(t("transfers.kind"), tEnum("transferKind", tr.kind) + " · " + tEnum("transferOrigin", tr.origin) + (tr.tradeRef ? " · " + t("transfers.trade-ref") + " " + tr.tradeRef : ""));
      if (tr.court) fact(t("transfers.court"), tr.court + (tr.courtRef ? " " + tr.courtRef : "") + (tr.pledgesPurged ? " · " + t("transfers.pledges-purged") : ""));
      fact(t("transfers.col.parties"), t("transfers.from-to", { From: sharesOf(tr.fromOwners), To: sharesOf(tr.newOwners) }));
      if (tr.license) {
        const l = tr.license;
        fact(t("transfers.licence"), tEnum("licenseType", l.type) + " · " + t("common.from-to", { From: fmtDate(l.termStart), To: fmtDate(l.termEnd) }) + " · " +
          (l.territory || []).join(", ") + (l.territoryNote ? " (" + l.territoryNote + ")" : "") + " · " + t("transfers.filing") + " " + l.filingNumber);
      }
      fact(t("transfers.col.requested"), fmtTime(tr.requestedAt) + " · " + orgName(tr.requestedBy));
      fact(t("transfers.consents"), tr.consents.length ? tr.consents.map((x) => t("transfers.consent-of", { Org: orgName(x.msp), Pledge: x.pledgeId, Use: tEnum("proceedsUse", x.proceedsUse) })).join("; ") : t("transfers.no-consent"));
      if (tr.decidedAt) fact(t("transfers.decided"), fmtTime(tr.decidedAt));
      if (tr.status === "refused") {
        fact(t("transfers.refusal-reasons"), (tr.refusalReasons || []).map(reasonWords).join("; ") + (tr.refusalNote ? " — " + tr.refusalNote : ""));
      }
      clear(c.links).append(el("a", { href: "/console/history?transfer=" + enc(tr.id), text: t("page.history.title") }),
        ...(tr.kind === "license" ? [" · ", el("a", { href: "/console/licences?asset=" + enc(tr.assetId), text: t("page.licences.title") })] : []));
      if (tr.status !== "requested") { // decided: nothing more to do on it
        clear(c.decide);
        c.consent.clear();
        c.decision = null;
      } else if (KIND === "ipoffice" && !c.decision) {
        c.decision = [recordForm(tr), refuseForm(tr)];
        c.decide.append(...c.decision);
      } else if (KIND === "bank" && st) {
        consentForms(c, tr, st, awaitsMine);
      }
      c.decide.hidden = !c.decide.children.length;
    }
    // A refusal's reason in words: the form's codes have them ("transfers.reason.<code>"); another code
    // is shown as it is.
    function reasonWords(code) {
      const box = $("#transfer-refusal-reasons");
      const input = box && $(`input[value="${CSS.escape(code)}"]`, box.content);
      return input ? input.parentElement.textContent.trim() : code;
    }
    // consentForms offers, when the chaincode says the transfer waits for this bank's consent
    // (awaitsMine, from consentOf), the consent of each of its pledges on the right that has not
    // consented yet, with the use of the proceeds; a form already there is kept as it is, one whose
    // pledge has consented (or is no longer on the right) goes, and all go once the chaincode no
    // longer waits for this bank.
    function consentForms(c, tr, st, awaitsMine) {
      const mineOn = awaitsMine ? (st.encumbrances || []).filter((x) => x.pledgeeMsp === MSP) : [];
      const owed = new Set(mineOn.filter((x) => !tr.consents.some((k) => k.pledgeId === x.pledgeId)).map((x) => x.pledgeId));
      for (const [pledge, form] of c.consent) if (!owed.has(pledge)) { form.remove(); c.consent.delete(pledge); }
      $$(":scope > p.consented", c.decide).forEach((p) => p.remove());
      for (const pledge of owed) {
        if (c.consent.has(pledge)) continue;
        const id = "c-use-" + tr.id + "-" + pledge;
        const form = el("form", { class: "consent", novalidate: true, "data-pledge": pledge },
          el("p", { text: t("transfers.consent-as", { Pledge: pledge }) }),
          el("label", { for: id, text: t("transfers.proceeds-use") }),
          el("select", { id, name: "proceedsUse", required: true, "data-field": "proceedsUse" },
            el("option", { value: "early-repayment", text: tEnum("proceedsUse", "early-repayment") }), el("option", { value: "escrow", text: tEnum("proceedsUse", "escrow") })),
          el("span", { class: "field-error", "data-error-for": "proceedsUse" }), " ",
          el("button", { type: "submit", text: t("transfers.consent") }));
        actionForm(form, () => ({ path: "/v1/transfers/" + enc(tr.id) + "/consent", body: { pledgeId: pledge, proceedsUse: form.elements.proceedsUse.value } }),
          async (r, b) => {
            answered(t("transfers.done.consent", { Transfer: tr.id, Pledge: b.pledgeId, Use: tEnum("proceedsUse", b.proceedsUse), Block: r.blockNumber, Tx: r.txId }), r, "consent:" + tr.id);
            await Promise.all([show(shown), loadList()]);
          });
        c.consent.set(pledge, form);
        c.decide.append(form);
      }
      if (!owed.size && mineOn.length) c.decide.append(el("p", { class: "muted consented", text: t("transfers.consented") }));
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

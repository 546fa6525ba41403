// The pledge page: a pledge's record, its changes and extensions, its timeline, and every action the API
// offers on it, each to the organization and in the states the API allows (docs/api.md):
//   the pledgee bank: change (变更, amend), extension (延期, extend), claim, default (违约), release (注销);
//   the IP office: record or refuse a filed change or extension, revoke (撤销), deregister (注销登记, P13);
//   the exchange: the disposal (处置) of a defaulted pledge.
// The chaincode decides every one: what is offered here only keeps out of sight what it would refuse to
// anyone of this organization in this state, and its answer (the notice, or the error in words beside
// the field) is shown as it comes. A page script: console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, MSP, KIND, $, $$, el, clear, t, has, tEnum, fmtTime, fmtDate, fmtMoney, short, orgName, assetLink, param, randomKey,
    api, alertBox, notice, resetMessages, fieldError, showServerError, validate, busy, refreshOn, renderTimeline, decided, latest } = window.IPLedger;

  const ACTIVE = ["registered", "defaulted"];

  // offered names the actions this organization is offered on pledge p, by the roles and states of
  // docs/api.md: a change or extension on a registered pledge with none filed (P6), a claim on an
  // active one, a default on a registered one, release of an active one (P6, P8), all by its own bank;
  // the IP office's decision on a filed change (recorded only while the pledge is registered), its
  // revocation and deregistration of an active pledge (P6, P13); the exchange's disposal of a
  // defaulted one (P8). The regulator writes nothing (V3).
  function offered(p) {
    const own = KIND === "bank" && p.pledgee.msp === MSP;
    const registered = p.status === "registered", active = ACTIVE.includes(p.status), pending = !!p.pendingChangeId;
    return {
      amend: own && registered && !pending,
      extend: own && registered && !pending,
      claim: own && active,
      default: own && registered,
      release: own && active,
      revoke: KIND === "ipoffice" && active,
      deregister: KIND === "ipoffice" && active,
      dispose: KIND === "exchange" && p.status === "defaulted",
      record: KIND === "ipoffice" && pending && registered,
      "refuse-change": KIND === "ipoffice" && pending,
    };
  }

  // wireRow gives the inputs of a row cloned from a <template> their ids and ties its labels to them.
  function wireRow(row, prefix, i) {
    row.dataset.index = String(i);
    for (const label of $$("label[data-for]", row)) {
      const input = $("input, select", label.parentElement);
      input.id = prefix + "-" + i + "-" + label.dataset.for;
      label.htmlFor = input.id;
    }
    return row;
  }
  const cloneRow = (tpl) => $("#" + tpl).content.firstElementChild.cloneNode(true);
  const v = (sel, root) => $(sel, root).value.trim();

  pages.pledge = function () {
    const id = param("id");
    let current = null;
    $("#p-id").textContent = id;

    // ---- the record -----------------------------------------------------------------------------
    function renderRecord(p) {
      clear($("#p-status")).append(tEnum("pledgeStatus", p.status));
      $("#p-status").className = "badge " + p.status;
      $("#p-status").dataset.status = p.status;
      $("#p-pending").hidden = !p.pendingChangeId;
      const facts = clear($("#p-facts"));
      const fact = (k, ...val) => facts.append(el("dt", { text: k }), el("dd", {}, ...val));
      fact(t("common.rights"), ...p.assetIds.map((a) => [assetLink(a), " "]));
      fact(t("common.pledgors"), p.pledgors.map((x) => x.name + " (" + x.id + ")").join(", "));
      const debtors = p.debtors || [];
      if (debtors.length && debtors.map((x) => x.id).join() !== p.pledgors.map((x) => x.id).join()) {
        fact(t("pledge.debtors"), debtors.map((x) => x.name + " (" + x.id + ")").join(", "));
      }
      fact(t("common.pledgee"), el("span", { id: "p-pledgee", text: p.pledgee.name }), " (" + p.pledgee.msp + ")");
      if (p.securityType) fact(t("apply.security-type"), tEnum("securityType", p.securityType));
      if (p.claimPeriod) fact(t("pledge.claim-period"), t("common.from-to", { From: fmtDate(p.claimPeriod.start), To: fmtDate(p.claimPeriod.end) }));
      fact(t("pledge.debt"), tEnum("debtKind", p.debtKind) + ", ", el("span", { id: "p-term", text: t("common.from-to", { From: fmtDate(p.debtTermStart), To: fmtDate(p.debtTermEnd) }) }));
      fact(t("common.applied"), t("pledge.applied-detail", { Applied: fmtTime(p.appliedAt), Due: fmtTime(p.examinationDueBy) }));
      if (p.registrationNumber) fact(t("pledge.registration"), p.registrationNumber + ", " + fmtTime(p.registeredAt));
      if ((p.ranks || []).length) fact(t("common.rank"), p.ranks.map((r) => r.assetId + ": " + r.rank).join(", "));
      if (p.refusalReasons) fact(t("pledge.refused"), p.refusalReasons.map((c) => (has("refusal." + c) ? t("refusal." + c) + " (" + c + ")" : c)).join(", ") + (p.refusalNote ? " — " + p.refusalNote : ""));
      if (p.claim) fact(t("pledge.claim-stated"), el("span", { id: "p-claim", "data-money": p.claim.amount, text: fmtMoney(p.claim.amount, p.claim.currency) }),
        " · " + fmtTime(p.claim.at) + (p.claim.arisenFrom ? " · " + t("pledge.arisen", { From: fmtDate(p.claim.arisenFrom), To: fmtDate(p.claim.arisenTo) }) : ""));
      if (p.claimsDetermination) fact(t("pledge.claims-determined"), fmtDate(p.claimsDetermination.date) + " (" + t("pledge.claims-basis." + p.claimsDetermination.basis) + ")");
      // P10: a right of the pledge that lost its validity, and whether it regained it, as the ledger recorded.
      for (const l of p.collateralLosses || []) {
        fact(t("pledge.collateral-loss"), el("span", { "data-collateral-loss": l.assetId, text: t(l.restoredAt ? "pledge.collateral-restored" : "pledge.collateral-lost",
          { Asset: l.assetId, Status: tEnum("legalStatus", l.legalStatus), At: fmtTime(l.at), Restored: l.restoredAt ? fmtTime(l.restoredAt) : "" }) }), " · ", el("code", { text: short(l.txId), title: l.txId }));
      }
      const closure = (key, c) => c && fact(t(key), c.reason + " · " + fmtTime(c.at), " · ", el("code", { text: short(c.txId), title: c.txId }));
      closure("pledge.defaulted", p.default);
      closure("pledge.released", p.release);
      closure("pledge.revoked", p.revocation);
      if (p.deregistration) {
        const d = p.deregistration;
        fact(t("pledge.deregistered"), t("pledge.basis." + d.basis) + (d.reference ? " · " + d.reference : "") + " · " + fmtTime(d.at) + " · ", el("code", { text: short(d.documentHash), title: d.documentHash }));
      }
      if (p.disposal) {
        const d = p.disposal;
        fact(t("pledge.disposed"), el("span", { id: "p-disposal", text: t("pledge.disposal-summary", { Method: t("pledge.method." + d.method), Price: fmtMoney(d.price, d.currency),
          Buyers: d.buyers.map((b) => b.name).join(", "), Ref: d.saleRef, Surplus: fmtMoney(d.surplus, d.currency) }) }),
        el("ul", {}, ...d.proceeds.map((q) => el("li", { text: t("pledge.disposal-share", { Pledge: q.pledgeId, Rank: q.rank, Amount: fmtMoney(q.amount, d.currency) }) }))),
        ...(d.transferIds || []).map((x) => [el("a", { href: "/console/transfers?id=" + encodeURIComponent(x), text: x }), " "]));
      }
      if (p.discharge) fact(t("pledge.discharged"), (p.discharge.amount ? fmtMoney(p.discharge.amount, p.discharge.currency) + " · " : "") + (p.discharge.disposalPledgeId || p.discharge.courtRef || "") + " · " + fmtTime(p.discharge.at));
      if (p.valuationReportId) fact(t("pledge.valuation-report"), el("code", { id: "p-report", text: p.valuationReportId }));
      if (p.industry) fact(t("pledge.industry"), el("span", { id: "p-industry", text: p.industry }));
      if (p.region) fact(t("pledge.region"), el("span", { id: "p-region", text: p.region }));
      fact(t("pledge.contract-hash"), el("code", { text: p.contractHash }));
      fact(t("pledge.terms-hash"), el("code", { text: p.termsHash }));
      $("#p-overdue").hidden = !(p.status === "applied" && p.examinationDueBy && new Date(p.examinationDueBy) < new Date());
      $("#p-terms").hidden = !p.privateTerms;
      if (p.privateTerms) {
        const list = clear($("#p-terms-list"));
        const terms = (x) => {
          list.append(el("dt", { text: t("apply.amount") }), el("dd", { "data-money": x.amount, text: fmtMoney(x.amount, x.currency) }),
            el("dt", { text: t("pledge.interest") }), el("dd", { text: x.interestRate + " %" }),
            el("dt", { text: t("apply.scope") }), el("dd", { text: x.scope }));
          if (x.maximumAmount) list.append(el("dt", { text: t("apply.max-amount") }), el("dd", { text: fmtMoney(x.maximumAmount, x.currency) }));
        };
        terms(p.privateTerms.terms);
        list.append(el("dt", { text: t("pledge.hash-matches") }), el("dd", { text: p.privateTerms.verified ? t("common.yes") : t("pledge.hash-mismatch") }));
        // The cited report's value and the loan-to-value (F3), when the peer holds the value.
        const cv = p.privateTerms.citedValuation;
        if (cv && cv.valueUnavailable) list.append(el("dt", { text: t("pledge.cited-value") }), el("dd", { text: t("pledge.value-unavailable") }));
        else if (cv) {
          list.append(el("dt", { text: t("pledge.cited-value") }), el("dd", { id: "p-cited-value", "data-money": cv.value, text: fmtMoney(cv.value, cv.currency) }));
          list.append(el("dt", { text: t("pledge.loan-to-value") }), el("dd", { id: "p-ltv", "data-ltv": cv.loanToValue || "", text: cv.loanToValue ? cv.loanToValue + "%" : t("pledge.ltv-other-currency") }));
        }
        const pending = p.privateTerms.pending;
        if (pending) {
          list.append(el("dt", { class: "pending", text: t("pledge.pending-terms", { Change: pending.changeId }) }), el("dd", { text: "" }));
          terms(pending.terms);
        }
      }
    }

    // ---- changes and extensions (P6) ------------------------------------------------------------------
    function describeChange(ch) {
      const what = [];
      if (ch.kind === "extension") what.push(t("pledge.what.term-end", { Date: fmtDate(ch.debtTermEnd) }));
      if (ch.pledgeeName) what.push(t("pledge.what.pledgee-name", { Name: ch.pledgeeName }));
      if (ch.debtKind) what.push(t("pledge.what.debt-kind", { Kind: tEnum("debtKind", ch.debtKind) }));
      if (ch.pledgors) what.push(t("pledge.what.pledgors", { Names: ch.pledgors.map((x) => x.name).join(", ") }));
      if (ch.termsHash) what.push(t("pledge.what.terms"));
      if (ch.contractHash) what.push(t("pledge.what.contract", { Hash: short(ch.contractHash) }));
      return what.join("；");
    }
    const changeBadge = { filed: "applied", recorded: "registered", refused: "refused" };
    function renderChanges(p) {
      const changes = (p.changes || []).slice().reverse();
      $("#p-changes").hidden = changes.length === 0;
      clear($("#p-change-rows")).append(...changes.map((ch) => el("tr", { "data-change": ch.id, "data-status": ch.status },
        el("th", { scope: "row" }, el("code", { text: ch.id })),
        el("td", { text: t("pledge.change-kind." + ch.kind) }),
        el("td", { text: describeChange(ch) }),
        el("td", { text: fmtTime(ch.filedAt) }),
        el("td", {}, el("span", { class: "badge " + (changeBadge[ch.status] || ""), "data-status": ch.status, text: t("pledge.change-status." + ch.status) })),
        el("td", { text: ch.decidedAt ? fmtTime(ch.decidedAt) + ((ch.refusalReasons || []).length ? " · " + ch.refusalReasons.map((r) => (has("pledge.change-reason." + r) ? t("pledge.change-reason." + r) + " (" + r + ")" : r)).join(", ") : "") +
          (ch.refusalNote ? " — " + ch.refusalNote : "") : "" }))));
    }

    // ---- the actions ------------------------------------------------------------------------------
    // prefill puts the pledge's values into a form as it is offered (not on every refresh: what the
    // user types stays).
    const prefill = {
      amend(p, form) {
        const terms = (p.privateTerms || {}).terms || {};
        $("#am-pledgee").placeholder = p.pledgee.name;
        $("#am-amount").value = terms.amount || "";
        $("#am-currency").value = terms.currency || "CNY";
        $("#am-rate").value = terms.interestRate || "";
        $("#am-scope").value = terms.scope || "";
        const max = p.securityType === "maximum-amount";
        $("#am-max-box").hidden = !max;
        $("#am-max").disabled = !max;
        $("#am-max").value = terms.maximumAmount || "";
        const rows = clear($("#am-pledgor-rows"));
        p.pledgors.forEach((x, i) => {
          const row = wireRow(cloneRow("am-pledgor-row"), "am-pledgor", i);
          $("[name=pledgor-id]", row).value = x.id;
          $("[name=pledgor-name]", row).value = x.name;
          rows.append(row);
        });
      },
      extend(p) { $("#ex-current").textContent = t("pledge.extend-current", { End: fmtDate(p.debtTermEnd) }); },
      claim: (p, form) => arisen(p, form),
      default: (p, form) => arisen(p, form),
      async dispose(p) {
        const buyers = clear($("#ds-buyer-rows"));
        buyers.append(wireRow(cloneRow("ds-buyer-row"), "ds-buyer", 0));
        await proceedRows(p);
      },
    };
    // A maximum-amount pledge's claim names the days its claims arose (P11); an ordinary one's does not.
    function arisen(p, form) {
      const box = $(".arisen", form), on = p.securityType === "maximum-amount";
      box.disabled = !on;
      box.hidden = !on;
    }
    // proceedRows lists every active pledge on the pledge's rights, best rank first, each with its bank
    // and its stated claim, for the exchange to enter each one's share of the price (P8). The chaincode
    // checks the shares, the ranks and the surplus.
    async function proceedRows(p) {
      const rows = clear($("#ds-proceed-rows"));
      const ranks = new Map();
      try {
        for (const a of p.assetIds) {
          const st = (await api("GET", "/v1/verify/" + encodeURIComponent(a))).statement;
          for (const e of st.encumbrances || []) {
            if (ACTIVE.includes(e.status)) ranks.set(e.pledgeId, Math.min(ranks.has(e.pledgeId) ? ranks.get(e.pledgeId) : Infinity, e.rank));
          }
        }
      } catch (err) { alertBox(err); }
      if (!ranks.has(p.id)) ranks.set(p.id, Math.min(...(p.ranks || []).map((r) => r.rank), Infinity));
      const ids = [...ranks.keys()].sort((x, y) => ranks.get(x) - ranks.get(y) || x.localeCompare(y));
      const pledges = await Promise.all(ids.map((x) => (x === p.id ? p : api("GET", "/v1/pledges/" + encodeURIComponent(x)).catch(() => null))));
      ids.forEach((x, i) => {
        const row = wireRow(cloneRow("ds-proceed-row"), "ds-proceed", i);
        row.dataset.pledge = x;
        $("[name=proceed-pledge]", row).value = x;
        const q = pledges[i];
        $(".proceed-info", row).textContent = t("pledge.proceed-info", { Rank: ranks.get(x), Bank: q ? orgName(q.pledgee.msp) : "",
          Claim: q && q.claim ? fmtMoney(q.claim.amount, q.claim.currency) : t("pledge.no-claim") });
        rows.append(row);
      });
    }

    // The bodies of the actions, from their forms (the fields the request schemas of docs/openapi.yaml
    // name), or null when the form lacks something the field checks do not see.
    const bodies = {
      amend(form) {
        const b = {};
        if (v("#am-pledgee")) b.pledgeeName = v("#am-pledgee");
        if (v("#am-debtkind")) b.debtKind = v("#am-debtkind");
        if ($("#am-rename").checked) b.pledgors = $$("[data-row=pledgors]", form).map((r) => ({ id: v("[name=pledgor-id]", r), name: v("[name=pledgor-name]", r) }));
        if ($("#am-newterms").checked) {
          // The new terms replace those in force: what the form does not show (conditions, valuation) is kept.
          const base = Object.assign({}, ((current.privateTerms || {}).terms) || {});
          delete base.salt;
          delete base.maximumAmount;
          b.terms = Object.assign(base, { amount: v("#am-amount"), currency: v("#am-currency"), interestRate: v("#am-rate"), scope: v("#am-scope") });
          if (current.securityType === "maximum-amount") b.terms.maximumAmount = v("#am-max");
        }
        if (v("#am-contract")) b.contractHash = v("#am-contract");
        if (!Object.keys(b).length) {
          $("[data-error-for=amend]", form).textContent = t("pledge.amend-nothing");
          return null;
        }
        return b;
      },
      extend: () => Object.assign({ debtTermEnd: v("#ex-end") }, v("#ex-contract") ? { contractHash: v("#ex-contract") } : {}),
      claim: (form) => claimOf(form, "#cl-"),
      default: (form) => ({ reason: v("#df-reason"), claim: claimOf(form, "#df-") }),
      release: () => ({ reason: v("#rl-reason") }),
      revoke: () => ({ reason: v("#rv-reason") }),
      deregister: () => Object.assign({ basis: v("#dg-basis"), documentHash: v("#dg-hash") }, v("#dg-ref") ? { reference: v("#dg-ref") } : {}),
      dispose: (form) => ({
        method: v("#ds-method"), price: v("#ds-price"), currency: v("#ds-currency"), saleRef: v("#ds-ref"), surplus: v("#ds-surplus"),
        buyers: $$("[data-row=buyers]", form).map((r) => ({ id: v("[name=buyer-id]", r), name: v("[name=buyer-name]", r), share: Number(v("[name=buyer-share]", r)) })),
        proceeds: $$("[data-row=proceeds]", form).map((r) => ({ pledgeId: v("[name=proceed-pledge]", r), amount: v("[name=proceed-amount]", r) })),
      }),
      record: () => ({}),
      "refuse-change": (form) => {
        const reasons = $$("input[name=reason]:checked", form).map((i) => i.value);
        if (!reasons.length) {
          $("[data-error-for=reasons]", form).textContent = t("queue.choose-reason");
          return null;
        }
        return Object.assign({ reasons }, v("#rc-note") ? { note: v("#rc-note") } : {});
      },
    };
    function claimOf(form, prefix) {
      const c = { amount: v(prefix + "amount"), currency: v(prefix + "currency") };
      if (!$(".arisen", form).disabled) Object.assign(c, { arisenFrom: v(prefix + "from"), arisenTo: v(prefix + "to") });
      return c;
    }
    // The path of each action under /v1/pledges/{id}/.
    const paths = {
      record: () => "changes/" + encodeURIComponent(current.pendingChangeId) + "/record",
      "refuse-change": () => "changes/" + encodeURIComponent(current.pendingChangeId) + "/refuse",
    };

    // confirm asks, inside the form, before an irreversible action is sent: the words say what it ends.
    function confirmIn(form, text, go) {
      const box = $("#confirm-box").content.firstElementChild.cloneNode(true);
      $(".confirm-text", box).textContent = text;
      $(".confirm-text", box).id = form.id + "-confirm-text";
      box.setAttribute("aria-labelledby", form.id + "-confirm-text");
      $("[data-confirm]", box).addEventListener("click", () => { box.remove(); go(); });
      $("[data-cancel]", box).addEventListener("click", () => { box.remove(); $("button[type=submit]", form).focus(); });
      $("button[type=submit]", form).before(box);
      $("[data-confirm]", box).focus();
    }

    // Each action's form keeps its Idempotency-Key while it is unchanged, so that sending it again after
    // a lost answer is the same request, answered from the ledger (I3); a change of the form, or the
    // ledger's answer to it (done, or refused: decided), draws a new one.
    function setupForm(form) {
      const action = form.dataset.action;
      let idem = randomKey();
      const dropConfirm = () => { const c = $(".confirm", form); if (c) c.remove(); };
      form.addEventListener("input", () => { idem = randomKey(); dropConfirm(); });
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        resetMessages(form);
        dropConfirm();
        $$("[data-error-for=amend], [data-error-for=reasons]", form).forEach((s) => { s.textContent = ""; });
        if (!validate(form)) return;
        const b = bodies[action](form);
        if (!b) return;
        if (form.hasAttribute("data-irreversible")) confirmIn(form, t("pledge.confirm." + action, { Pledge: current.id }), () => send(b));
        else send(b);
      });
      async function send(b) {
        const p = current;
        await busy($("button[type=submit]", form), async () => {
          try {
            const path = paths[action] ? paths[action]() : action;
            const r = await api("POST", "/v1/pledges/" + encodeURIComponent(p.id) + "/" + path, b, idem);
            idem = randomKey();
            const res = r.result || {};
            notice(t("pledge.done." + action, { Pledge: p.id, Change: res.pendingChangeId || p.pendingChangeId || "", Block: r.blockNumber, Tx: r.txId }));
            $("#notice").dataset.outcome = action + ":" + p.id;
            $("#notice").scrollIntoView({ block: "nearest" });
            await load();
          } catch (err) {
            if (decided(err)) idem = randomKey(); // refused: asking again once its ground is gone is a new request
            showServerError(form, err);
          }
        });
      }
    }
    $$("form.act").forEach(setupForm);

    // A contract or decision file's SHA-256, computed in the browser, into its field.
    for (const f of $$("input[type=file][data-hash-into]")) {
      f.addEventListener("change", async () => {
        const file = f.files[0];
        if (!file || !crypto.subtle) return;
        const sum = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
        const target = $("#" + f.dataset.hashInto);
        target.value = Array.from(new Uint8Array(sum), (x) => x.toString(16).padStart(2, "0")).join("");
        target.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
    const toggle = (box, on) => { box.disabled = !on; box.hidden = !on; };
    if ($("#f-amend")) {
      $("#am-rename").addEventListener("change", () => toggle($("#am-pledgors"), $("#am-rename").checked));
      $("#am-newterms").addEventListener("change", () => toggle($("#am-terms"), $("#am-newterms").checked));
    }
    if ($("#f-dispose")) {
      $("#ds-add-buyer").addEventListener("click", () => {
        const rows = $("#ds-buyer-rows");
        const row = wireRow(cloneRow("ds-buyer-row"), "ds-buyer", $$("[data-row=buyers]", rows).length);
        $("[name=buyer-share]", row).value = "";
        rows.append(row);
        $("input", row).focus();
      });
    }

    // offer shows the forms of the actions offered now, and fills a form in as it appears.
    async function offer(p) {
      const o = offered(p);
      let any = false;
      for (const [action, on] of Object.entries(o)) {
        const form = $(`form.act[data-action="${action}"]`);
        if (!form) continue;
        const appears = on && (form.hidden || form.dataset.pledgeVersion === undefined);
        form.hidden = !on;
        if (on && action !== "record" && action !== "refuse-change") any = true;
        if (appears) {
          // A form offered again (a change recorded, the next one to file) starts from the pledge as it is.
          form.reset();
          $$("fieldset.sub", form).forEach((box) => toggle(box, false));
          $$("[data-error-for], .field-error", form).forEach((s) => { s.textContent = ""; });
          if (prefill[action]) await prefill[action](p, form);
        }
        if (on) form.dataset.pledgeVersion = String(p.version);
      }
      const decide = $("#act-decide");
      if (decide) decide.hidden = !o["refuse-change"];
      $("#p-actions").hidden = !any;
    }

    // load reads the pledge and draws it; an action's answer and the live event of the same
    // transaction each start one, and only the newest read draws (latest), the timeline included.
    const turn = latest();
    async function load() {
      const mine = turn();
      let p;
      try { p = await api("GET", "/v1/pledges/" + encodeURIComponent(id)); } catch (err) { if (mine()) alertBox(err); return; }
      if (!mine()) return;
      current = p;
      renderRecord(p);
      renderChanges(p);
      await offer(p);
      if (!mine()) return;
      $("#pledge").hidden = false;
      await renderTimeline($("#timeline"), "pledge", id, mine);
    }
    refreshOn((ev, p) => p.id === id || (p.pledgeIds || []).includes(id), load);
    load().catch(alertBox);
  };
})();

// The risk-compensation fund's manager (F6–F8): the year's rules (POST /v1/fund/rules/{year}), the
// banks' claims on the fund and their subsidy applications, filed and approved, each decided (approve,
// refuse with a reason code) and paid here. A page script: console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, $, el, clear, t, tEnum, fmtMoney, orgName, badge, pledgeLink, api, listEvery, actionForm, alertBox, refreshOn, truncationNote, chinaToday, fieldError, latest } = window.IPLedger;

  // basisPoints is a percent as typed ("40", "12.5") in basis points (4000, 1250), without a float's
  // rounding error; percentOf the other way.
  function basisPoints(s) {
    const m = /^([0-9]{1,3})(?:\.([0-9]{1,2}))?$/.exec(String(s).trim());
    return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : NaN;
  }
  const percentOf = (bp) => (bp === undefined || bp === null || bp === "" || isNaN(Number(bp)) ? "" : (Number(bp) / 100).toFixed(2).replace(/\.?0+$/, ""));
  const SHARES = ["lossShare", "interestSubsidyShare", "premiumSubsidyShare", "valuationFeeSubsidyShare"];
  const MONEY = ["capPerLoan", "capPerBank", "capPerYear", "subsidyCapPerEnterprise"];
  const money = (amount, currency) => (amount ? fmtMoney(amount, currency) : "—");

  pages.fund = function () {
    const rules = $("#rules-form");
    const v = (name) => rules.elements[name].value.trim();
    rules.elements.year.value = chinaToday().slice(0, 4);

    // The year's rules as set, when they are: the form starts from them. A later load (another year
    // chosen since) draws instead of this one; a form the manager has edited is not overwritten by a
    // refresh.
    const rulesTurn = latest();
    let edited = false;
    rules.addEventListener("input", (ev) => { if (ev.target !== rules.elements.year) edited = true; });
    async function loadRules() {
      const mine = rulesTurn();
      const year = v("year");
      let r;
      try { r = await api("GET", "/v1/fund/rules/" + encodeURIComponent(year)); } catch (err) {
        if (mine()) $("#rules-state").textContent = err.status === 404 ? t("fund.rules-none", { Year: year }) : t("fund.rules-note");
        return;
      }
      if (!mine() || v("year") !== year) return;
      if (edited) {
        $("#rules-state").textContent = r.fixed ? t("fund.rules-fixed", { Year: year }) : t("fund.rules-set", { Year: year });
        return;
      }
      for (const k of SHARES) rules.elements[k].value = percentOf(r[k]);
      for (const k of MONEY) rules.elements[k].value = r[k] || "";
      rules.elements.currency.value = r.currency || "CNY";
      $("#rules-state").textContent = r.fixed ? t("fund.rules-fixed", { Year: year }) : t("fund.rules-set", { Year: year });
    }
    rules.elements.year.addEventListener("change", () => { edited = false; loadRules(); });
    actionForm(rules, () => {
      $("#rules-done").hidden = true;
      const body = { currency: v("currency") };
      for (const k of SHARES) body[k] = basisPoints(v(k));
      for (const k of MONEY) body[k] = v(k);
      return { path: "/v1/fund/rules/" + encodeURIComponent(v("year")), body };
    }, (r) => {
      const box = clear($("#rules-done"));
      box.dataset.year = v("year");
      box.append(el("strong", { text: t("fund.rules-done", { Year: v("year") }) }),
        el("div", { text: t("fund.done-detail", { Block: r.blockNumber, Tx: r.txId }) }));
      box.hidden = false;
      loadRules();
    });

    // decideForm is a filed record's decision: approve, or refuse with a reason code. The button that
    // submitted the form says which (Enter in the note is the first button's, approve); this listener
    // is added before actionForm's, so it runs first.
    function decideForm(tpl, base, id) {
      const f = $(tpl).content.firstElementChild.cloneNode(true);
      let action = "approve";
      f.addEventListener("submit", (ev) => { action = (ev.submitter && ev.submitter.dataset.action) || "approve"; });
      actionForm(f, () => {
        const note = f.elements.note.value.trim(), reason = f.elements.reasons.value;
        const path = base + encodeURIComponent(id) + "/" + action;
        if (action === "approve") return { path, body: note ? { note } : {} };
        if (!reason) {
          fieldError(f, f.elements.reasons, t("fund.reason-required"));
          f.elements.reasons.focus();
          return null;
        }
        if (reason === "other" && !note) {
          fieldError(f, f.elements.note, t("fund.note-required"));
          f.elements.note.focus();
          return null;
        }
        return { path, body: note ? { reasons: [reason], note } : { reasons: [reason] } };
      }, () => load());
      return f;
    }
    function payForm(tpl, base, id) {
      const f = $(tpl).content.firstElementChild.cloneNode(true);
      actionForm(f, () => ({ path: base + encodeURIComponent(id) + "/pay", body: { reference: f.elements.reference.value.trim() } }), () => load());
      return f;
    }
    // action is what the manager can do with a record in its status.
    const action = (r, kind) => (r.status === "filed" ? decideForm("#" + kind + "-decide-tpl", "/v1/fund/" + (kind === "claim" ? "claims/" : "subsidies/"), r.id)
      : r.status === "approved" ? payForm("#" + kind + "-pay-tpl", "/v1/fund/" + (kind === "claim" ? "claims/" : "subsidies/"), r.id) : "");

    // A redraw keeps the decision or payment form of a row whose record has not changed (what the
    // manager typed or chose in it stays); a later load draws instead of an earlier one.
    const forms = new Map();
    const keep = (kind, r) => {
      const key = kind + "/" + r.id + "/" + r.status + "/" + r.version;
      if (!forms.has(key)) forms.set(key, action(r, kind));
      return forms.get(key);
    };
    const turn = latest();
    async function load() {
      const mine = turn();
      let claims, subsidies;
      try {
        const lists = await Promise.all(["/v1/fund/claims?status=filed", "/v1/fund/claims?status=approved",
          "/v1/fund/subsidies?status=filed", "/v1/fund/subsidies?status=approved"].map(listEvery));
        claims = lists[0].concat(lists[1]);
        claims.truncated = lists[0].truncated || lists[1].truncated;
        subsidies = lists[2].concat(lists[3]);
        subsidies.truncated = lists[2].truncated || lists[3].truncated;
      } catch (err) { if (mine()) alertBox(err); return; }
      if (!mine()) return;
      const byFiled = (a, b) => (a.filedAt || "").localeCompare(b.filedAt || "");
      const ctb = $("#claim-rows");
      truncationNote(ctb.closest("table"), claims);
      clear(ctb);
      for (const c of claims.sort(byFiled)) {
        const loss = c.loss || {};
        ctb.append(el("tr", { "data-claim": c.id, "data-status": c.status }, el("td", {}, el("code", { text: c.id })), el("td", { text: orgName(c.bank) }),
          el("td", {}, pledgeLink(c.pledgeId)), el("td", { text: money(loss.net, loss.currency || c.currency) }), el("td", { text: money(c.computed, c.currency) }),
          el("td", { text: money(c.approved, c.currency) }), el("td", {}, badge(c.status, "fundStatus")), el("td", {}, keep("claim", c))));
      }
      if (!claims.length) ctb.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: t("fund.claims-empty") })));
      ctb.dataset.loaded = "";
      const stb = $("#subsidy-rows");
      truncationNote(stb.closest("table"), subsidies);
      clear(stb);
      for (const s of subsidies.sort(byFiled)) {
        const ent = s.enterprise || {};
        const flags = (s.flags || []).length ? (s.flags || []).map((f) => [badge(f, "subsidyFlag"), " "]) : [t("fund.no-flags")];
        stb.append(el("tr", { "data-subsidy": s.id, "data-status": s.status }, el("td", {}, el("code", { text: s.id })), el("td", { text: orgName(s.bank) }),
          el("td", {}, pledgeLink(s.pledgeId)), el("td", { text: tEnum("subsidyKind", s.kind) }), el("td", { text: (ent.name || "") + (ent.id ? " (" + ent.id + ")" : "") }),
          el("td", { text: money(s.basis, s.currency) }), el("td", { text: money(s.computed, s.currency) }), el("td", { text: money(s.approved, s.currency) }),
          el("td", {}, badge(s.status, "fundStatus")), el("td", { class: "flags" }, ...flags), el("td", {}, keep("subsidy", s))));
      }
      if (!subsidies.length) stb.append(el("tr", {}, el("td", { colspan: 11, class: "muted", text: t("fund.subsidies-empty") })));
      stb.dataset.loaded = "";
    }
    refreshOn((ev) => ev.type.startsWith("FundClaim") || ev.type.startsWith("Subsidy"), load);
    refreshOn((ev) => ev.type === "FundRulesSet", loadRules);
    loadRules();
    load();
  };
})();

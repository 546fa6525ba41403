// The IP office's examination queue: applications waiting, oldest first, overdue ones marked (P9), each
// with the facts the chaincode tests again at registration; and the changes and extensions the banks
// have filed on registered pledges (P6), to record or refuse on the pledge's page. A page script:
// console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, $, $$, el, clear, t, tEnum, fmtTime, fmtDate, orgName, badge, pledgeLink, api, listAll, truncationNote, mapLimit, latest, explain, alertBox, notice,
    actionForm, chinaToday, refreshOn } = window.IPLedger;

  // checksFor lists, for one application, the facts the chaincode tests again at registration, each
  // beside its rule. They are read from the ledger now (the statement and the right's record); the
  // chaincode, not this list, decides.
  async function checksFor(p) {
    const out = [];
    const today = chinaToday();
    const pledgorIds = new Set(p.pledgors.map((x) => x.id));
    const ownerIds = new Set();
    for (const id of p.assetIds) {
      let st, asset;
      try {
        [st, asset] = await Promise.all([api("GET", "/v1/verify/" + encodeURIComponent(id)).then((v) => v.statement), api("GET", "/v1/assets/" + encodeURIComponent(id))]);
      } catch (err) {
        out.push({ rule: "A2", check: "read", ok: false, text: id + ": " + explain(err).words });
        continue;
      }
      const missing = st.owners.filter((o) => !pledgorIds.has(o.id));
      st.owners.forEach((o) => ownerIds.add(o.id));
      out.push({ rule: "P1", check: "owners", ok: missing.length === 0, text: id + ": " + t("check.owners-pledgors") + (missing.length ? " — " + t("check.missing", { Names: missing.map((o) => o.name).join(t("common.list-sep")) }) : "") });
      out.push({ rule: "P4", check: "legal-status", ok: st.legalStatus === "valid", text: id + ": " + t("check.legal-status", { Status: tEnum("legalStatus", st.legalStatus) }) });
      if (st.kind.startsWith("patent")) out.push({ rule: "P4", check: "fees", ok: (asset.feesPaidThrough || "") >= today, text: id + ": " + t("check.fees", { Date: asset.feesPaidThrough ? fmtDate(asset.feesPaidThrough) : "—" }) });
      out.push({ rule: "P4", check: "freeze", ok: !st.freeze.active, text: id + ": " + (st.freeze.active ? t("check.frozen", { Ref: st.freeze.ref || "" }) : t("check.not-frozen")) });
      out.push({ rule: "P4", check: "dispute", ok: !st.dispute.active, text: id + ": " + (st.dispute.active ? t("check.disputed") : t("check.not-disputed")) });
      out.push({ rule: "P4", check: "expiry", ok: p.debtTermEnd <= st.expiryDate, text: id + ": " + t("check.expiry", { End: fmtDate(p.debtTermEnd), Expiry: fmtDate(st.expiryDate) }) });
      if (st.invalidation.active) out.push({ rule: "P4", check: "invalidation", ok: !!p.acknowledgeInvalidationRisk, text: id + ": " + t(p.acknowledgeInvalidationRisk ? "check.invalidation-acknowledged" : "check.invalidation-not-acknowledged") });
      if (st.kind.startsWith("patent")) {
        const other = (st.encumbrances || []).filter((e) => e.pledgeId !== p.id);
        out.push({ rule: "P5", check: "one-pledge", ok: other.length === 0, text: id + ": " + (other.length ? t("check.already-pledged", { Pledges: other.map((e) => e.pledgeId).join(", ") }) : t("check.no-other-pledge")) });
      }
    }
    const strangers = p.pledgors.filter((x) => !ownerIds.has(x.id));
    if (strangers.length) out.push({ rule: "P1", check: "strangers", ok: false, text: t("check.not-owner", { Names: strangers.map((x) => x.name).join(t("common.list-sep")) }) });
    return out;
  }

  pages.queue = function () {
    const root = $("#queue");
    // The cards of the applications on the page, by pledge id: a redraw on a live event keeps the card
    // of an application still waiting, with what the examiner has typed or ticked in its forms, and
    // only updates its facts; decided ones go, new ones come in their place by filing time.
    const cards = new Map();
    const turn = latest();
    async function load() {
      const mine = turn();
      let items, overdue, checks;
      try {
        [items, overdue] = await Promise.all([listAll("status=applied"), listAll("overdue=true")]);
        checks = await mapLimit(items, 4, checksFor);
      } catch (err) { if (mine()) alertBox(err); return; }
      if (!mine()) return; // a later redraw has begun: it draws
      const late = new Set(overdue.map((p) => p.id));
      truncationNote(root, items, overdue);
      const order = items.map((p, i) => [p, checks[i]]).sort(([a], [b]) => (a.appliedAt || "").localeCompare(b.appliedAt || ""));
      $("#q-counts").textContent = t("queue.counts", { Waiting: items.length, Overdue: late.size });
      const waiting = new Set(items.map((p) => p.id));
      for (const [id, c] of cards) if (!waiting.has(id)) { c.section.remove(); cards.delete(id); }
      for (const e of [...root.children]) if (!e.matches("section.application")) e.remove(); // "loading", "empty"
      let prev = null;
      for (const [p, cs] of order) {
        let c = cards.get(p.id);
        if (!c) { c = application(p); cards.set(p.id, c); }
        update(c, p, late.has(p.id), cs);
        // Move a card only when it is out of place: moving one would take the focus out of its form.
        if ((prev ? prev.nextElementSibling : root.firstElementChild) !== c.section) {
          if (prev) prev.after(c.section); else root.prepend(c.section);
        }
        prev = c.section;
      }
      if (!items.length) root.append(el("p", { class: "muted", text: t("queue.empty") }));
    }
    // update draws an application's facts on its card: the heading, the summary, the dates and the checks.
    function update(c, p, isLate, checks) {
      c.section.classList.toggle("overdue", isLate);
      clear(c.head).append(pledgeLink(p.id), " ", isLate ? badge("overdue", "flag") : "", " ", el("small", { class: "muted", text: t("queue.from", { Org: orgName(p.pledgee.msp) }) }));
      c.summary.textContent = t("queue.summary", { Rights: p.assetIds.join(", "), Pledgors: p.pledgors.map((x) => x.name).join(t("common.list-sep")), Debt: tEnum("debtKind", p.debtKind),
        Term: t("common.from-to", { From: fmtDate(p.debtTermStart), To: fmtDate(p.debtTermEnd) }) });
      c.filed.textContent = t("queue.filed", { Filed: fmtTime(p.appliedAt), Due: fmtTime(p.examinationDueBy) }) + (isLate ? " — " + t("queue.late") : "");
      clear(c.checks).append(...checks.map((x) => el("li", { class: x.ok ? "pass" : "fail", "data-rule": x.rule, "data-check": x.check, text: x.rule + " · " + x.text })));
    }
    // application makes the card of one application, with its two forms; update fills in its facts.
    function application(p) {
      const regForm = el("form", { class: "register", novalidate: true },
        el("label", {}, t("queue.registration-number") + " ", el("input", { name: "registrationNumber", required: true, maxlength: 64, "data-field": "registrationNumber", placeholder: t("queue.registration-number-placeholder"), autocomplete: "off" })),
        el("span", { class: "field-error", "data-error-for": "registrationNumber" }),
        el("button", { type: "submit", text: t("queue.register") }));
      const reasons = $("#refusal-reasons").content.cloneNode(true);
      const refForm = el("form", { class: "refuse", novalidate: true }, el("div", { class: "reasons" }, reasons),
        el("label", {}, t("queue.note") + " ", el("input", { name: "note", maxlength: 1000, "data-field": "note" })),
        el("span", { class: "field-error", "data-error-for": "reasons" }),
        el("button", { type: "submit", class: "danger", text: t("queue.refuse") }));
      // Each form keeps its Idempotency-Key while it is unchanged, so that a submission retried after
      // a lost answer is the same request (actionForm, console.js).
      actionForm(regForm, () => ({ path: decision(p, "register"), body: { registrationNumber: regForm.registrationNumber.value.trim() } }),
        (r, b) => decided(p, "register", r, b));
      actionForm(refForm, () => {
        const rs = $$("input[name=reason]:checked", refForm).map((i) => i.value);
        if (!rs.length) { $("[data-error-for=reasons]", refForm).textContent = t("queue.choose-reason"); return null; }
        const body = { reasons: rs };
        if (refForm.note.value.trim()) body.note = refForm.note.value.trim();
        return { path: decision(p, "refuse"), body };
      }, (r, b) => decided(p, "refuse", r, b));
      const c = { head: el("h2"), summary: el("p"), filed: el("p", { class: "muted" }), checks: el("ul", { class: "checks" }) };
      c.section = el("section", { class: "application", "data-pledge": p.id }, c.head, c.summary, c.filed, c.checks, el("div", { class: "decide" }, regForm, refForm));
      return c;
    }
    const decision = (p, action) => "/v1/pledges/" + encodeURIComponent(p.id) + "/" + action;
    async function decided(p, action, r, b) {
      const n = action === "register" ? t("queue.registered", { Pledge: p.id, Number: b.registrationNumber, Block: r.blockNumber, Tx: r.txId }) :
        t("queue.refused", { Pledge: p.id, Block: r.blockNumber, Tx: r.txId });
      notice(n);
      $("#notice").dataset.outcome = action + ":" + p.id;
      await load();
    }
    refreshOn((ev) => ev.type.startsWith("Pledge") || ev.type.startsWith("Asset"), load);
    load();

    // The changes and extensions filed on registered (or since defaulted) pledges, oldest first: each
    // is recorded or refused on its pledge's page (static/pages/pledge.js).
    async function loadChanges() {
      let items;
      try {
        const lists = await Promise.all([listAll("status=registered"), listAll("status=defaulted")]);
        truncationNote($("#q-changes").closest("table"), ...lists);
        items = lists.flat().filter((p) => p.pendingChangeId);
      } catch (err) { alertBox(err); return; }
      const rows = items.map((p) => ({ p, ch: (p.changes || []).find((c) => c.id === p.pendingChangeId) || { id: p.pendingChangeId } }));
      rows.sort((a, b) => (a.ch.filedAt || "").localeCompare(b.ch.filedAt || ""));
      const tbody = clear($("#q-changes"));
      for (const { p, ch } of rows) {
        tbody.append(el("tr", { "data-pledge": p.id, "data-change": ch.id },
          el("th", { scope: "row" }, el("a", { href: "/console/pledge?id=" + encodeURIComponent(p.id) + "#p-changes", text: p.id })),
          el("td", { text: orgName(p.pledgee.msp) }),
          el("td", { text: ch.kind ? t("pledge.change-kind." + ch.kind) : "" }),
          el("td", {}, el("code", { text: ch.id })),
          el("td", { text: fmtTime(ch.filedAt) })));
      }
      if (!rows.length) tbody.append(el("tr", {}, el("td", { colspan: 5, class: "muted", text: t("queue.changes-empty") })));
    }
    refreshOn((ev) => ev.type.startsWith("Pledge"), loadChanges);
    loadChanges();
  };
})();

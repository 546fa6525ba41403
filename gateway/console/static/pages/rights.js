// The register of rights, for the IP office, which alone puts an IP right on the register and changes
// it (A1): the registration of a right (POST /v1/assets, AssetInput: kind, official number, title,
// owners with their shares, dates, fees paid through for a patent, the Nice class and mark family of a
// trademark), and the change of one looked up by its id or official number (PATCH /v1/assets/{id},
// AssetPatch: legal status, fees paid through, expiry, title, mark family, the dispute and invalidation
// flags), sending only what differs from the right's record. The chaincode decides both (A2, and P10
// for the pledges on a right whose status changes); the page shows its answer. A page script:
// console.js's helpers are window.IPLedger.
"use strict";

(function () {
  const { pages, KIND, $, $$, el, clear, t, has, tEnum, fmtTime, fmtDate, badge, param, alertBox, notice, resetMessages, fieldError,
    validate, refreshOn, actionForm, explain, findAsset, latest } = window.IPLedger;
  const enc = encodeURIComponent;
  const v = (sel, root) => $(sel, root).value.trim();
  const isPatent = (kind) => /^patent-/.test(kind || "");
  const toggle = (box, on) => { box.disabled = !on; box.hidden = !on; };
  // percent shows basis points as a percentage with two decimals (10000 → 100.00).
  const percent = (bp) => (Number(bp) / 100).toFixed(2);

  // links to the right's statement and its history.
  function links(id) {
    return [el("a", { href: "/console/verify?asset=" + enc(id), "data-link": "verify", text: t("rights.verify-link") }), " · ",
      el("a", { href: "/console/history?asset=" + enc(id), "data-link": "history", text: t("rights.history-link") })];
  }

  pages.rights = function () {
    if (KIND !== "ipoffice") return; // the page says whose it is, and calls nothing

    // ---- registration (POST /v1/assets) ---------------------------------------------------------
    const reg = $("#register-form");
    const rows = $("#r-owner-rows");

    // An owner's row, its labels tied to its inputs (for/id), numbered in order.
    function renumber() {
      $$("[data-row=owners]", rows).forEach((row, i) => {
        row.dataset.index = String(i);
        for (const label of $$("label[data-for]", row)) {
          const input = $("input", label.parentElement);
          input.id = "r-owner-" + i + "-" + label.dataset.for;
          label.htmlFor = input.id;
        }
        $("[data-remove-owner]", row).hidden = i === 0;
      });
      total();
    }
    function addOwner(share) {
      const row = $("#r-owner-row").content.firstElementChild.cloneNode(true);
      $("[name=owner-share]", row).value = share;
      $("[data-remove-owner]", row).addEventListener("click", () => {
        row.remove();
        renumber();
        reg.dispatchEvent(new Event("input")); // another form: another request
        $("#r-add-owner").focus();
      });
      rows.append(row);
      renumber();
      return row;
    }
    // total shows the shares' sum as the clerk types (the chaincode checks that it is 10000, A2).
    function total() {
      const sum = $$("[name=owner-share]", rows).reduce((s, i) => s + (Number(i.value) || 0), 0);
      const out = $("#r-owner-total");
      out.textContent = t("rights.owners-total", { Total: sum, Percent: percent(sum) });
      out.className = sum === 10000 ? "ok" : "muted";
    }
    rows.addEventListener("input", total);
    $("#r-add-owner").addEventListener("click", () => {
      const row = addOwner("");
      $("input", row).focus();
    });
    // The parts of the form that apply to the kind of right: fees for a patent, the class and mark
    // family for a trademark (the chaincode refuses them on any other kind).
    const kindParts = () => {
      toggle($("#r-patent"), isPatent($("#r-kind").value));
      toggle($("#r-trademark"), $("#r-kind").value === "trademark");
    };
    $("#r-kind").addEventListener("change", kindParts);

    function registration() {
      const kind = v("#r-kind");
      const b = {
        id: v("#r-id"), kind, number: v("#r-number"), title: v("#r-title"),
        owners: $$("[data-row=owners]", rows).map((r) => ({ id: v("[name=owner-id]", r), name: v("[name=owner-name]", r), share: Number(v("[name=owner-share]", r)) })),
        applicationDate: v("#r-applied"), grantDate: v("#r-granted"), expiryDate: v("#r-expiry"),
      };
      if (v("#r-status")) b.legalStatus = v("#r-status");
      if (isPatent(kind)) b.feesPaidThrough = v("#r-fees");
      if (kind === "trademark") {
        b.niceClass = Number(v("#r-nice"));
        if (v("#r-family")) b.markFamily = v("#r-family");
      }
      return { path: "/v1/assets", body: b };
    }
    const freshRegistration = actionForm(reg, registration, async (r, b) => {
      notice(t("rights.registered", { Id: r.id, Number: b.number, Block: r.blockNumber, Tx: r.txId }) + (r.replay ? " " + t("rights.replay") : ""));
      $("#notice").dataset.outcome = "register:" + r.id;
      const done = clear($("#reg-done"));
      done.append(t("rights.registered-links", { Id: r.id }) + " ", ...links(r.id));
      done.dataset.asset = r.id;
      done.hidden = false;
      show(r.id, r.result);
    }, (err) => {
      // A refusal under A2 names what is already on the register: said beside that field too.
      const reason = err.details && err.details.reason;
      const field = { "id-registered": "#r-id", "number-registered": "#r-number" }[reason];
      if (err.code === "A2" && field) {
        const x = explain(err);
        fieldError(reg, $(field), x.words + " " + t("error.rule", { Rule: x.rule }));
        $(field).focus();
      }
    });
    reg.addEventListener("submit", () => { $("#reg-done").hidden = true; }); // the last answer's links go with it
    $("#r-clear").addEventListener("click", () => {
      reg.reset();
      clear(rows);
      addOwner(10000);
      kindParts();
      resetMessages(reg);
      $("#reg-done").hidden = true;
      freshRegistration(); // the next right is another request
      $("#r-id").focus();
    });
    addOwner(10000);
    kindParts();

    // ---- the right's record and its change (PATCH /v1/assets/{id}) --------------------------------
    const upd = $("#update-form");
    let current = null;
    let base = null; // the record the form was filled from: every change is measured against it
    let edited = false; // the clerk has begun to change the form: a live refresh keeps what was typed

    function drawRecord(a) {
      $("#u-heading").textContent = t("rights.record-heading", { Title: a.title, Number: a.number });
      const facts = clear($("#u-facts"));
      const fact = (k, ...val) => facts.append(el("dt", { text: k }), el("dd", {}, ...val));
      fact(t("rights.fact.id"), el("code", { id: "u-fact-id", text: a.id }));
      fact(t("common.right-kind"), tEnum("assetKind", a.kind));
      fact(t("rights.number"), a.number);
      fact(t("rights.owners"), (a.owners || []).map((o) => t("rights.owner-fact", { Name: o.name, Id: o.id, Percent: percent(o.share) })).join("；"));
      fact(t("rights.fact.dates"), t("rights.dates-fact", { Applied: fmtDate(a.applicationDate), Granted: fmtDate(a.grantDate), Expiry: fmtDate(a.expiryDate) }));
      if (a.feesPaidThrough) fact(t("rights.fees"), el("span", { id: "u-fact-fees", text: fmtDate(a.feesPaidThrough) }));
      if (a.kind === "trademark") fact(t("rights.nice-class"), String(a.niceClass || "") + (a.markFamily ? " · " + t("rights.family-fact", { Family: a.markFamily }) : ""));
      fact(t("rights.legal-status"), badge(a.legalStatus, "legalStatus"));
      const flags = el("span", { id: "u-fact-flags" });
      const flag = (on, name, f) => on && flags.append(badge(name, "flag"), " " + (f.ref || "") + (f.since ? " " + t("rights.since", { Date: fmtDate(f.since) }) : "") + " ");
      flag(a.freeze && a.freeze.active, "frozen", a.freeze || {});
      flag(a.dispute && a.dispute.active, "disputed", a.dispute || {});
      flag(a.invalidation && a.invalidation.active, "invalidation-pending", a.invalidation || {});
      if (!flags.childNodes.length) flags.append(el("span", { class: "ok", text: t("rights.no-flags") }));
      fact(t("rights.fact.flags"), flags);
      if (a.lastChange) {
        // "AssetUpdated:feesPaidThrough,dispute": the event, and the fields a change set.
        const [action, what] = (a.lastChange.action || "").split(":");
        const set = action === "AssetUpdated" && what ? what.split(",").map((f) => (has("rights.field." + f) ? t("rights.field." + f) : f)).join(t("rights.sep")) : "";
        fact(t("rights.fact.last-change"), el("span", { id: "u-fact-change", text: t("rights.last-change", { Version: a.version, Action: tEnum("eventType", action) + (set ? t("rights.fields", { Fields: set }) : ""),
          Time: fmtTime(a.lastChange.time) }) }), " · ", el("code", { text: a.lastChange.txId }));
      }
      clear($("#u-links")).append(...links(a.id));
      $("#u-court").href = "/console/court?asset=" + enc(a.id);
    }

    // prefill puts the record's values in the form: the baseline every change is measured against.
    function prefill(a) {
      base = a;
      $("#u-moved").hidden = true;
      $("#u-status").value = a.legalStatus;
      const patent = isPatent(a.kind), mark = a.kind === "trademark";
      $("#u-patent").hidden = !patent;
      $("#u-fees").disabled = !patent;
      $("#u-fees").value = a.feesPaidThrough || "";
      $("#u-expiry").value = a.expiryDate;
      $("#u-title").value = a.title;
      $("#u-trademark").hidden = !mark;
      $("#u-family").disabled = !mark;
      $("#u-family").value = a.markFamily || "";
      for (const name of ["dispute", "invalidation"]) {
        const f = a[name] || {};
        $("#u-" + name).checked = !!f.active;
        $("#u-" + name + "-ref").value = f.ref || "";
        $("#u-" + name + "-ref").disabled = !f.active;
      }
      dropConfirm();
      edited = false;
    }
    for (const name of ["dispute", "invalidation"]) {
      $("#u-" + name).addEventListener("change", () => { $("#u-" + name + "-ref").disabled = !$("#u-" + name).checked; });
    }

    // show draws a right: the record a submission answered, or one read now. Only the newest read or
    // answer draws (latest): a slow live-event redraw of the right shown before never overwrites the
    // right asked for since.
    const turn = latest();
    function show(id, record) {
      const mine = turn();
      const draw = (a) => {
        const other = !current || current.id !== a.id;
        current = a;
        history.replaceState(null, "", "/console/rights?asset=" + enc(a.id));
        $("#u-asset").value = a.id;
        drawRecord(a);
        if (other || !edited) prefill(a);
        else moved();
        $("#u-right").hidden = false;
      };
      if (record) return draw(record);
      return findAsset(id).then((a) => { if (mine()) draw(a); }, (err) => {
        if (!mine()) return;
        $("#u-right").hidden = true;
        current = null;
        alertBox(err);
      });
    }

    // moved says, while the clerk edits the form, that the right's record has changed on the ledger
    // since the form was filled from it (another examiner, a court, a transfer): the form is not sent
    // until the clerk fills it again from the new record, lest it undo that change.
    const stale = () => !!(base && current && base.id === current.id && base.version !== current.version);
    function moved() {
      $("#u-moved").hidden = !stale();
      if (stale()) $("#u-moved-text").textContent = t("rights.moved", { Id: current.id, From: base.version, To: current.version });
    }
    $("#u-reload").addEventListener("click", () => {
      if (!current) return;
      prefill(current);
      resetMessages(upd);
      $("#u-status").focus();
    });

    // changes are the fields that differ from the record the form was filled from, as AssetPatch
    // names them (nothing else is sent).
    function changes() {
      const a = base, b = {};
      if (v("#u-status") !== a.legalStatus) b.legalStatus = v("#u-status");
      if (!$("#u-fees").disabled && v("#u-fees") !== (a.feesPaidThrough || "")) b.feesPaidThrough = v("#u-fees");
      if (v("#u-expiry") !== a.expiryDate) b.expiryDate = v("#u-expiry");
      if (v("#u-title") !== a.title) b.title = v("#u-title");
      if (!$("#u-family").disabled && v("#u-family") !== (a.markFamily || "")) b.markFamily = v("#u-family");
      for (const name of ["dispute", "invalidation"]) {
        const was = a[name] || {}, on = $("#u-" + name).checked, ref = v("#u-" + name + "-ref");
        if (on !== !!was.active || (on && ref !== (was.ref || ""))) b[name] = on ? Object.assign({ active: true }, ref ? { ref } : {}) : { active: false };
      }
      return b;
    }
    // grave are the changes that bear on the right's pledges and transfers, asked for first: a new
    // legal status (P4, P10: the pledges on it record the loss of their collateral), a dispute (T2, P4)
    // or an invalidation request (P4) raised or lifted.
    function grave(b) {
      const out = [];
      if (b.legalStatus) out.push(t("rights.confirm.status", { From: tEnum("legalStatus", base.legalStatus), To: tEnum("legalStatus", b.legalStatus) }));
      for (const name of ["dispute", "invalidation"]) {
        const was = !!(base[name] || {}).active;
        if (b[name] && b[name].active && !was) out.push(t("rights.confirm." + name));
        if (b[name] && !b[name].active && was) out.push(t("rights.confirm." + name + "-lifted"));
      }
      return out;
    }

    // The confirmation, inside the form: its button sends the form again, confirmed; any change to the
    // form takes it away.
    let confirmed = false;
    function dropConfirm() {
      const c = $(".confirm", upd);
      if (c) c.remove();
      confirmed = false;
    }
    function askFirst(items) {
      const box = $("#u-confirm-box").content.firstElementChild.cloneNode(true);
      $(".confirm-text", box).textContent = t("rights.confirm-intro", { Id: base.id });
      $(".confirm-text", box).id = "u-confirm-text";
      box.setAttribute("aria-labelledby", "u-confirm-text");
      $(".confirm-list", box).append(...items.map((x) => el("li", { text: x })));
      $("[data-confirm]", box).addEventListener("click", () => {
        box.remove();
        confirmed = true;
        upd.requestSubmit();
      });
      $("[data-cancel]", box).addEventListener("click", () => { dropConfirm(); $("#u-submit").focus(); });
      $("#u-submit").before(box);
      $("[data-confirm]", box).focus();
    }
    upd.addEventListener("input", () => { edited = true; dropConfirm(); });
    upd.addEventListener("change", () => { edited = true; dropConfirm(); });

    actionForm(upd, () => {
      const asked = $(".confirm", upd);
      if (asked) asked.remove(); // asked again below, if still grave
      const nothing = $("[data-error-for=update]", upd);
      nothing.textContent = "";
      if (stale()) {
        moved();
        nothing.textContent = t("rights.moved-not-sent");
        $("#u-reload").focus();
        return null;
      }
      const b = changes();
      if (!Object.keys(b).length) {
        nothing.textContent = t("rights.nothing-changed");
        return null;
      }
      const ask = grave(b);
      if (ask.length && !confirmed) {
        askFirst(ask);
        return null;
      }
      confirmed = false;
      return { method: "PATCH", path: "/v1/assets/" + enc(base.id), body: b };
    }, async (r, b) => {
      const fields = Object.keys(b).map((f) => t("rights.field." + f)).join(t("rights.sep"));
      notice(t("rights.updated", { Id: r.id, Fields: fields, Block: r.blockNumber, Tx: r.txId }) + (r.replay ? " " + t("rights.replay") : ""));
      $("#notice").dataset.outcome = "update:" + r.id;
      edited = false;
      show(r.id, r.result);
    });

    $("#u-lookup").addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages($("#u-lookup"));
      if (validate($("#u-lookup"))) {
        current = null;
        show(v("#u-asset"));
      }
    });
    // A change of the right on the ledger (by this or another examiner, a court's freeze, a recorded
    // transfer) redraws its record; a form the clerk has begun keeps what was typed.
    refreshOn((ev, p) => current && (p.assetIds || []).includes(current.id) && /^(Asset|Freeze|Transfer|License)/.test(ev.type), () => current && show(current.id));
    if (param("asset")) {
      $("#u-asset").value = param("asset");
      show(param("asset"));
    }
  };
})();

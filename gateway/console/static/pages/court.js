// Court measures (查封/冻结) on an IP right, for the IP office, which records them as the courts' notices
// arrive (C1: the first in effect, later ones waiting in their order, 轮候查封) and records their lifting
// (C2, 解除查封: the next waiting one takes effect). A page script: console.js's helpers are
// window.IPLedger; the order, the priorities and the effect are the chaincode's.
"use strict";

(function () {
  const { pages, $, el, clear, t, tEnum, fmtTime, badge, param, api, alertBox, notice, resetMessages, validate, refreshOn,
    actionForm, findAsset, latest } = window.IPLedger;
  const enc = encodeURIComponent;

  pages.court = function () {
    const lookup = $("#court-lookup");
    let current = ""; // the right drawn: the forms act on it
    // wanted is the right last asked for (drawn, or its read on the way): a live refresh reloads it,
    // never the right drawn before a lookup of another one (a slow redraw would overwrite the lookup).
    let wanted = "";

    // draw shows the right's measures, lifted ones included, in their order of arrival.
    function draw(a) {
      current = wanted = a.id;
      history.replaceState(null, "", "/console/court?asset=" + enc(a.id));
      $("#c-heading").textContent = t("court.heading", { Title: a.title, Number: a.number });
      const facts = clear($("#c-facts"));
      facts.append(t("court.facts", { Kind: tEnum("assetKind", a.kind), Id: a.id, Owners: a.owners.map((o) => o.name).join(t("common.list-sep")) }), " ");
      facts.append(a.freeze && a.freeze.active ? el("span", {}, badge("frozen", "flag"), " " + t("court.in-effect", { Court: a.freeze.court || "", Ref: a.freeze.ref || "" })) :
        el("span", { class: "ok", text: t("court.not-frozen") }));
      const ms = a.courtMeasures || [];
      const tbody = clear($("#c-rows"));
      for (const m of ms) {
        tbody.append(el("tr", { "data-measure": String(m.n), "data-status": m.status },
          el("th", { scope: "row", text: String(m.n) }),
          el("td", { text: tEnum("measureKind", m.kind) }),
          el("td", { text: m.court }),
          el("td", { text: m.ref }),
          el("td", { text: fmtTime(m.receivedAt) }),
          el("td", { text: m.effectiveFrom ? fmtTime(m.effectiveFrom) : "—" }),
          el("td", { text: m.priority ? String(m.priority) : "—" }),
          el("td", {}, badge(m.status, "measureStatus")),
          el("td", { text: m.liftedAt ? t(m.liftedByTransferId ? "court.lifted-by-transfer" : "court.lifted-by", { At: fmtTime(m.liftedAt), Ref: m.liftedRef || "", Transfer: m.liftedByTransferId || "" }) : "" })));
      }
      if (!ms.length) tbody.append(el("tr", {}, el("td", { colspan: 9, class: "muted", text: t("court.none") })));
      $("#c-caption").textContent = t("court.count", { N: ms.length, Waiting: ms.filter((m) => m.status === "waiting").length });
      const sel = $("#lf-n");
      if (sel) drawLiftChoices(sel, ms);
      $("#court-right").hidden = false;
    }

    // drawLiftChoices offers the measures not yet lifted (the IP office's lift form; the regulator reads only).
    function drawLiftChoices(sel, ms) {
      const keep = sel.value;
      const open = ms.filter((m) => m.status !== "lifted");
      sel.replaceChildren(el("option", { value: "", text: t("court.choose") }),
        ...open.map((m) => el("option", { value: String(m.n), text: t("court.measure-option", { N: m.n, Court: m.court, Ref: m.ref, Status: tEnum("measureStatus", m.status) }) })));
      if (open.some((m) => String(m.n) === keep)) sel.value = keep;
    }

    const turn = latest();
    async function show(id) {
      wanted = id;
      const mine = turn();
      try {
        const a = await findAsset(id);
        if (mine()) draw(a);
      } catch (err) {
        if (!mine()) return;
        $("#court-right").hidden = true;
        alertBox(err);
      }
    }

    const freeze = $("#freeze-form");
    if (freeze) actionForm(freeze, () => ({ path: "/v1/assets/" + enc(current) + "/freezes", body: { court: freeze.elements.court.value.trim(), ref: freeze.elements.ref.value.trim() } }),
      async (r, b) => {
        const m = (r.result.courtMeasures || []).filter((x) => x.court === b.court && x.ref === b.ref).pop() || {};
        notice(t(m.status === "waiting" ? "court.frozen-waiting" : "court.frozen", { Asset: current, N: m.n, Priority: m.priority, Block: r.blockNumber, Tx: r.txId }) +
          (r.replay ? " " + t("transfers.replay") : ""));
        $("#notice").dataset.outcome = "freeze:" + current + ":" + m.n;
        turn(); // the answer is the newest record: a read started before it never draws over it
        draw(r.result);
      });
    const lift = $("#lift-form");
    if (lift) actionForm(lift, () => ({ path: "/v1/assets/" + enc(current) + "/freezes/" + enc(lift.elements.n.value) + "/lift", body: { ref: lift.elements.ref.value.trim() } }),
      async (r) => {
        const n = lift.elements.n.value;
        const next = (r.result.courtMeasures || []).find((x) => x.status === "effective");
        notice(t("court.lifted", { Asset: current, N: n, Block: r.blockNumber, Tx: r.txId }) + (next ? " " + t("court.next-effective", { N: next.n, Court: next.court }) : "") +
          (r.replay ? " " + t("transfers.replay") : ""));
        $("#notice").dataset.outcome = "lift:" + current + ":" + n;
        lift.elements.ref.value = "";
        turn(); // as after a freeze
        draw(r.result);
      });

    lookup.addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages(lookup);
      if (validate(lookup)) show($("#c-asset").value.trim());
    });
    // A freeze or its lifting, or a court's transfer recorded (which ends the measures, C3), redraws it.
    refreshOn((ev, p) => wanted && (p.assetIds || []).includes(wanted) && (ev.type.startsWith("Freeze") || ev.type.startsWith("Transfer") || ev.type.startsWith("Asset")), () => show(wanted));
    if (param("asset")) {
      $("#c-asset").value = param("asset");
      show(param("asset"));
    }
  };
})();

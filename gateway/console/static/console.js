// IPLedger console: a client of this gateway's /v1 API. Every value from the ledger is inserted as
// text (textContent), never as HTML. The API key lives in sessionStorage and goes only into the
// Authorization header.
"use strict";

(function () {
  const body = document.body;
  const MSP = body.dataset.msp;
  const KIND = body.dataset.kind;
  const PAGE = body.dataset.page;
  const MESSAGES = JSON.parse(body.dataset.messages || "{}");
  const KEY_SLOT = "ipledger.apiKey." + MSP;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // ---- DOM helpers ---------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const clear = (e) => { e.replaceChildren(); return e; };
  const fmtTime = (t) => (t ? new Date(t).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" }) : "");
  const short = (s) => (s && s.length > 16 ? s.slice(0, 12) + "…" : s || "");
  const orgName = (msp) => ({ IPOfficeMSP: "IP office", ExchangeMSP: "Exchange", RegulatorMSP: "Regulator" }[msp] ||
    (msp || "").replace(/^Bank(\d+)MSP$/, "Bank $1"));
  // who names the submitter by its certificate's common name (x509::CN=examiner1,OU=…).
  const who = (s) => { const m = /CN=([^,:/]+)/.exec(s || ""); return m ? m[1] : s || ""; };
  const badge = (s) => el("span", { class: "badge " + s, text: s });
  const pledgeLink = (id) => el("a", { href: "/console/pledge?id=" + encodeURIComponent(id), text: id });
  const assetLink = (id) => el("a", { href: "/console/verify?asset=" + encodeURIComponent(id), text: id });
  const param = (name) => new URLSearchParams(location.search).get(name) || "";
  function randomKey() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return "console-" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  // ---- API -----------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, e) {
      super(e.message || "error " + status);
      this.status = status;
      this.code = e.code || "INTERNAL";
      this.details = e.details || {};
      this.txId = e.txId || "";
    }
  }

  // api calls /v1 with the signed-in key. A POST carries an Idempotency-Key (rule I3): pass the same
  // one to repeat a submission safely.
  async function api(method, path, payload, idemKey) {
    const headers = { Authorization: "Bearer " + sessionStorage.getItem(KEY_SLOT) };
    const init = { method, headers };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Idempotency-Key"] = idemKey || randomKey();
      init.body = JSON.stringify(payload);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, { code: "NETWORK", message: String(e) });
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      if (res.status === 401 && PAGE !== "signin") signOut("Your API key was not accepted. Please sign in again.");
      throw new ApiError(res.status, (data && data.error) || { code: "INTERNAL", message: text.slice(0, 200) });
    }
    return data;
  }

  async function listAll(query) {
    const items = [];
    let bookmark = "";
    for (let i = 0; i < 50; i++) {
      const page = await api("GET", "/v1/pledges?" + query + "&pageSize=100" + (bookmark ? "&bookmark=" + encodeURIComponent(bookmark) : ""));
      items.push(...(page.items || []));
      bookmark = page.bookmark;
      if (!bookmark) break;
    }
    return items;
  }

  // ---- errors in a clerk's words ---------------------------------------------------------------
  // explain turns the API's error into words: the console's sentence for the code (and the reason the
  // chaincode named), the rule id when it is one, and the API's own message.
  function explain(err) {
    const reason = err.details && err.details.reason;
    const words = (reason && MESSAGES[err.code + "/" + reason]) || MESSAGES[err.code] || "The request failed.";
    const isRule = /^[A-Z][0-9]+$/.test(err.code);
    return { words, rule: isRule ? err.code : "", message: err.message, txId: err.txId };
  }

  function alertBox(err, box) {
    box = box || $("#alert");
    const x = explain(err);
    clear(box).append(
      el("span", { class: "words", text: x.words }), " ",
      x.rule ? el("span", { class: "rule", text: "(rule " + x.rule + ")" }) : "",
      el("span", { class: "detail", text: "The ledger says: " + x.message + (x.txId ? " · transaction " + x.txId : "") }));
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }
  function notice(text) {
    const n = $("#notice");
    n.textContent = text;
    n.hidden = false;
  }
  function resetMessages(form) {
    $("#alert").hidden = true;
    $("#notice").hidden = true;
    if (form) {
      $$(".field-error", form).forEach((s) => { s.textContent = ""; });
      $$(".invalid", form).forEach((i) => i.classList.remove("invalid"));
    }
  }

  // fieldFor finds the input an API field path names: "debtTermEnd", "terms.amount",
  // "pledgors[1].name" (row 1 of the pledgors), "assetIds[0]" (the list input).
  function fieldFor(form, path) {
    const m = /^(\w+)\[(\d+)\]\.(.+)$/.exec(path);
    if (m) {
      const row = $(`[data-row="${m[1]}"][data-index="${m[2]}"]`, form);
      const input = row && $(`[data-field="${m[1]}.${m[3]}"]`, row);
      if (input) return input;
    }
    const plain = path.replace(/\[\d+\]/g, "");
    return $(`[data-field="${CSS.escape(plain)}"]`, form) || $(`[data-field="${CSS.escape(plain.replace(/^terms\./, ""))}"]`, form);
  }
  function errorSlot(form, input) {
    const row = input.closest("[data-row]");
    if (row) return $(".field-error", row);
    return $(`[data-error-for="${CSS.escape(input.dataset.field || input.id)}"]`, form) || $(`[data-error-for="${CSS.escape(input.id)}"]`, form);
  }
  function fieldError(form, input, text) {
    input.classList.add("invalid");
    const slot = errorSlot(form, input);
    if (slot) slot.textContent = (slot.textContent ? slot.textContent + " " : "") + text;
  }

  // showServerError puts a 422's message next to the field it names (with the field path), and
  // every error in the alert box.
  function showServerError(form, err) {
    if (err.status === 422 && err.details && err.details.field && form) {
      const input = fieldFor(form, err.details.field);
      if (input) {
        fieldError(form, input, "The ledger says: " + err.message);
        input.focus();
      }
    }
    alertBox(err);
  }

  // validate checks a form before it is sent, with the checks the page got from the API's own
  // schemas (required, maxlength, data-minlength, data-pattern, min, max). It returns true when valid.
  function validate(form) {
    let ok = true;
    for (const input of $$("input[data-field], select[data-field], input[required]", form)) {
      if (input.matches(":disabled")) continue; // a part of the form not in use (a licence's details, the maximum-amount fields)
      const v = input.value.trim();
      const label = (input.closest("label") || $(`label[for="${input.id}"]`, form) || {}).textContent || input.name;
      const name = label.replace(/\s+/g, " ").trim().replace(/\(.*\)$/, "").trim();
      let msg = "";
      const values = input.dataset.list ? v.split(input.dataset.list).map((s) => s.trim()).filter(Boolean) : [v];
      if (input.required && (v === "" || values.length === 0)) msg = name + " is required.";
      else if (v !== "") {
        for (const one of values) {
          if (input.dataset.pattern && !new RegExp(input.dataset.pattern).test(one)) {
            msg = name + ": “" + one + "” is not valid" + (input.dataset.hint ? " (" + input.dataset.hint + ")." : ".");
          } else if (input.maxLength > 0 && one.length > input.maxLength) {
            msg = name + " is too long (at most " + input.maxLength + " characters).";
          } else if (input.dataset.minlength && one.length < Number(input.dataset.minlength)) {
            msg = name + " is too short.";
          } else if (input.type === "number" && !input.checkValidity()) {
            msg = name + " must be between " + input.min + " and " + input.max + ".";
          }
          if (msg) break;
        }
      }
      if (msg) {
        ok = false;
        fieldError(form, input, msg);
      }
    }
    if (!ok) {
      const first = $(".invalid", form);
      if (first) first.focus();
    }
    return ok;
  }

  async function busy(button, fn) {
    button.disabled = true;
    try { return await fn(); } finally { button.disabled = false; }
  }

  // ---- sign-in -------------------------------------------------------------------------------
  function signOut(reason) {
    sessionStorage.removeItem(KEY_SLOT);
    stopLive();
    $("#app").hidden = true;
    $("#nav").hidden = true;
    $("#session").hidden = true;
    $("#signin").hidden = false;
    if (reason) {
      const a = $("#signin-alert");
      a.textContent = reason;
      a.hidden = false;
    }
  }

  function setupSignIn() {
    $("#signout").addEventListener("click", () => signOut(""));
    $("#signin-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const input = $("#apikey");
      const key = input.value.trim();
      const a = $("#signin-alert");
      a.hidden = true;
      if (!key) {
        a.textContent = "Paste your API key first.";
        a.hidden = false;
        return;
      }
      sessionStorage.setItem(KEY_SLOT, key);
      try {
        // Any authenticated read tells whether the key is known here.
        await fetch("/v1/pledges?status=applied&pageSize=1", { headers: { Authorization: "Bearer " + key } }).then(async (r) => {
          if (!r.ok) {
            const e = await r.json().catch(() => ({}));
            throw new ApiError(r.status, e.error || {});
          }
        });
      } catch (err) {
        sessionStorage.removeItem(KEY_SLOT);
        const x = explain(err);
        a.textContent = x.words + " (" + x.message + ")";
        a.hidden = false;
        return;
      }
      input.value = "";
      start();
    });
  }

  // ---- live updates --------------------------------------------------------------------------
  // EventSource cannot send an Authorization header, so the stream is read with fetch: the same
  // header as every other call, the body read as it arrives and parsed as server-sent events.
  // After a break it reconnects with Last-Event-ID, so no event is lost or repeated.
  const listeners = [];
  let liveAbort = null;
  let lastEventId = "";
  function onLedgerEvent(fn) { listeners.push(fn); }
  function stopLive() { if (liveAbort) liveAbort.abort(); liveAbort = null; }
  function liveStatus(on, text) {
    const s = $("#live");
    s.className = "live " + (on ? "on" : "off");
    s.textContent = text;
  }
  async function startLive() {
    stopLive();
    const ctl = new AbortController();
    liveAbort = ctl;
    let delay = 1000;
    while (!ctl.signal.aborted) {
      try {
        const headers = { Authorization: "Bearer " + sessionStorage.getItem(KEY_SLOT), Accept: "text/event-stream" };
        if (lastEventId) headers["Last-Event-ID"] = lastEventId;
        const res = await fetch("/v1/events", { headers, signal: ctl.signal, cache: "no-store" });
        if (res.status === 401) { signOut("Your API key was not accepted. Please sign in again."); return; }
        if (!res.ok || !res.body) throw new Error("events: " + res.status);
        liveStatus(true, "● live");
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            dispatch(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
        }
      } catch (e) {
        if (ctl.signal.aborted) return;
      }
      liveStatus(false, "○ reconnecting");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }
  function dispatch(block) {
    let id = "", data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("id:")) id = line.slice(3).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (!data) return;
    if (id) lastEventId = id;
    let ev;
    try { ev = JSON.parse(data); } catch (e) { return; }
    const p = ev.payload || {};
    $("#last-event").textContent = "Last change: " + ev.type + " " + (p.id || "") + " by " + orgName(p.msp) + ", block " + ev.blockNumber;
    for (const fn of listeners) {
      try { fn(ev, p); } catch (e) { /* a page's refresh failing must not stop the stream */ }
    }
  }
  // refreshOn reloads a view (debounced) when an event passes the filter.
  function refreshOn(filter, reload) {
    let timer = null;
    onLedgerEvent((ev, p) => {
      if (!filter(ev, p)) return;
      clearTimeout(timer);
      timer = setTimeout(reload, 300);
    });
  }

  // ---- timeline ------------------------------------------------------------------------------
  async function renderTimeline(list, kind, id) {
    clear(list);
    const h = await api("GET", "/v1/" + kind + "s/" + encodeURIComponent(id) + "/history");
    for (const item of h.items.slice().reverse()) {
      const proof = el("span", { class: "muted", text: "" });
      const li = el("li", { "data-tx": item.txId },
        el("div", { class: "what", text: (item.action || (item.isDelete ? "deleted" : "changed")) + (item.record && item.record.status ? " → " + item.record.status : "") }),
        el("div", { class: "when", text: fmtTime(item.time) + " · " + orgName(item.msp) + " (" + item.msp + ") · " + who(item.submitter) }),
        el("div", {}, "transaction ", el("code", { text: item.txId }), " ", proof));
      list.append(li);
      api("GET", "/v1/transactions/" + item.txId).then((tx) => {
        proof.textContent = "· block " + tx.blockNumber + ", " + tx.validationCode + ", endorsed by " + (tx.endorsingOrgs || []).join(", ");
      }).catch(() => {});
    }
    if (!h.items.length) list.append(el("li", { class: "muted", text: "No history." }));
  }

  // ---- pages ---------------------------------------------------------------------------------
  const pages = {};

  pages.home = function () {
    const feed = $("#feed");
    onLedgerEvent((ev, p) => {
      if (feed.firstElementChild && feed.firstElementChild.classList.contains("muted")) clear(feed);
      const link = ev.type.startsWith("Pledge") ? pledgeLink(p.id) : ev.type.startsWith("Asset") ? assetLink(p.id) : el("code", { text: p.id });
      feed.prepend(el("li", {}, el("div", { class: "what" }, ev.type + " ", link),
        el("div", { class: "when", text: fmtTime(p.time) + " · " + orgName(p.msp) + " · " + who(p.submitter) + " · block " + ev.blockNumber })));
    });
  };

  pages.verify = function () {
    const form = $("#verify-form");
    const input = $("#asset");
    let current = "";
    async function show(id) {
      resetMessages(form);
      current = id;
      let v;
      try {
        v = await api("GET", "/v1/verify/" + encodeURIComponent(id));
      } catch (err) {
        // Not an id: look the right up by its official number on the register.
        if (err.status === 404 || err.status === 422) {
          try {
            const found = await api("GET", "/v1/assets?number=" + encodeURIComponent(id));
            if (found.count === 1) return show(found.items[0].id);
          } catch (ignored) { /* fall through to the first error */ }
        }
        $("#statement").hidden = true;
        alertBox(err);
        return;
      }
      history.replaceState(null, "", "/console/verify?asset=" + encodeURIComponent(id));
      const st = v.statement, pr = v.proof;
      $("#st-title").textContent = st.title;
      $("#st-kind").textContent = st.kind;
      $("#st-number").textContent = st.number;
      $("#st-id").textContent = st.assetId;
      clear($("#st-status")).append(st.legalStatus);
      $("#st-status").className = "badge " + st.legalStatus;
      const flags = clear($("#st-flags"));
      if (st.freeze && st.freeze.active) flags.append(badge("frozen"), " ", st.freeze.ref || "", " ");
      if (st.dispute && st.dispute.active) flags.append(badge("disputed"), " ");
      if (st.invalidation && st.invalidation.active) flags.append(badge("invalidation pending"));
      $("#st-expiry").textContent = st.expiryDate;
      $("#st-asof").textContent = fmtTime(st.asOf);
      $("#st-qr").src = "/console/qr.svg?asset=" + encodeURIComponent(st.assetId);
      $("#st-link").textContent = location.origin + "/console/verify?asset=" + st.assetId;
      $("#st-endpoint").textContent = "GET /v1/verify/" + st.assetId;
      clear($("#st-owners")).append(...st.owners.map((o) => el("tr", {}, el("td", { text: o.name }), el("td", { text: o.id }), el("td", { text: (o.share / 100).toFixed(2) + " %" }))));
      const enc = st.encumbrances || [];
      $("#st-unencumbered").hidden = enc.length > 0;
      $("#st-enc-table").hidden = enc.length === 0;
      clear($("#st-enc")).append(...enc.map((e) => el("tr", {}, el("td", { text: String(e.rank) }), el("td", {}, pledgeLink(e.pledgeId)),
        el("td", { text: orgName(e.pledgeeMsp) }), el("td", { text: e.registrationNumber }), el("td", { text: fmtTime(e.registeredAt) }), el("td", {}, badge(e.status)))));
      const lic = st.licenses || [];
      $("#st-unlicensed").hidden = lic.length > 0;
      $("#st-lic-table").hidden = lic.length === 0;
      clear($("#st-lic")).append(...lic.map((l) => el("tr", {}, el("td", { text: l.type || "(not recorded)" }),
        el("td", { text: (l.licensees || []).map((x) => x.name).join(", ") }), el("td", { text: l.termStart ? l.termStart + " to " + l.termEnd : "" }),
        el("td", { text: (l.territory || []).join(", ") + (l.territoryNote ? " (" + l.territoryNote + ")" : "") }),
        el("td", { text: l.filingNumber || "" }), el("td", {}, badge(l.status)))));
      const obs = clear($("#st-obstacles"));
      for (const o of st.obstacles || []) obs.append(el("li", { text: describeObstacle(o) }));
      for (const t of st.pendingTransfers || []) obs.append(el("li", {}, "Pending transfer ", el("a", { href: "/console/transfers?id=" + encodeURIComponent(t), text: t })));
      if (!obs.children.length) obs.append(el("li", { class: "ok", text: "None: the right can be traded." }));
      $("#pr-channel").textContent = pr.channel;
      $("#pr-height").textContent = pr.ledgerHeight;
      $("#pr-by").textContent = orgName(pr.verifiedBy) + " (" + pr.verifiedBy + ")";
      const row = (what, tx) => tx && el("tr", {}, el("td", { text: what }), el("td", { text: String(tx.blockNumber) }), el("td", {}, el("code", { text: tx.txId })),
        el("td", { text: tx.valid ? "valid" : tx.validationCode }), el("td", { text: (tx.endorsingOrgs || []).join(", ") }), el("td", { text: fmtTime(tx.time) }));
      clear($("#pr-rows")).append(...[row("Current title", pr.title), pr.lastChange && pr.lastChange.txId !== (pr.title || {}).txId ? row("Last change", pr.lastChange) : null,
        ...pr.encumbrances.map((e) => row("Pledge " + e.pledgeId + " (rank " + e.rank + ")", e))].filter(Boolean));
      $("#st-history").href = "/console/history?asset=" + encodeURIComponent(st.assetId);
      $("#statement").hidden = false;
    }
    function describeObstacle(o) {
      if (o.startsWith("legal-status:")) return "The right is " + o.slice(13) + ", not valid.";
      if (o === "frozen") return "Frozen by a court.";
      if (o === "disputed") return "Ownership disputed.";
      if (o.startsWith("pledge-consent-required:")) return "Pledged: a transfer needs the consent of the pledgee of " + o.slice(24) + " (P7).";
      if (o.startsWith("exclusive-license:")) return "Exclusively licensed (licence " + o.slice(18) + "): the licensee alone may use the right in its territory and term (L4).";
      if (o.startsWith("sole-license:")) return "Sole licence " + o.slice(13) + ": no other licence may be granted in its territory and term (L4).";
      return o;
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages(form);
      if (!validate(form)) return;
      show(input.value.trim());
    });
    $("#print").addEventListener("click", () => window.print());
    refreshOn((ev, p) => current && (p.assetIds || []).includes(current), () => show(current));
    if (param("asset")) {
      input.value = param("asset");
      show(param("asset"));
    }
  };

  // The party search (S1) and the printable search extract with its proof (S2).
  pages.parties = function () {
    const form = $("#parties-form");
    const by = $("#party-by"), input = $("#party-q");
    let next = "", query = "", current = "";
    async function search(more) {
      resetMessages(form);
      if (!more) { next = ""; clear($("#party-rows")); }
      let page;
      try {
        page = await api("GET", "/v1/parties?" + query + "&pageSize=50" + (next ? "&bookmark=" + encodeURIComponent(next) : ""));
      } catch (err) {
        if (err.status === 422) showServerError(form, err); else alertBox(err);
        return;
      }
      const rows = $("#party-rows");
      for (const h of page.items) {
        // A party's records may go on over pages: one row per party, counts added up.
        let tr = $$("tr", rows).find((r) => r.dataset.party === h.id);
        if (!tr) {
          tr = el("tr", { "data-party": h.id }, el("td", {}, el("code", { text: h.id })), el("td"), el("td", { text: "0" }), el("td", { text: "0" }), el("td", { text: "0" }),
            el("td", {}, el("button", { type: "button", class: "link", text: "Extract", onclick: () => showExtract(h.id) })));
          rows.append(tr);
        }
        const cells = tr.children;
        const names = new Set((cells[1].textContent ? cells[1].textContent.split(" · ") : []).concat(h.names));
        cells[1].textContent = Array.from(names).join(" · ");
        cells[2].textContent = String(Number(cells[2].textContent) + h.rights.length);
        cells[3].textContent = String(Number(cells[3].textContent) + h.pledges.length);
        cells[4].textContent = String(Number(cells[4].textContent) + (h.debts || []).length);
      }
      next = page.bookmark;
      $("#party-more").hidden = !next;
      $("#party-results").hidden = false;
      if (!rows.children.length) rows.append(el("tr", {}, el("td", { colspan: "6", class: "muted", text: "No party found." })));
    }
    const proofCell = (tx) => tx ? el("td", {}, String(tx.blockNumber), " · ", el("code", { text: short(tx.txId), title: tx.txId }), " · ", (tx.endorsingOrgs || []).join(", "),
      tx.valid ? "" : " (" + tx.validationCode + ")") : el("td", { class: "muted", text: "not registered" });
    async function showExtract(id) {
      resetMessages(form);
      current = id;
      let v;
      try {
        v = await api("GET", "/v1/parties/" + encodeURIComponent(id) + "/extract");
      } catch (err) {
        $("#extract").hidden = true;
        alertBox(err);
        return;
      }
      history.replaceState(null, "", "/console/parties?id=" + encodeURIComponent(id));
      const x = v.extract, pr = v.proof;
      const proofOf = (list, rid) => (list.find((p) => p.id === rid) || {});
      $("#ex-names").textContent = x.names.join(" · ");
      $("#ex-id").textContent = x.id;
      $("#ex-asof").textContent = fmtTime(x.asOf) + " (" + x.asOf + ")";
      $("#ex-by").textContent = orgName(x.queriedBy) + " (" + x.queriedBy + ")";
      $("#ex-qr").src = "/console/qr.svg?party=" + encodeURIComponent(x.id);
      $("#ex-link").textContent = location.origin + "/console/parties?id=" + x.id;
      $("#ex-endpoint").textContent = "GET /v1/parties/" + x.id + "/extract";
      $("#ex-no-rights").hidden = x.rights.length > 0;
      $("#ex-rights-table").hidden = x.rights.length === 0;
      clear($("#ex-rights")).append(...x.rights.map((r) => el("tr", {}, el("td", {}, assetLink(r.id)), el("td", { text: r.kind + " · " + r.number }),
        el("td", { text: r.title }), el("td", {}, badge(r.legalStatus), r.frozen ? badge("frozen") : "", r.disputed ? badge("disputed") : ""),
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
    $("#party-more").addEventListener("click", () => search(true));
    $("#ex-print").addEventListener("click", () => window.print());
    refreshOn((ev) => ev.type.startsWith("Transfer") || ev.type.startsWith("Pledge") || ev.type.startsWith("Asset"), () => current && showExtract(current));
    if (param("id")) {
      by.value = "id";
      input.value = param("id");
      showExtract(param("id"));
    }
  };

  pages.history = function () {
    const form = $("#history-form");
    async function show(kind, id) {
      resetMessages(form);
      try {
        await renderTimeline($("#timeline"), kind, id);
        const t = $("#h-title");
        t.textContent = { asset: "IP right", pledge: "Pledge", transfer: "Transfer" }[kind] + " " + id + ", newest first";
        t.hidden = false;
        history.replaceState(null, "", "/console/history?" + kind + "=" + encodeURIComponent(id));
      } catch (err) { alertBox(err); }
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages(form);
      if (validate(form)) show($("#h-kind").value, $("#h-id").value.trim());
    });
    for (const k of ["asset", "pledge", "transfer"]) {
      if (param(k)) {
        $("#h-kind").value = k;
        $("#h-id").value = param(k);
        show(k, param(k));
        refreshOn((ev, p) => p.id === param(k) || (p.assetIds || []).includes(param(k)), () => show(k, param(k)));
      }
    }
  };

  pages.pledges = function () {
    async function load() {
      const tbody = $("#my-pledges");
      let items;
      try { items = await listAll("pledgee=" + MSP); } catch (err) { alertBox(err); return; }
      items.sort((a, b) => (b.appliedAt || "").localeCompare(a.appliedAt || ""));
      clear(tbody);
      if (!items.length) tbody.append(el("tr", {}, el("td", { colspan: 7, class: "muted", text: "No pledges yet." })));
      for (const p of items) {
        const act = el("td");
        if (p.status === "registered") act.append(el("button", { type: "button", class: "secondary", text: "Release", onclick: (e) => release(p, e.target) }));
        tbody.append(el("tr", { "data-pledge": p.id }, el("td", {}, pledgeLink(p.id)), el("td", {}, ...p.assetIds.map((a) => [assetLink(a), " "])),
          el("td", { text: p.pledgors.map((x) => x.name).join(", ") }), el("td", {}, badge(p.status)), el("td", { text: fmtTime(p.appliedAt) }),
          el("td", { text: p.registrationNumber || "" }), act));
      }
    }
    refreshOn((ev, p) => ev.type.startsWith("Pledge") && p.msp !== undefined, load);
    load();
  };

  async function release(p, button) {
    resetMessages();
    const reason = prompt("Release pledge " + p.id + ": reason", "loan repaid");
    if (!reason) return;
    await busy(button, async () => {
      try {
        const r = await api("POST", "/v1/pledges/" + encodeURIComponent(p.id) + "/release", { reason });
        notice("Pledge " + p.id + " released in block " + r.blockNumber + " (transaction " + r.txId + ").");
      } catch (err) { alertBox(err); }
    });
  }

  pages.apply = function () {
    const form = $("#apply-form");
    const rows = $("#pledgor-rows");
    let idem = randomKey();
    form.addEventListener("input", () => { idem = randomKey(); });
    $("#add-pledgor").addEventListener("click", () => {
      const first = $("[data-row]", rows);
      const copy = first.cloneNode(true);
      copy.dataset.index = String($$("[data-row]", rows).length);
      $$("input", copy).forEach((i) => { i.value = ""; i.classList.remove("invalid"); });
      $(".field-error", copy).textContent = "";
      rows.append(copy);
    });
    const toggle = (box, on) => { box.disabled = !on; box.hidden = !on; };
    $("#f-security").addEventListener("change", () => toggle($("#f-max"), $("#f-security").value === "maximum-amount"));
    $("#f-thirdparty").addEventListener("change", () => toggle($("#f-debtor"), $("#f-thirdparty").checked));
    $("#f-contract-file").addEventListener("change", async (ev) => {
      const f = ev.target.files[0];
      if (!f || !crypto.subtle) return;
      const sum = await crypto.subtle.digest("SHA-256", await f.arrayBuffer());
      $("#f-contract").value = Array.from(new Uint8Array(sum), (x) => x.toString(16).padStart(2, "0")).join("");
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      resetMessages(form);
      $("#applied").hidden = true;
      if (!validate(form)) {
        const a = $("#alert");
        a.textContent = "Please correct the fields marked in red.";
        a.hidden = false;
        return;
      }
      const v = (id) => $(id).value.trim();
      const app = {
        assetIds: v("#f-assets").split(",").map((s) => s.trim()).filter(Boolean),
        pledgors: $$("[data-row=pledgors]", rows).map((r) => ({ id: $("[name=pledgor-id]", r).value.trim(), name: $("[name=pledgor-name]", r).value.trim() })),
        pledgeeName: v("#f-pledgee"),
        debtKind: v("#f-debtkind"),
        debtTermStart: v("#f-start"),
        debtTermEnd: v("#f-end"),
        contractHash: v("#f-contract"),
        terms: { amount: v("#f-amount"), currency: v("#f-currency"), interestRate: v("#f-rate"), scope: v("#f-scope") },
      };
      if ($("#f-ackrisk").checked) app.acknowledgeInvalidationRisk = true;
      if (v("#f-security") === "maximum-amount") {
        app.securityType = "maximum-amount";
        app.claimPeriod = { start: v("#f-period-start"), end: v("#f-period-end") };
        app.terms.maximumAmount = v("#f-maxamount");
      }
      if ($("#f-thirdparty").checked) app.debtor = { id: v("#f-debtor-id"), name: v("#f-debtor-name") };
      await busy($("#apply-submit"), async () => {
        try {
          const r = await api("POST", "/v1/pledges", app, idem);
          const box = clear($("#applied"));
          box.append(el("strong", { text: "Application filed: " }), pledgeLink(r.id),
            el("div", { text: "Committed in block " + r.blockNumber + ", transaction " + r.txId + ". The IP office will examine it." }));
          box.hidden = false;
          box.dataset.pledge = r.id;
          idem = randomKey();
        } catch (err) { showServerError(form, err); }
      });
    });
  };

  pages.pledge = function () {
    const id = param("id");
    $("#p-id").textContent = id;
    async function load() {
      let p;
      try { p = await api("GET", "/v1/pledges/" + encodeURIComponent(id)); } catch (err) { alertBox(err); return; }
      clear($("#p-status")).append(p.status);
      $("#p-status").className = "badge " + p.status;
      const facts = clear($("#p-facts"));
      const fact = (k, ...v) => facts.append(el("dt", { text: k }), el("dd", {}, ...v));
      fact("IP rights", ...p.assetIds.map((a) => [assetLink(a), " "]));
      fact("Pledgors", p.pledgors.map((x) => x.name + " (" + x.id + ")").join(", "));
      fact("Pledgee", p.pledgee.name + " (" + p.pledgee.msp + ")");
      fact("Debt", p.debtKind + ", " + p.debtTermStart + " to " + p.debtTermEnd);
      fact("Applied", fmtTime(p.appliedAt) + ", examination due by " + fmtTime(p.examinationDueBy));
      if (p.registrationNumber) fact("Registration", p.registrationNumber + ", " + fmtTime(p.registeredAt));
      if ((p.ranks || []).length) fact("Rank", p.ranks.map((r) => r.assetId + ": " + r.rank).join(", "));
      if (p.refusalReasons) fact("Refused", p.refusalReasons.join(", ") + (p.refusalNote ? " — " + p.refusalNote : ""));
      fact("Contract hash", el("code", { text: p.contractHash }));
      fact("Terms hash", el("code", { text: p.termsHash }));
      $("#p-overdue").hidden = !(p.status === "applied" && p.examinationDueBy && new Date(p.examinationDueBy) < new Date());
      if (p.privateTerms) {
        const t = p.privateTerms.terms;
        const list = clear($("#p-terms-list"));
        list.append(el("dt", { text: "Amount" }), el("dd", { text: t.amount + " " + t.currency }), el("dt", { text: "Interest" }), el("dd", { text: t.interestRate + " %" }),
          el("dt", { text: "Scope" }), el("dd", { text: t.scope }), el("dt", { text: "Matches public hash" }), el("dd", { text: p.privateTerms.verified ? "yes" : "NO" }));
        $("#p-terms").hidden = false;
      }
      const rel = $("#p-release");
      rel.hidden = !(KIND === "bank" && p.pledgee.msp === MSP && p.status === "registered");
      $("#p-actions").hidden = rel.hidden;
      rel.onclick = (e) => release(p, e.target);
      $("#pledge").hidden = false;
      await renderTimeline($("#timeline"), "pledge", id);
    }
    refreshOn((ev, p) => p.id === id, load);
    load().catch(alertBox);
  };

  // checksFor lists, for one application, the facts the chaincode tests again at registration, each
  // beside its rule. They are read from the ledger now (the statement and the right's record); the
  // chaincode, not this list, decides.
  async function checksFor(p) {
    const out = [];
    const today = new Date().toISOString().slice(0, 10);
    const pledgorIds = new Set(p.pledgors.map((x) => x.id));
    const ownerIds = new Set();
    for (const id of p.assetIds) {
      let st, asset;
      try {
        [st, asset] = await Promise.all([api("GET", "/v1/verify/" + encodeURIComponent(id)).then((v) => v.statement), api("GET", "/v1/assets/" + encodeURIComponent(id))]);
      } catch (err) {
        out.push({ rule: "A2", ok: false, text: id + ": " + explain(err).words });
        continue;
      }
      const missing = st.owners.filter((o) => !pledgorIds.has(o.id));
      st.owners.forEach((o) => ownerIds.add(o.id));
      out.push({ rule: "P1", ok: missing.length === 0, text: id + ": every registered owner is a pledgor" + (missing.length ? " — missing " + missing.map((o) => o.name).join(", ") : "") });
      out.push({ rule: "P4", ok: st.legalStatus === "valid", text: id + ": legal status " + st.legalStatus });
      if (st.kind.startsWith("patent")) out.push({ rule: "P4", ok: (asset.feesPaidThrough || "") >= today, text: id + ": fees paid through " + (asset.feesPaidThrough || "—") });
      out.push({ rule: "P4", ok: !st.freeze.active, text: id + ": " + (st.freeze.active ? "frozen by a court " + (st.freeze.ref || "") : "not frozen") });
      out.push({ rule: "P4", ok: !st.dispute.active, text: id + ": " + (st.dispute.active ? "ownership disputed" : "no ownership dispute") });
      out.push({ rule: "P4", ok: p.debtTermEnd <= st.expiryDate, text: id + ": debt term ends " + p.debtTermEnd + ", right expires " + st.expiryDate });
      if (st.invalidation.active) out.push({ rule: "P4", ok: !!p.acknowledgeInvalidationRisk, text: id + ": invalidation pending, risk " + (p.acknowledgeInvalidationRisk ? "acknowledged" : "not acknowledged") });
      if (st.kind.startsWith("patent")) {
        const other = (st.encumbrances || []).filter((e) => e.pledgeId !== p.id);
        out.push({ rule: "P5", ok: other.length === 0, text: id + ": " + (other.length ? "already pledged (" + other.map((e) => e.pledgeId).join(", ") + ")" : "no other active pledge") });
      }
    }
    const strangers = p.pledgors.filter((x) => !ownerIds.has(x.id));
    if (strangers.length) out.push({ rule: "P1", ok: false, text: "pledgor not an owner: " + strangers.map((x) => x.name).join(", ") });
    return out;
  }

  pages.queue = function () {
    const root = $("#queue");
    async function load() {
      let items, overdue;
      try {
        [items, overdue] = await Promise.all([listAll("status=applied"), listAll("overdue=true")]);
      } catch (err) { alertBox(err); return; }
      const late = new Set(overdue.map((p) => p.id));
      items.sort((a, b) => (a.appliedAt || "").localeCompare(b.appliedAt || ""));
      $("#q-counts").textContent = items.length + " waiting, " + late.size + " overdue.";
      const cards = [];
      for (const p of items) cards.push(await application(p, late.has(p.id)));
      clear(root).append(...cards);
      if (!items.length) root.append(el("p", { class: "muted", text: "No applications are waiting." }));
    }
    async function application(p, isLate) {
      const checks = await checksFor(p);
      const regForm = el("form", { class: "register", novalidate: true },
        el("label", {}, "Registration number ", el("input", { name: "registrationNumber", required: true, maxlength: 64, "data-field": "registrationNumber", value: "Y" + new Date().getFullYear() + "-" + p.id.slice(-8).toUpperCase() })),
        el("span", { class: "field-error", "data-error-for": "registrationNumber" }),
        el("button", { type: "submit", text: "Register" }));
      const reasons = $("#refusal-reasons").content.cloneNode(true);
      const refForm = el("form", { class: "refuse", novalidate: true }, el("div", { class: "reasons" }, reasons),
        el("label", {}, "Note ", el("input", { name: "note", maxlength: 1000, "data-field": "note" })),
        el("span", { class: "field-error", "data-error-for": "reasons" }),
        el("button", { type: "submit", class: "danger", text: "Refuse" }));
      regForm.addEventListener("submit", (ev) => decide(ev, regForm, p, "register", () => ({ registrationNumber: regForm.registrationNumber.value.trim() })));
      refForm.addEventListener("submit", (ev) => decide(ev, refForm, p, "refuse", () => {
        const rs = $$("input[name=reason]:checked", refForm).map((i) => i.value);
        if (!rs.length) { $("[data-error-for=reasons]", refForm).textContent = "Choose at least one reason."; return null; }
        const body = { reasons: rs };
        if (refForm.note.value.trim()) body.note = refForm.note.value.trim();
        return body;
      }));
      return el("section", { class: "application" + (isLate ? " overdue" : ""), "data-pledge": p.id },
        el("h2", {}, pledgeLink(p.id), " ", isLate ? badge("overdue") : "", " ", el("small", { class: "muted", text: "from " + orgName(p.pledgee.msp) })),
        el("p", { text: "Rights " + p.assetIds.join(", ") + " · pledgors " + p.pledgors.map((x) => x.name).join(", ") + " · debt " + p.debtKind + " " + p.debtTermStart + " to " + p.debtTermEnd }),
        el("p", { class: "muted", text: "Filed " + fmtTime(p.appliedAt) + " · due by " + fmtTime(p.examinationDueBy) + (isLate ? " — past the statutory time (P9)" : "") }),
        el("ul", { class: "checks" }, ...checks.map((c) => el("li", { class: c.ok ? "pass" : "fail", text: c.rule + " · " + c.text }))),
        el("div", { class: "decide" }, regForm, refForm));
    }
    async function decide(ev, form, p, action, bodyOf) {
      ev.preventDefault();
      resetMessages(form);
      const b = bodyOf();
      if (!b || !validate(form)) return;
      await busy($("button", form), async () => {
        try {
          const r = await api("POST", "/v1/pledges/" + encodeURIComponent(p.id) + "/" + action, b);
          notice("Pledge " + p.id + (action === "register" ? " registered as " + b.registrationNumber : " refused") + " in block " + r.blockNumber + " (transaction " + r.txId + ").");
          await load();
        } catch (err) { showServerError(form, err); }
      });
    }
    refreshOn((ev) => ev.type.startsWith("Pledge") || ev.type.startsWith("Asset"), load);
    load();
  };

  pages.transfers = function () {
    const view = $("#transfer-view");
    const reqForm = $("#transfer-form");
    if (reqForm) {
      let idem = randomKey();
      reqForm.addEventListener("input", () => { idem = randomKey(); });
      const licence = $("#t-license");
      $("#t-kind").addEventListener("change", () => { licence.disabled = licence.hidden = $("#t-kind").value !== "license"; });
      reqForm.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        resetMessages(reqForm);
        if (!validate(reqForm)) return;
        const b = { assetId: $("#t-asset").value.trim(), kind: $("#t-kind").value, origin: "trade", tradeRef: $("#t-ref").value.trim(),
          newOwners: [{ id: $("[name=owner-id]", reqForm).value.trim(), name: $("[name=owner-name]", reqForm).value.trim(), share: 10000 }] };
        if (b.kind === "license") {
          b.license = { type: $("#t-ltype").value, termStart: $("#t-lstart").value, termEnd: $("#t-lend").value,
            territory: $("#t-lterr").value.split(",").map((x) => x.trim()).filter(Boolean), filingNumber: $("#t-lfiling").value.trim() };
        }
        await busy($("button[type=submit]", reqForm), async () => {
          try {
            const r = await api("POST", "/v1/transfers", b, idem);
            notice("Transfer " + r.id + " requested in block " + r.blockNumber + ". The IP office records it; a pledged right needs the bank's consent first (P7).");
            $("#t-id").value = r.id;
            show(r.id);
          } catch (err) { showServerError(reqForm, err); }
        });
      });
    }
    async function show(id) {
      clear(view);
      let ts = [];
      try {
        ts = [await api("GET", "/v1/transfers/" + encodeURIComponent(id))];
      } catch (err) {
        if (err.status !== 404) { alertBox(err); return; }
        try {
          const st = (await api("GET", "/v1/verify/" + encodeURIComponent(id))).statement;
          ts = await Promise.all(st.pendingTransfers.map((t) => api("GET", "/v1/transfers/" + encodeURIComponent(t))));
          if (!ts.length) view.append(el("p", { class: "muted", text: "No pending transfer of " + id + "." }));
        } catch (err2) { alertBox(err2); return; }
      }
      for (const t of ts) view.append(await transferCard(t));
    }
    async function transferCard(t) {
      const card = el("div", { class: "application", "data-transfer": t.id },
        el("h3", {}, t.id, " ", badge(t.status)),
        el("p", {}, "Right ", assetLink(t.assetId), " · " + t.kind + " · " + t.origin + (t.tradeRef ? " " + t.tradeRef : "")),
        el("p", { text: "From " + t.fromOwners.map((o) => o.name).join(", ") + " to " + t.newOwners.map((o) => o.name).join(", ") }),
        el("p", { text: "Consents: " + (t.consents.length ? t.consents.map((c) => orgName(c.msp) + " for " + c.pledgeId + " (" + c.proceedsUse + ")").join("; ") : "none") }),
        el("p", {}, el("a", { href: "/console/history?transfer=" + encodeURIComponent(t.id), text: "History" })));
      if (t.status !== "requested") return card;
      const act = async (path, b, button) => busy(button, async () => {
        resetMessages();
        try {
          const r = await api("POST", "/v1/transfers/" + encodeURIComponent(t.id) + "/" + path, b);
          notice("Transfer " + t.id + ": " + path + " committed in block " + r.blockNumber + ".");
          show(t.id);
        } catch (err) { alertBox(err); }
      });
      if (KIND === "bank") {
        const st = (await api("GET", "/v1/verify/" + encodeURIComponent(t.assetId))).statement;
        for (const e of st.encumbrances.filter((x) => x.pledgeeMsp === MSP)) {
          const use = el("select", {}, el("option", { value: "early-repayment", text: "early repayment" }), el("option", { value: "escrow", text: "escrow (提存)" }));
          card.append(el("div", { class: "decide" }, "Consent as pledgee of " + e.pledgeId + ", proceeds to ", use, " ",
            el("button", { type: "button", text: "Consent", onclick: (ev) => act("consent", { pledgeId: e.pledgeId, proceedsUse: use.value }, ev.target) })));
        }
      }
      if (KIND === "ipoffice") {
        card.append(el("div", { class: "decide" },
          el("button", { type: "button", text: "Record transfer", onclick: (ev) => act("record", {}, ev.target) }),
          el("button", { type: "button", class: "danger", text: "Refuse (incomplete)", onclick: (ev) => act("refuse", { reasons: ["T1-incomplete"] }, ev.target) })));
      }
      return card;
    }
    $("#transfer-lookup").addEventListener("submit", (ev) => {
      ev.preventDefault();
      resetMessages($("#transfer-lookup"));
      if (validate($("#transfer-lookup"))) show($("#t-id").value.trim());
    });
    if (param("id")) { $("#t-id").value = param("id"); show(param("id")); }
    refreshOn((ev) => ev.type.startsWith("Transfer") && $("#t-id").value, () => show($("#t-id").value.trim()));
  };

  pages.audit = function () {
    const STATUSES = ["applied", "registered", "refused", "released", "revoked", "defaulted", "disposed", "discharged", "deregistered"];
    const filters = $("#audit-filters");
    const kinds = new Map();
    let all = [], late = new Set();
    async function load() {
      try {
        const lists = await Promise.all([...STATUSES.map((s) => listAll("status=" + s)), listAll("overdue=true")]);
        late = new Set(lists.pop().map((p) => p.id));
        all = lists.flat();
        const missing = [...new Set(all.flatMap((p) => p.assetIds))].filter((a) => !kinds.has(a));
        await Promise.all(missing.map((a) => api("GET", "/v1/assets/" + encodeURIComponent(a)).then((x) => kinds.set(a, x.kind)).catch(() => kinds.set(a, "?"))));
      } catch (err) { alertBox(err); return; }
      bankOptions();
      render();
    }
    // bankOptions lists the banks of the pledges on the register: no list of banks is fixed, so a bank
    // that joined later appears with its first pledge.
    function bankOptions() {
      const sel = filters.elements.bank, cur = sel.value;
      const banks = [...new Set(all.map((p) => p.pledgee.msp))].sort();
      sel.replaceChildren(el("option", { value: "", text: "all" }), ...banks.map((m) => el("option", { value: m, text: orgName(m) })));
      sel.value = banks.includes(cur) ? cur : "";
    }
    function render() {
      const f = Object.fromEntries(new FormData(filters));
      const rows = all.filter((p) => (!f.bank || p.pledgee.msp === f.bank) && (!f.status || p.status === f.status) &&
        (!f.kind || p.assetIds.some((a) => kinds.get(a) === f.kind)) && (!f.overdue || late.has(p.id)));
      rows.sort((a, b) => (b.appliedAt || "").localeCompare(a.appliedAt || ""));
      const count = (key) => rows.reduce((m, p) => m.set(key(p), (m.get(key(p)) || 0) + 1), new Map());
      const counts = clear($("#audit-counts"));
      counts.append(el("span", { text: rows.length + " pledges" }), el("span", { text: rows.filter((p) => late.has(p.id)).length + " overdue" }));
      for (const [k, n] of count((p) => p.status)) counts.append(el("span", {}, badge(k), " " + n));
      for (const [k, n] of count((p) => orgName(p.pledgee.msp))) counts.append(el("span", { text: k + ": " + n }));
      const tbody = clear($("#audit-rows"));
      for (const p of rows) {
        tbody.append(el("tr", { "data-pledge": p.id }, el("td", {}, pledgeLink(p.id), late.has(p.id) ? [" ", badge("overdue")] : ""),
          el("td", { text: orgName(p.pledgee.msp) }), el("td", {}, ...p.assetIds.map((a) => [assetLink(a), " "])),
          el("td", { text: [...new Set(p.assetIds.map((a) => kinds.get(a)))].join(", ") }), el("td", {}, badge(p.status)),
          el("td", { text: fmtTime(p.appliedAt) }), el("td", { text: fmtTime(p.decidedAt) }), el("td", { text: (p.ranks || []).map((r) => r.rank).join(", ") })));
      }
      if (!rows.length) tbody.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: "No pledge matches." })));
    }
    filters.addEventListener("change", render);
    $("#audit-reload").addEventListener("click", load);
    refreshOn((ev) => ev.type.startsWith("Pledge"), load);
    load();
  };

  // ---- start ---------------------------------------------------------------------------------
  function start() {
    $("#signin").hidden = true;
    $("#app").hidden = false;
    $("#nav").hidden = false;
    $("#session").hidden = false;
    (pages[PAGE] || (() => {}))();
    startLive();
  }

  setupSignIn();
  if (sessionStorage.getItem(KEY_SLOT)) start();
  else signOut("");
})();

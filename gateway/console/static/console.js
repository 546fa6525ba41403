// IPLedger console: a client of this gateway's /v1 API. Every value from the ledger is inserted as
// text (textContent), never as HTML. The API key lives in sessionStorage and goes only into the
// Authorization header.
"use strict";

(function () {
  const body = document.body;
  const MSP = body.dataset.msp;
  const KIND = body.dataset.kind;
  const PAGE = body.dataset.page;
  const LANG = body.dataset.lang || "zh-CN";
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

  // ---- words and formats -----------------------------------------------------------------------
  // Every word comes from the server's catalogue for the page's language (/console/i18n/<lang>.json,
  // the same messages the templates use): t("key", {Name: value}) fills its {{.Name}} variables as
  // text. Keys are written out in full, t("…"), so that the tests can find every one; tEnum(name, value)
  // gives an API enumeration's words ("enum.<name>.<value>"), the value itself when it has none.
  let CAT = {};
  const has = (key) => Object.prototype.hasOwnProperty.call(CAT, key);
  function t(key, vars) {
    const s = has(key) ? CAT[key] : key;
    return s.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (m, name) => (vars && vars[name] !== undefined && vars[name] !== null ? String(vars[name]) : ""));
  }
  const tEnum = (name, value) => (has("enum." + name + "." + value) ? t("enum." + name + "." + value) : value || "");
  // Times in China time (Asia/Shanghai) by the catalogue's "fmt.datetime", dates (YYYY-MM-DD, a day on
  // the register's calendar) by "fmt.date", money from the API's decimal string, never a float: the
  // rules of format.go, which the server's helpers follow too.
  const shanghai = new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Shanghai", year: "numeric", month: "numeric",
    day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function dateText(pattern, y, m, d, hh, mm) {
    const months = (CAT["fmt.months"] || "").split(/\s+/);
    return t(pattern, { Year: y, Month: m, MonthName: months[m - 1] || m, Day: d, Hour: hh, Minute: mm });
  }
  function fmtTime(s) {
    if (!s) return "";
    const d = new Date(s);
    if (isNaN(d.getTime())) return String(s);
    const p = Object.fromEntries(shanghai.formatToParts(d).map((x) => [x.type, x.value]));
    return dateText("fmt.datetime", Number(p.year), Number(p.month), Number(p.day), p.hour.padStart(2, "0"), p.minute.padStart(2, "0"));
  }
  function fmtDate(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
    return m ? dateText("fmt.date", Number(m[1]), Number(m[2]), Number(m[3]), "00", "00") : s || "";
  }
  function fmtMoney(amount, currency) {
    const a = String(amount || "").trim(), cur = String(currency || "").trim().toUpperCase();
    const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(a);
    if (!m || (m[2].length > 1 && m[2][0] === "0")) return (a + " " + cur).trim();
    const frac = (m[3] || "").padEnd(2, "0");
    const sign = /^0*$/.test(m[2] + frac) ? "" : m[1];
    const symbol = cur === "CNY" ? "¥" : cur ? cur + " " : "";
    return sign + symbol + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + frac;
  }
  const short = (s) => (s && s.length > 16 ? s.slice(0, 12) + "…" : s || "");
  // orgName: the catalogue's "org.<MSP>", "org.bank" for Bank<n>MSP, the MSP id of any other (OrgName in Go).
  function orgName(msp) {
    if (has("org." + msp)) return t("org." + msp);
    const m = /^Bank(\d+)MSP$/.exec(msp || "");
    return m ? t("org.bank", { N: m[1] }) : msp || "";
  }
  // orgNames names the organizations of a list of MSP ids (a transaction's endorsers) in the page's
  // words, each with its MSP id, which is what a proof names.
  const orgNames = (msps) => (msps || []).map((m) => orgName(m) + " (" + m + ")").join(t("common.list-sep"));

  // who names the submitter by its certificate's common name (x509::CN=examiner1,OU=…).
  const who = (s) => { const m = /CN=([^,:/]+)/.exec(s || ""); return m ? m[1] : s || ""; };
  // badge shows a status or flag in words; its class (and data-status) keep the API's value.
  const badge = (s, name) => el("span", { class: "badge " + s, "data-status": s, text: tEnum(name || "pledgeStatus", s) });
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
      if (res.status === 401 && PAGE !== "signin") signOut(t("signin.rejected"));
      throw new ApiError(res.status, (data && data.error) || { code: "INTERNAL", message: text.slice(0, 200) });
    }
    return data;
  }

  // latest makes a guard for a page that draws one record at a time and redraws it on live events:
  // each call of the guard starts a read and returns a test that is true while no later read has
  // started, so that the answer of a slow earlier read (a redraw of the record shown before) never
  // overwrites the record asked for since.
  function latest() {
    let n = 0;
    return () => {
      const mine = ++n;
      return () => mine === n;
    };
  }

  // chinaToday is the register's day, in China time (UTC+8, no daylight saving), as the chaincode
  // reckons "today" (YYYY-MM-DD).
  const chinaToday = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

  // listAll reads the pledges of a query, page after page, up to LIST_MAX of them: a list that goes
  // on beyond that is marked truncated (truncationNote says so on the page) rather than cut silently.
  // listEvery does the same for any list of the API that pages by bookmark: path with its query
  // ("/v1/covers?insurer=InsurerMSP").
  const LIST_MAX = 5000;
  async function listEvery(path) {
    const items = [];
    let bookmark = "";
    do {
      const page = await api("GET", path + "&pageSize=100" + (bookmark ? "&bookmark=" + encodeURIComponent(bookmark) : ""));
      items.push(...(page.items || []));
      bookmark = page.bookmark;
    } while (bookmark && items.length < LIST_MAX);
    items.truncated = Boolean(bookmark);
    return items;
  }
  const listAll = (query) => listEvery("/v1/pledges?" + query);

  // truncationNote puts a note before anchor when one of lists was cut at LIST_MAX, and removes it
  // when none is.
  function truncationNote(anchor, ...lists) {
    const named = anchor.id ? anchor : anchor.querySelector("[id]");
    const id = "truncated-" + (named ? named.id : "list");
    const old = document.getElementById(id);
    if (old) old.remove();
    if (lists.some((l) => l && l.truncated)) anchor.before(el("p", { id, class: "notice", role: "status", "data-truncated": "", text: t("list.truncated", { Count: LIST_MAX.toLocaleString("en-US") }) }));
  }

  // mapLimit calls fn on each item with at most limit calls in flight, and resolves to their results
  // in order: a page that reads one record per row does not send them all at once into the gateway's
  // rate limit.
  async function mapLimit(items, limit, fn) {
    const out = new Array(items.length);
    let next = 0;
    async function worker() {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
  }

  // ---- errors in a clerk's words ---------------------------------------------------------------
  // explain turns the API's error into words: the console's sentence for the code (and the reason the
  // chaincode named), the rule id when it is one, and the API's own message.
  function explain(err) {
    const reason = err.details && err.details.reason;
    const key = reason && has("error." + err.code + "/" + reason) ? "error." + err.code + "/" + reason : has("error." + err.code) ? "error." + err.code : "error.unknown";
    const words = t(key);
    const isRule = /^[A-Z][0-9]+$/.test(err.code);
    return { words, rule: isRule ? err.code : "", message: err.message, txId: err.txId };
  }

  function alertBox(err, box) {
    box = box || $("#alert");
    const x = explain(err);
    clear(box).append(
      el("span", { class: "words", text: x.words }), " ",
      x.rule ? el("span", { class: "rule", "data-rule": x.rule, text: t("error.rule", { Rule: x.rule }) }) : "",
      el("span", { class: "detail", text: t("error.ledger-says", { Message: x.message }) + (x.txId ? " · " + t("common.transaction") + " " + x.txId : "") }));
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
        fieldError(form, input, t("error.ledger-says", { Message: err.message }));
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
      const name = label.replace(/\s+/g, " ").trim().replace(/[(（].*[)）]$/, "").trim();
      let msg = "";
      const values = input.dataset.list ? v.split(input.dataset.list).map((s) => s.trim()).filter(Boolean) : [v];
      if (input.required && (v === "" || values.length === 0)) msg = t("check.required", { Field: name });
      else if (v !== "") {
        for (const one of values) {
          if (input.dataset.pattern && !new RegExp(input.dataset.pattern).test(one)) {
            msg = input.dataset.hint ? t("check.invalid-hint", { Field: name, Value: one, Hint: input.dataset.hint }) : t("check.invalid", { Field: name, Value: one });
          } else if (input.maxLength > 0 && one.length > input.maxLength) {
            msg = t("check.too-long", { Field: name, Max: input.maxLength });
          } else if (input.dataset.minlength && one.length < Number(input.dataset.minlength)) {
            msg = t("check.too-short", { Field: name });
          } else if (input.type === "number" && !input.checkValidity()) {
            msg = t("check.range", { Field: name, Min: input.min, Max: input.max });
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

  // findAsset reads an IP right by its id or, when there is none of that id, by its official number
  // (a patent's ZL number, a trademark's registration number): at most one right per number.
  async function findAsset(id) {
    try {
      return await api("GET", "/v1/assets/" + encodeURIComponent(id));
    } catch (err) {
      if (err.status !== 404 && err.status !== 422) throw err;
      const found = await api("GET", "/v1/assets?number=" + encodeURIComponent(id)).catch(() => null);
      if (found && found.count === 1) return api("GET", "/v1/assets/" + encodeURIComponent(found.items[0].id));
      throw err;
    }
  }

  // decided tells whether an error is the API's final answer to a request (a refusal, a 4xx but 408 and
  // 429): the request is done, and the same Idempotency-Key would get the same answer for ever (I3),
  // even after its ground is gone. A lost answer, a timeout or a busy gateway (no status, 408, 429,
  // 5xx) is not: the request is sent again with the same key, so that it is never applied twice.
  const decided = (err) => err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;

  // actionForm makes a form one submission to the API: checked first with the API's own schemas
  // (validate), then send() gives {path, body} (or null when the page's own check failed and said why),
  // posted with one Idempotency-Key for as long as the form is unchanged and sent to the same path, so
  // that sending it again after a lost answer repeats the same request (I3) and never writes twice; a
  // change to any field, another path (the same form for another right), or a refusal draws a new key. done(answer, body) tells what the ledger did; an error is shown beside the field a
  // 422 names, under the form in words with its rule id, and in the alert box, then given to
  // failed(err, body) when the page has more to say (a 409 beside the field its reason concerns).
  // send() may name the method ({method: "PATCH", path, body}); POST by default.
  function actionForm(form, send, done, failed) {
    let key = randomKey(), lastPath = "";
    const fresh = () => { key = randomKey(); };
    form.addEventListener("input", fresh);
    form.addEventListener("change", fresh);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      resetMessages(form);
      const slot = $(".form-error", form) || form.appendChild(el("span", { class: "field-error form-error" }));
      slot.textContent = "";
      if (!validate(form)) return;
      const req = send();
      if (!req) return;
      if (req.path !== lastPath) fresh(); // the same form sent to another record is another request
      lastPath = req.path;
      await busy($("button[type=submit]", form) || form, async () => {
        try {
          const r = await api(req.method || "POST", req.path, req.body === undefined ? {} : req.body, key);
          await done(r, req.body);
        } catch (err) {
          if (decided(err)) fresh(); // refused: once its ground is gone, sending it again must be asked anew
          showServerError(form, err);
          if (!(err.status === 422 && err.details && err.details.field)) {
            const x = explain(err);
            slot.textContent = x.words + (x.rule ? " " + t("error.rule", { Rule: x.rule }) : "");
          }
          if (failed) failed(err, req.body);
        }
      });
    });
    return fresh;
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
        a.textContent = t("signin.empty");
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
  // startLive opens the stream; from (a block number) makes its first connection start at that block
  // rather than at the next one (the home page's feed shows the last few blocks' changes). Once an
  // event has come, a reconnection resumes after it (Last-Event-ID).
  async function startLive(from) {
    stopLive();
    const ctl = new AbortController();
    liveAbort = ctl;
    let delay = 1000;
    while (!ctl.signal.aborted) {
      try {
        const headers = { Authorization: "Bearer " + sessionStorage.getItem(KEY_SLOT), Accept: "text/event-stream" };
        if (lastEventId) headers["Last-Event-ID"] = lastEventId;
        const start = !lastEventId && from !== undefined && from !== null ? "?from=" + from : "";
        const res = await fetch("/v1/events" + start, { headers, signal: ctl.signal, cache: "no-store" });
        if (res.status === 401) { signOut(t("signin.rejected")); return; }
        if (res.status === 422 && start) { from = null; continue; } // further back than the gateway replays: from the next block
        if (!res.ok || !res.body) throw new Error("events: " + res.status);
        liveStatus(true, t("live.on"));
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
      liveStatus(false, t("live.reconnecting"));
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }
  // A page left is not kept with its stream open (the gateway allows a key a few streams at once, and a
  // page in the browser's back/forward cache would hold one): the stream closes when the page is hidden
  // and opens again, resuming after the last event it had, when the page is shown from that cache.
  window.addEventListener("pagehide", () => stopLive());
  window.addEventListener("pageshow", (ev) => {
    if (!ev.persisted || !sessionStorage.getItem(KEY_SLOT) || $("#app").hidden) return;
    liveStatus(false, t("live.reconnecting"));
    startLive();
  });
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
    $("#last-event").textContent = t("live.last-change", { Type: tEnum("eventType", ev.type), Id: p.id || "", Org: orgName(p.msp), Block: ev.blockNumber });
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
  // renderTimeline draws the history of a record into list. It is built off the page and swapped in
  // whole, so that two overlapping calls never both append; mine (from latest()) tells whether this
  // call is still the newest, and a call overtaken by a later one draws nothing. Each entry's proof (its
  // transaction) is read after, at most four at a time, and a proof that cannot be read says so. It
  // resolves to false when it drew nothing, to a promise of the proofs otherwise.
  // changeWords names a record's last change (its lastChange.action: an event type such as
  // "PledgeRegistered", or "AssetUpdated:feesPaidThrough" with what it concerns after the colon) in
  // the page's words: the event type's, else the change's own ("change.<name>"), the detail after it.
  function changeWords(action) {
    const i = action.indexOf(":");
    const name = i < 0 ? action : action.slice(0, i), detail = i < 0 ? "" : action.slice(i + 1);
    const words = has("enum.eventType." + name) ? t("enum.eventType." + name) : has("change." + name) ? t("change." + name) : tEnum("action", name);
    return detail ? words + " (" + detail + ")" : words;
  }

  async function renderTimeline(list, kind, id, mine) {
    const h = await api("GET", "/v1/" + kind + "s/" + encodeURIComponent(id) + "/history");
    if (mine && !mine()) return false;
    const fresh = document.createDocumentFragment();
    const proofs = [];
    for (const item of h.items.slice().reverse()) {
      const proof = el("span", { class: "muted proof", text: "" });
      proofs.push([item.txId, proof]);
      const li = el("li", { "data-tx": item.txId },
        el("div", { class: "what", "data-action": item.action || "", text: (item.action ? changeWords(item.action) : t(item.isDelete ? "timeline.deleted" : "timeline.changed")) +
          (item.record && item.record.status ? " → " + tEnum(kind + "Status", item.record.status) : "") }),
        el("div", { class: "when", text: fmtTime(item.time) + " · " + orgName(item.msp) + " (" + item.msp + ") · " + who(item.submitter) }),
        el("div", {}, t("common.transaction") + " ", el("code", { text: item.txId }), " ", proof));
      fresh.append(li);
    }
    if (!h.items.length) fresh.append(el("li", { class: "muted", text: t("timeline.empty") }));
    list.replaceChildren(fresh);
    return { proofs: mapLimit(proofs, 4, async ([txId, proof]) => {
      if (!proof.isConnected) return; // drawn over since: its proofs are not read
      try {
        const tx = await api("GET", "/v1/transactions/" + encodeURIComponent(txId));
        proof.textContent = "· " + t("timeline.proof", { Block: tx.blockNumber, Code: tx.valid ? t("verify.tx-valid") : tx.validationCode, Orgs: orgNames(tx.endorsingOrgs) });
      } catch (err) {
        proof.textContent = "· " + t("timeline.proof-failed", { Message: explain(err).words });
        proof.dataset.proofFailed = "";
      }
    }) };
  }

  // ---- pages ---------------------------------------------------------------------------------
  const pages = {};

  // The home page's feed: the changes of the last FEED_BLOCKS blocks (the stream starts there, see
  // start) and every one after, newest first, at most FEED_MAX of them.
  const FEED_BLOCKS = 50, FEED_MAX = 50;
  pages.home = function () {
    const feed = $("#feed");
    onLedgerEvent((ev, p) => {
      if (feed.firstElementChild && feed.firstElementChild.classList.contains("muted")) clear(feed);
      const link = ev.type.startsWith("Pledge") ? pledgeLink(p.id) : ev.type.startsWith("Asset") ? assetLink(p.id) : el("code", { text: p.id });
      feed.prepend(el("li", { "data-tx": ev.txId || "", "data-type": ev.type }, el("div", { class: "what" }, tEnum("eventType", ev.type) + " ", link),
        el("div", { class: "when", text: fmtTime(p.time) + " · " + orgName(p.msp) + " · " + who(p.submitter) + " · " + t("common.block-n", { Block: ev.blockNumber }) })));
      while (feed.children.length > FEED_MAX) feed.lastElementChild.remove();
    });
  };
  // feedStart is the block the home page's stream starts at: FEED_BLOCKS before the ledger's height,
  // which every read answer names (IPLedger-Ledger-Height); none (the next block) when it is unknown.
  async function feedStart() {
    try {
      const res = await fetch("/v1/pledges?status=applied&pageSize=1", { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY_SLOT) }, cache: "no-store" });
      const height = Number(res.headers.get("IPLedger-Ledger-Height"));
      return res.ok && Number.isInteger(height) && height > 0 ? Math.max(0, height - FEED_BLOCKS) : null;
    } catch (e) {
      return null;
    }
  }

  pages.verify = function () {
    const form = $("#verify-form");
    const input = $("#asset");
    let current = "";
    const turn = latest();
    async function show(id) {
      const mine = turn();
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
            if (found.count === 1 && mine()) return show(found.items[0].id);
          } catch (ignored) { /* fall through to the first error */ }
        }
        if (!mine()) return;
        $("#statement").hidden = true;
        alertBox(err);
        return;
      }
      if (!mine()) return;
      history.replaceState(null, "", "/console/verify?asset=" + encodeURIComponent(id));
      const st = v.statement, pr = v.proof;
      $("#st-title").textContent = st.title;
      $("#st-kind").textContent = tEnum("assetKind", st.kind);
      $("#st-number").textContent = st.number;
      $("#st-id").textContent = st.assetId;
      clear($("#st-status")).append(tEnum("legalStatus", st.legalStatus));
      $("#st-status").className = "badge " + st.legalStatus;
      $("#st-status").dataset.status = st.legalStatus;
      const flags = clear($("#st-flags"));
      if (st.freeze && st.freeze.active) flags.append(badge("frozen", "flag"), " ", st.freeze.ref || "", " ");
      if (st.dispute && st.dispute.active) flags.append(badge("disputed", "flag"), " ");
      if (st.invalidation && st.invalidation.active) flags.append(badge("invalidation-pending", "flag"));
      $("#st-expiry").textContent = fmtDate(st.expiryDate);
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
      clear($("#st-lic")).append(...lic.map((l) => el("tr", {}, el("td", { text: l.type ? tEnum("licenseType", l.type) : t("verify.not-recorded") }),
        el("td", { text: (l.licensees || []).map((x) => x.name).join(", ") }), el("td", { text: l.termStart ? t("common.from-to", { From: fmtDate(l.termStart), To: fmtDate(l.termEnd) }) : "" }),
        el("td", { text: (l.territory || []).join(", ") + (l.territoryNote ? " (" + l.territoryNote + ")" : "") }),
        el("td", { text: l.filingNumber || "" }), el("td", {}, badge(l.status, "licenseStatus")))));
      const obs = clear($("#st-obstacles"));
      for (const o of st.obstacles || []) obs.append(el("li", { text: describeObstacle(o) }));
      for (const id of st.pendingTransfers || []) obs.append(el("li", {}, t("verify.pending-transfer") + " ", el("a", { href: "/console/transfers?id=" + encodeURIComponent(id), text: id })));
      if (!obs.children.length) obs.append(el("li", { class: "ok", text: t("verify.no-obstacle") }));
      $("#pr-channel").textContent = pr.channel;
      $("#pr-height").textContent = pr.ledgerHeight;
      $("#pr-by").textContent = orgName(pr.verifiedBy) + " (" + pr.verifiedBy + ")";
      const row = (what, tx) => tx && el("tr", {}, el("td", { text: what }), el("td", { text: String(tx.blockNumber) }), el("td", {}, el("code", { text: tx.txId })),
        el("td", { text: tx.valid ? t("verify.tx-valid") : tx.validationCode }), el("td", { text: orgNames(tx.endorsingOrgs) }), el("td", { text: fmtTime(tx.time) }));
      clear($("#pr-rows")).append(...[row(t("verify.proof-title"), pr.title), pr.lastChange && pr.lastChange.txId !== (pr.title || {}).txId ? row(t("verify.proof-last-change"), pr.lastChange) : null,
        ...pr.encumbrances.map((e) => row(t("verify.proof-pledge", { Pledge: e.pledgeId, Rank: e.rank }), e))].filter(Boolean));
      $("#st-history").href = "/console/history?asset=" + encodeURIComponent(st.assetId);
      $("#statement").hidden = false;
    }
    function describeObstacle(o) {
      if (o.startsWith("legal-status:")) return t("obstacle.legal-status", { Status: tEnum("legalStatus", o.slice(13)) });
      if (o === "frozen") return t("obstacle.frozen");
      if (o === "disputed") return t("obstacle.disputed");
      if (o.startsWith("pledge-consent-required:")) return t("obstacle.pledge-consent", { Pledge: o.slice(24) });
      if (o.startsWith("exclusive-license:")) return t("obstacle.exclusive-license", { Licence: o.slice(18) });
      if (o.startsWith("sole-license:")) return t("obstacle.sole-license", { Licence: o.slice(13) });
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

  pages.history = function () {
    const form = $("#history-form");
    const turn = latest();
    async function show(kind, id) {
      const mine = turn();
      resetMessages(form);
      try {
        if ((await renderTimeline($("#timeline"), kind, id, mine)) === false) return;
        const h = $("#h-title");
        h.textContent = t("history.heading", { Kind: t("history.kind." + kind), Id: id });
        h.hidden = false;
        history.replaceState(null, "", "/console/history?" + kind + "=" + encodeURIComponent(id));
      } catch (err) { if (mine()) alertBox(err); }
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
    const turn = latest(); // only the newest read draws
    async function load() {
      const mine = turn();
      const tbody = $("#my-pledges");
      let items;
      try { items = await listAll("pledgee=" + MSP); } catch (err) { if (mine()) alertBox(err); return; }
      if (!mine()) return;
      items.sort((a, b) => (b.appliedAt || "").localeCompare(a.appliedAt || ""));
      truncationNote(tbody.closest("table"), items);
      clear(tbody);
      if (!items.length) tbody.append(el("tr", {}, el("td", { colspan: 7, class: "muted", text: t("pledges.empty") })));
      for (const p of items) {
        const act = el("td");
        // Release and every other action on a pledge are on its page (static/pages/pledge.js).
        if (["registered", "defaulted"].includes(p.status)) act.append(el("a", { href: "/console/pledge?id=" + encodeURIComponent(p.id) + "#p-actions", "data-action": "actions", text: t("pledges.actions") }));
        tbody.append(el("tr", { "data-pledge": p.id }, el("td", {}, pledgeLink(p.id)), el("td", {}, ...p.assetIds.map((a) => [assetLink(a), " "])),
          el("td", { text: p.pledgors.map((x) => x.name).join(", ") }), el("td", {}, badge(p.status)), el("td", { text: fmtTime(p.appliedAt) }),
          el("td", { text: p.registrationNumber || "" }), act));
      }
    }
    refreshOn((ev, p) => ev.type.startsWith("Pledge") && p.msp !== undefined, load);
    load();
  };

  pages.apply = function () {
    const form = $("#apply-form");
    const rows = $("#pledgor-rows");
    // The application is one actionForm: one Idempotency-Key while the form is unchanged (pressing
    // again after a success or a lost answer is the same application, answered from the ledger, never
    // a second one); a change, or a refusal, draws a new one (I3).
    const fresh = actionForm(form, send, done);
    // A row added to the pledgors can be removed again (its button names the row); the rows are
    // numbered anew, so that an error of the ledger about pledgors[i] finds its row.
    const renumber = () => $$("[data-row]", rows).forEach((r, i) => {
      r.dataset.index = String(i);
      const rm = $("[data-remove-row]", r);
      if (rm) rm.textContent = t("apply.remove-pledgor", { N: i + 1 });
    });
    $("#add-pledgor").addEventListener("click", () => {
      const first = $("[data-row]", rows);
      const copy = first.cloneNode(true);
      $$("input", copy).forEach((i) => { i.value = ""; i.classList.remove("invalid"); });
      $(".field-error", copy).textContent = "";
      const rm = el("button", { type: "button", class: "link", "data-remove-row": "" });
      rm.addEventListener("click", () => {
        copy.remove();
        renumber();
        fresh();
        $("#add-pledgor").focus();
      });
      $(".field-error", copy).before(rm);
      rows.append(copy);
      renumber();
      fresh();
      $("input", copy).focus();
    });
    const toggle = (box, on) => { box.disabled = !on; box.hidden = !on; };
    $("#f-security").addEventListener("change", () => toggle($("#f-max"), $("#f-security").value === "maximum-amount"));
    $("#f-thirdparty").addEventListener("change", () => toggle($("#f-debtor"), $("#f-thirdparty").checked));
    $("#f-contract-file").addEventListener("change", async (ev) => {
      const f = ev.target.files[0];
      if (!f || !crypto.subtle) return;
      const sum = await crypto.subtle.digest("SHA-256", await f.arrayBuffer());
      $("#f-contract").value = Array.from(new Uint8Array(sum), (x) => x.toString(16).padStart(2, "0")).join("");
      $("#f-contract").dispatchEvent(new Event("input", { bubbles: true })); // another contract: another application
    });
    // After actionForm's own handler (which has checked the form by now): a form with a field to
    // correct says so at its top too.
    form.addEventListener("submit", () => {
      if (!$(".invalid", form)) return;
      const a = $("#alert");
      a.textContent = t("apply.correct-fields");
      a.hidden = false;
    });
    function send() {
      $("#applied").hidden = true;
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
      // The IP-finance record's optional facts (F3, F9): sent only when filled.
      if (v("#f-valuation")) app.valuationReportId = v("#f-valuation");
      if (v("#f-industry")) app.industry = v("#f-industry");
      if (v("#f-region")) app.region = v("#f-region");
      return { path: "/v1/pledges", body: app };
    }
    function done(r) {
      const box = clear($("#applied"));
      box.append(el("strong", { text: t("apply.filed") + " " }), pledgeLink(r.id),
        el("div", { text: t("apply.filed-detail", { Block: r.blockNumber, Tx: r.txId }) }));
      box.hidden = false;
      box.dataset.pledge = r.id;
    }
  };

  // ---- what page scripts use ---------------------------------------------------------------------
  // A page may have its own script, static/pages/<page>.js, loaded after this one (layout.html). It
  // registers itself as IPLedger.pages.<page> and uses these helpers; it runs when the catalogue is
  // loaded and the user is signed in, as the pages above do.
  window.IPLedger = Object.freeze({
    pages, MSP, KIND, PAGE, LANG, $, $$, el, clear, t, has, tEnum, fmtTime, fmtDate, fmtMoney, short, orgName, who,
    badge, orgNames, pledgeLink, assetLink, param, randomKey, api, listAll, listEvery, truncationNote, mapLimit, explain, alertBox, notice, resetMessages,
    fieldError, showServerError, validate, busy, refreshOn, onLedgerEvent, renderTimeline,
    actionForm, decided, findAsset, chinaToday, latest,
  });

  // ---- start ---------------------------------------------------------------------------------
  function start() {
    $("#signin").hidden = true;
    $("#app").hidden = false;
    $("#nav").hidden = false;
    $("#session").hidden = false;
    (pages[PAGE] || (() => {}))();
    if (PAGE === "home") feedStart().then(startLive);
    else startLive();
  }

  // The language switch keeps the page's current query (a page may have changed it with replaceState).
  for (const a of $$("[data-lang-switch]")) {
    a.addEventListener("click", () => {
      const u = new URL(location.href);
      u.searchParams.set("lang", a.dataset.langSwitch);
      a.href = u.pathname + u.search;
    });
  }

  // The page's catalogue first, then the page: every word the script writes is in it. The page's own
  // script (deferred, after this one) has registered itself by DOMContentLoaded. This script, deferred
  // too, runs while readyState is already "interactive" but before DOMContentLoaded: so the page
  // waits for that event (or "load", which follows it, should it have passed), not for readyState.
  const loaded = document.readyState === "complete" ? Promise.resolve() : new Promise((ok) => {
    document.addEventListener("DOMContentLoaded", ok, { once: true });
    window.addEventListener("load", ok, { once: true });
  });
  const catalogue = fetch("/console/i18n/" + encodeURIComponent(LANG) + ".json", { cache: "no-cache" })
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
  Promise.all([catalogue, loaded])
    .then(([c]) => {
      CAT = c || {};
      setupSignIn();
      if (sessionStorage.getItem(KEY_SLOT)) start();
      else signOut("");
    });
})();

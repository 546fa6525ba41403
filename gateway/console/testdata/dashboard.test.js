// The dashboard's pure functions (static/pages/dashboard.js), run by node's test runner:
// `node --test gateway/console/testdata/` (go test ./gateway/console runs it when node is installed).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const d = require("../static/pages/dashboard.js");

test("ticks are round, start at 0 and reach the maximum", () => {
  assert.deepEqual(d.ticks(7, 5, true), [0, 2, 4, 6, 8]);
  assert.deepEqual(d.ticks(10, 5, true), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(d.ticks(3, 5, true), [0, 1, 2, 3]); // counts: never a step under 1
  assert.deepEqual(d.ticks(0, 5, true), [0, 1]);
  assert.deepEqual(d.ticks(undefined, 5, true), [0, 1]);
  assert.deepEqual(d.ticks(0.3, 3, false), [0, 0.1, 0.2, 0.3]); // no 0.30000000000000004
  assert.deepEqual(d.ticks(12500000, 5, false), [0, 5000000, 10000000, 15000000]);
  for (const max of [1, 9, 11, 99, 101, 0.07, 2.5, 123456789]) {
    const tk = d.ticks(max, 5, false);
    assert.equal(tk[0], 0);
    assert.ok(tk[tk.length - 1] >= max, `ticks(${max}) = ${tk} end below the maximum`);
    assert.ok(tk.length >= 2 && tk.length <= 12, `ticks(${max}) = ${tk}`);
  }
});

test("niceStep is 1, 2 or 5 times a power of ten", () => {
  assert.equal(d.niceStep(100, 5), 20);
  assert.equal(d.niceStep(70, 5), 20);
  assert.equal(d.niceStep(30, 5), 10);
  assert.equal(d.niceStep(0.9, 5), 0.2);
  assert.equal(d.niceStep(3, 5, true), 1);
});

test("scale maps the domain onto the length, 0 for an empty domain", () => {
  const s = d.scale(200, 100);
  assert.equal(s(0), 0);
  assert.equal(s(50), 25);
  assert.equal(s(200), 100);
  assert.equal(d.scale(0, 100)(5), 0);
  assert.equal(s(NaN), 0);
});

test("numbers and money for the axes", () => {
  assert.equal(d.group(1234567), "1,234,567");
  assert.equal(d.group(999), "999");
  assert.equal(d.group(0), "0");
  assert.equal(d.group(-1500), "-1,500");
  assert.equal(d.moneyTick(5000000), "¥5,000,000");
  assert.equal(d.moneyTick(0), "¥0");
  assert.equal(d.decimal("5000000.00"), 5000000);
  assert.equal(d.decimal("not a number"), 0);
  assert.equal(d.fixed(1.005, 1), "1.0");
  assert.equal(d.fixed(2, 2), "2.00");
  assert.equal(d.fixed(undefined, 2), "");
  const list = [{ amount: "1.00", count: 1, currency: "USD" }, { amount: "5000000.00", count: 2, currency: "CNY" }];
  assert.equal(d.inCurrency(list, "CNY").amount, "5000000.00");
  assert.equal(d.inCurrency(list, "EUR"), null);
  assert.equal(d.inCurrency(undefined, "CNY"), null);
});

test("labels are thinned to fit", () => {
  assert.equal(d.labelStep(12, 640, 50), 1);
  assert.equal(d.labelStep(24, 640, 50), 2);
  assert.equal(d.labelStep(240, 640, 50), 19);
  assert.equal(d.labelStep(0, 640, 50), 1);
  assert.equal(d.textWidth("2025-03", 10), 42);
  assert.equal(d.textWidth("银行1", 10), 26);
});

test("periods: the API's labels", () => {
  assert.deepEqual(d.period("2025-03"), { year: 2025, month: 3 });
  assert.deepEqual(d.period("2025-Q4"), { year: 2025, quarter: 4 });
  assert.deepEqual(d.period("2025"), { year: 2025 });
  assert.equal(d.period("2025-Q5"), null);
  assert.equal(d.period(""), null);
});

test("filters: read from a bookmark, written back in a fixed order", () => {
  const none = { from: "", to: "", interval: "", pledgee: "", kind: "" };
  assert.deepEqual(d.filtersOf("?interval=quarter&to=2025-12-31&from=2025-01-01&lang=en"), { ...none, from: "2025-01-01", to: "2025-12-31", interval: "quarter" });
  assert.deepEqual(d.filtersOf("?from=yesterday&interval=week"), none);
  assert.deepEqual(d.filtersOf(""), none);
  assert.equal(d.queryOf({ interval: "year", from: "2025-01-01", to: "" }), "from=2025-01-01&interval=year");
  assert.equal(d.queryOf({ from: "", to: "", interval: "" }), "");
  assert.equal(d.queryOf(d.filtersOf("?to=2025-06-30&from=2025-01-01&interval=month")), "from=2025-01-01&to=2025-06-30&interval=month");
  assert.deepEqual(d.INTERVALS, ["month", "quarter", "year"]);
});

test("the pledgee and kind filters: kept in the address, read back, passed on in a fixed order", () => {
  const none = { from: "", to: "", interval: "", pledgee: "", kind: "" };
  // Read from a bookmark, in any order, with other parameters.
  assert.deepEqual(d.filtersOf("?kind=trademark&lang=zh-CN&pledgee=Bank2MSP&interval=year"), { ...none, interval: "year", pledgee: "Bank2MSP", kind: "trademark" });
  assert.deepEqual(d.filtersOf("?kind=mixed"), { ...none, kind: "mixed" });
  assert.deepEqual(d.filtersOf("?pledgee=HubeiBankMSP"), { ...none, pledgee: "HubeiBankMSP" }); // any bank's form, one that joined later too
  // Not a bank's MSP id, not a kind of the API: left out (the API's default: every bank, every kind).
  for (const bad of ["?pledgee=IPOfficeMSP", "?pledgee=Bank1", "?pledgee=" + encodeURIComponent("Bank1MSP<b>"), "?pledgee=" + "X".repeat(40) + "Bank1MSP1234",
    "?kind=assignment", "?kind=Mixed", "?kind=", "?pledgee=&kind="]) {
    assert.deepEqual(d.filtersOf(bad), none, bad);
  }
  // Written in the fixed order, empty ones left out; the URL round trip keeps every filter.
  const all = { from: "2025-01-01", to: "2025-12-31", interval: "quarter", pledgee: "Bank1MSP", kind: "patent-invention" };
  assert.equal(d.queryOf(all), "from=2025-01-01&to=2025-12-31&interval=quarter&pledgee=Bank1MSP&kind=patent-invention");
  assert.equal(d.queryOf({ ...none, kind: "copyright", pledgee: "Bank2MSP" }), "pledgee=Bank2MSP&kind=copyright");
  assert.deepEqual(d.filtersOf("?" + d.queryOf(all)), all);
  for (const kind of d.KINDS) assert.deepEqual(d.filtersOf("?" + d.queryOf({ ...none, kind })), { ...none, kind });
  assert.equal(d.queryOf(d.filtersOf("?kind=trademark&pledgee=Bank2MSP&to=2025-06-30")), "to=2025-06-30&pledgee=Bank2MSP&kind=trademark");
  assert.deepEqual(d.KINDS, ["patent-invention", "patent-utility", "patent-design", "trademark", "copyright", "mixed"]);
  assert.deepEqual(d.FILTERS, ["from", "to", "interval", "pledgee", "kind"]);
});

test("the CSV's file name from Content-Disposition", () => {
  assert.equal(d.filenameOf('attachment; filename="ipledger-statistics-2025-01-01-2025-12-31-month.csv"'), "ipledger-statistics-2025-01-01-2025-12-31-month.csv");
  assert.equal(d.filenameOf("attachment; filename=a.csv"), "a.csv");
  assert.equal(d.filenameOf(null), "");
});

package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// sampleStatistics is an answer of GetStatistics as the chaincode gives it.
func sampleStatistics() api.Statistics {
	share := 70.0
	q1 := api.StatisticsPeriod{Label: "2025-Q1", Start: "2025-01-01", End: "2025-03-31", Applications: 3, Registrations: 2,
		DecisionTimes: api.DecisionTimes{Count: 2, MeanDays: 1.5, P50Days: 1, P90Days: 2},
		SecuredAmount: []api.Amount{{Currency: "CNY", Amount: "8000000.00", Count: 2}}, DisposalPrice: []api.Amount{}, ProceedsApplied: []api.Amount{}}
	return api.Statistics{AsOf: "2025-07-01T01:00:00Z", From: "2025-01-01", To: "2025-03-31", Interval: "quarter",
		QueriedBy: api.MSPRegulator, PledgesRead: 3, Periods: []api.StatisticsPeriod{q1}, Totals: q1,
		TermsCoverage: api.TermsCoverage{Complete: true, Read: 2, Registrations: 2},
		ByBank: []api.BankStatistics{{MSP: api.MSPBank1, Registrations: 1, RegistrationShare: 50, AmountShare: &share,
			Amounts: []api.Amount{{Currency: "CNY", Amount: "5600000.00", Count: 1}}}},
		ByKind: []api.KindStatistics{{Kind: "patent-invention", Registrations: 2, Rights: 2, Amounts: []api.Amount{}}},
		Concentration: api.Concentration{RegistrationHHI: 5000, PledgedRights: 2, TopOwnerID: "91420100MA4K0001X",
			TopOwnerName: "武汉光学有限公司, \"Optics\"", TopOwnerRights: 2, TopOwnerShare: 100}}
}

func statisticsLedger(t *testing.T) *fakeLedger {
	raw, err := json.Marshal(sampleStatistics())
	if err != nil {
		t.Fatal(err)
	}
	return &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) { return raw, nil }}
}

// TestStatistics_JSONAsTheChaincodeAnswers: the query's from, to and interval go to GetStatistics in
// the catalogue's order, and the chaincode's JSON is the answer.
func TestStatistics_JSONAsTheChaincodeAnswers(t *testing.T) {
	l := statisticsLedger(t)
	ts := newServer(t, l)
	r := do(t, ts, "GET", "/v1/statistics?from=2025-01-01&to=2025-03-31&interval=quarter", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	want, _ := json.Marshal(sampleStatistics())
	if !bytes.Equal(r.body, want) {
		t.Fatalf("answer %s", r.body)
	}
	ev := l.Evaluated()[0]
	if ev.Function != api.GetStatistics.Name || !slices.Equal(ev.Args, []string{"2025-01-01", "2025-03-31", "quarter", "", ""}) {
		t.Fatalf("evaluated %+v", ev)
	}
	if r := do(t, ts, "GET", "/v1/statistics", "", "Accept", "application/json, text/csv;q=0.5"); r.status != 200 || r.body[0] != '{' {
		t.Fatalf("JSON preferred: %d %.40s", r.status, r.body)
	}
	if ev := l.Evaluated()[1]; !slices.Equal(ev.Args, []string{"", "", "", "", ""}) {
		t.Fatalf("defaults are the chaincode's: %+v", ev)
	}
	for _, bad := range []string{"interval=week", "from=2025-1-1", "format=xlsx", "pledgee=IPOfficeMSP", "pledgee=Bank1", "kind=software", "kind=license"} {
		if r := do(t, ts, "GET", "/v1/statistics?"+bad, ""); r.status != 422 {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	if n := len(l.Evaluated()); n != 2 {
		t.Errorf("a request refused by the document reached the chaincode: %d evaluations", n)
	}
}

// TestStatistics_CSVForAnAnalyst: format=csv or Accept text/csv answers one RFC 4180 table in UTF-8
// with a byte-order mark; encoding/csv reads it back, every row with the header's columns, and the
// values are the JSON's (Chinese text, commas and quotes in a name survive).
func TestStatistics_CSVForAnAnalyst(t *testing.T) {
	ts := newServer(t, statisticsLedger(t))
	for _, r := range []response{
		do(t, ts, "GET", "/v1/statistics?format=csv", ""),
		do(t, ts, "GET", "/v1/statistics", "", "Accept", "text/csv"),
		do(t, ts, "GET", "/v1/statistics", "", "Accept", "application/json;q=0.8, text/csv"),
	} {
		if r.status != 200 || r.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(r.header.Get("Content-Disposition"), `filename="ipledger-statistics-2025-01-01-2025-03-31-quarter.csv"`) {
			t.Fatalf("%d %q %q %s", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"), r.body)
		}
		if !bytes.HasPrefix(r.body, []byte("\xEF\xBB\xBF")) || !bytes.Contains(r.body, []byte("\r\n")) {
			t.Fatalf("no byte-order mark or CRLF: %q", r.body[:20])
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], statisticsColumns) {
			t.Fatalf("header %v", rows[0])
		}
		got := map[string]string{}
		for _, row := range rows[1:] {
			got[strings.Join(row[:8], "|")] = row[8]
		}
		for key, want := range map[string]string{
			"query|||||||interval":                                         "quarter",
			"coverage|||||||complete":                                      "true",
			"period|2025-Q1|2025-01-01|2025-03-31||||registrations":        "2",
			"period|2025-Q1|2025-01-01|2025-03-31||||decisionDaysP90":      "2",
			"period|2025-Q1|2025-01-01|2025-03-31|||CNY|securedAmount":     "8000000.00",
			"total|2025-Q1|2025-01-01|2025-03-31|||CNY|securedAmountCount": "2",
			"bank||||Bank1MSP|||registrationShare":                         "50",
			"bank||||Bank1MSP||CNY|amountShare":                            "70",
			"bank||||Bank1MSP||CNY|securedAmount":                          "5600000.00",
			"kind|||||patent-invention||rights":                            "2",
			"concentration|||||||registrationHhi":                          "5000",
			"concentration|||||||topOwnerName":                             "武汉光学有限公司, \"Optics\"",
		} {
			if got[key] != want {
				t.Errorf("row %s: %q, want %q", key, got[key], want)
			}
		}
	}
}

// TestStatistics_FiltersByPledgeeAndKind: pledgee and kind go to GetStatistics after from, to and
// interval; the JSON answer is the chaincode's, naming them, and the CSV's query table has a row for
// each (its bank or kind column set). An answer that does not name a filter asked for (a chaincode of
// older rules, which ignored it) is refused, 503, JSON and CSV alike: figures of every pledge are not
// passed on as those of one bank.
func TestStatistics_FiltersByPledgeeAndKind(t *testing.T) {
	st := sampleStatistics()
	st.Pledgee, st.Kind = api.MSPBank1, api.KindMixed
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	l := &fakeLedger{OnEvaluate: func(_, fn string, args ...string) ([]byte, error) { return raw, nil }}
	ts := newServer(t, l)
	r := do(t, ts, "GET", "/v1/statistics?pledgee=Bank1MSP&kind=mixed&interval=quarter", "")
	if r.status != 200 || !bytes.Equal(r.body, raw) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if ev := l.Evaluated()[0]; !slices.Equal(ev.Args, []string{"", "", "quarter", "Bank1MSP", "mixed"}) {
		t.Fatalf("evaluated %+v", ev)
	}
	r = do(t, ts, "GET", "/v1/statistics?pledgee=Bank1MSP&kind=mixed&format=csv", "")
	rows, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
	if r.status != 200 || err != nil {
		t.Fatalf("CSV: %d %v", r.status, err)
	}
	got := map[string]string{}
	for _, row := range rows[1:] {
		got[strings.Join(row[:8], "|")] = row[8]
	}
	for key, want := range map[string]string{"query||||Bank1MSP|||pledgee": "Bank1MSP", "query|||||mixed||kind": "mixed"} {
		if got[key] != want {
			t.Errorf("CSV row %s: %q, want %q", key, got[key], want)
		}
	}

	// Without filters, the query table has no such row.
	plain := newServer(t, statisticsLedger(t))
	r = do(t, plain, "GET", "/v1/statistics?format=csv", "")
	if r.status != 200 || bytes.Contains(r.body, []byte(",pledgee,")) || bytes.Contains(r.body, []byte(",,kind,")) {
		t.Errorf("CSV without filters: %d %s", r.status, r.body)
	}
	// A chaincode of older rules answers without naming the filters.
	for _, query := range []string{"pledgee=Bank1MSP", "kind=mixed", "pledgee=Bank2MSP&format=csv"} {
		r := do(t, plain, "GET", "/v1/statistics?"+query, "")
		if r.status != 503 || !strings.Contains(string(r.body), "older rules") {
			t.Errorf("%s from a chaincode of older rules: %d %s", query, r.status, r.body)
		}
	}
	// Naming another filter than asked is not applying it.
	r = do(t, ts, "GET", "/v1/statistics?pledgee=Bank2MSP", "")
	if r.status != 503 {
		t.Errorf("an answer for Bank1 to a question about Bank2: %d %s", r.status, r.body)
	}
}

package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// utf8BOM starts the CSV answer, so that Excel reads it as UTF-8 in a Chinese (or any) locale.
const utf8BOM = "\uFEFF"

// statisticsColumns are the columns of the statistics as CSV: one value a row (a long table that a
// pivot table or a data frame loads as it is); table says which part of the answer a row is from.
var statisticsColumns = []string{"table", "period", "start", "end", "bank", "kind", "currency", "measure", "value"}

// statistics serves GET /v1/statistics: GetStatistics as the read model or the chaincode answers it
// (the same rules; JSON), or as CSV when format=csv or the client accepts text/csv before JSON.
func (s *Server) statistics(c *gin.Context) {
	var raw []byte
	args := argsOf(c, api.GetStatistics)
	if _, ok := s.read(c, false, func(v gateway.ReadView) (err error) {
		if raw, err = v.Evaluate(api.GetStatistics.Name, args...); err != nil {
			return err
		}
		return unapplied(api.GetStatistics, args, raw)
	}); !ok {
		return
	}
	if !wantsCSV(c.Query("format"), c.GetHeader("Accept")) {
		c.Data(http.StatusOK, "application/json", raw)
		return
	}
	var st api.Statistics
	if err := json.Unmarshal(raw, &st); err != nil {
		abort(c, &api.Error{Code: api.CodeInternal, Message: "internal error",
			Cause: fmt.Errorf("statistics: the chaincode's answer does not decode: %w", err)})
		return
	}
	body, err := statisticsCSV(st)
	if err != nil {
		abort(c, &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: err})
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="ipledger-statistics-%s-%s-%s.csv"`, st.From, st.To, st.Interval))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", body)
}

// wantsCSV: format decides when given; else the Accept header, CSV when text/csv has a higher quality
// than application/json (and than */*, which means JSON).
func wantsCSV(format, accept string) bool {
	if format != "" {
		return format == "csv"
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		if (mt == "text/csv" || mt == "application/json" || mt == "*/*") && q > bestQ {
			best, bestQ = mt, q
		}
	}
	return best == "text/csv"
}

// statisticsCSV writes statistics as one CSV table (RFC 4180, CRLF, UTF-8 with a byte-order mark):
// the columns statisticsColumns, one value a row.
func statisticsCSV(st api.Statistics) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	row := func(table, period, start, end, bank, kind, currency, measure string, value any) {
		_ = w.Write([]string{table, period, start, end, bank, kind, currency, measure, fmt.Sprint(value)})
	}
	row("table", "period", "start", "end", "bank", "kind", "currency", "measure", "value")
	for _, m := range []struct{ k, v string }{{"from", st.From}, {"to", st.To}, {"interval", st.Interval},
		{"queriedBy", string(st.QueriedBy)}, {"asOf", st.AsOf}, {"pledgesRead", strconv.Itoa(st.PledgesRead)}} {
		row("query", "", "", "", "", "", "", m.k, m.v)
	}
	// The filters applied, when asked: the rows say which pledges every figure counts.
	if st.Pledgee != "" {
		row("query", "", "", "", string(st.Pledgee), "", "", "pledgee", st.Pledgee)
	}
	if st.Kind != "" {
		row("query", "", "", "", "", st.Kind, "", "kind", st.Kind)
	}
	tc := st.TermsCoverage
	for _, m := range []struct {
		k string
		v any
	}{{"registrations", tc.Registrations}, {"read", tc.Read}, {"notEntitled", tc.NotEntitled},
		{"unavailable", tc.Unavailable}, {"complete", tc.Complete}} {
		row("coverage", "", "", "", "", "", "", m.k, m.v)
	}
	for _, p := range st.Periods {
		periodRows("period", p, row)
	}
	periodRows("total", st.Totals, row)
	for _, b := range st.ByBank {
		row("bank", "", "", "", string(b.MSP), "", "", "registrations", b.Registrations)
		row("bank", "", "", "", string(b.MSP), "", "", "registrationShare", b.RegistrationShare)
		if b.AmountShare != nil {
			row("bank", "", "", "", string(b.MSP), "", "CNY", "amountShare", *b.AmountShare)
		}
		amountRows(b.Amounts, "securedAmount", func(cur, m string, v any) { row("bank", "", "", "", string(b.MSP), "", cur, m, v) })
	}
	for _, k := range st.ByKind {
		row("kind", "", "", "", "", k.Kind, "", "registrations", k.Registrations)
		row("kind", "", "", "", "", k.Kind, "", "rights", k.Rights)
		amountRows(k.Amounts, "securedAmount", func(cur, m string, v any) { row("kind", "", "", "", "", k.Kind, cur, m, v) })
	}
	concentrationRows(st.Concentration, func(m string, v any) { row("concentration", "", "", "", "", "", "", m, v) })
	w.Flush()
	return buf.Bytes(), w.Error()
}

type csvRow func(table, period, start, end, bank, kind, currency, measure string, value any)

func periodRows(table string, p api.StatisticsPeriod, row csvRow) {
	emit := func(currency, measure string, v any) {
		row(table, p.Label, p.Start, p.End, "", "", currency, measure, v)
	}
	for _, m := range []struct {
		k string
		v int
	}{{"applications", p.Applications}, {"registrations", p.Registrations}, {"refusals", p.Refusals},
		{"releases", p.Releases}, {"revocations", p.Revocations}, {"deregistrations", p.Deregistrations},
		{"defaults", p.Defaults}, {"disposals", p.Disposals}, {"decisions", p.DecisionTimes.Count}} {
		emit("", m.k, m.v)
	}
	if p.DecisionTimes.Count > 0 {
		emit("", "decisionDaysMean", p.DecisionTimes.MeanDays)
		emit("", "decisionDaysP50", p.DecisionTimes.P50Days)
		emit("", "decisionDaysP90", p.DecisionTimes.P90Days)
	}
	amountRows(p.SecuredAmount, "securedAmount", emit)
	amountRows(p.DisposalPrice, "disposalPrice", emit)
	amountRows(p.ProceedsApplied, "proceedsApplied", emit)
}

// amountRows writes a sum per currency as two rows: measure (the amount) and measure+"Count".
func amountRows(list []api.Amount, measure string, emit func(currency, measure string, v any)) {
	for _, a := range list {
		emit(a.Currency, measure, a.Amount)
		emit(a.Currency, measure+"Count", a.Count)
	}
}

func concentrationRows(c api.Concentration, emit func(measure string, v any)) {
	emit("registrationHhi", c.RegistrationHHI)
	if c.AmountHHI != nil {
		emit("amountHhi", *c.AmountHHI)
	}
	emit("pledgedRights", c.PledgedRights)
	if c.TopOwnerID != "" {
		emit("topOwnerId", c.TopOwnerID)
		emit("topOwnerName", c.TopOwnerName)
		emit("topOwnerRights", c.TopOwnerRights)
		emit("topOwnerShare", c.TopOwnerShare)
	}
}

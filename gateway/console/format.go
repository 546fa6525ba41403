package console

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai exists on any machine, with or without a zoneinfo database
)

// Formatting rules, the same in the templates (these functions) and in console.js (fmtTime, fmtDate,
// fmtMoney, which read the same catalogue patterns):
//
//   - a time is shown in China time (Asia/Shanghai, UTC+8, no daylight saving), to the minute, by the
//     catalogue's "fmt.datetime": 2026年11月30日 14:05 in zh-CN, 30 Nov 2026 14:05 in en;
//   - a calendar date (the API's YYYY-MM-DD: a debt term, an expiry) is shown as it is, without any time
//     zone, by "fmt.date": 2026年11月30日, 30 Nov 2026;
//   - money is formatted from the API's decimal string, never through a float: ¥5,000,000.00 for CNY
//     (two decimals at least, thousands grouped by commas), "USD 1,234.50" for another currency code;
//     a negative amount as -¥1,234.00;
//   - what cannot be read (not RFC 3339, not a date, not a decimal) is shown as the API gave it, so
//     nothing is invented.

// shanghai is China time, the register's calendar.
var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return z
}

// dateParts fills a catalogue pattern ("fmt.date", "fmt.datetime") with a date's and time's parts.
func dateParts(lang, pattern string, y, m, d, hh, mm int) string {
	months := strings.Fields(catalogue.text[lang]["fmt.months"])
	name := strconv.Itoa(m)
	if m >= 1 && m <= len(months) {
		name = months[m-1]
	}
	return Message(lang, pattern, "Year", strconv.Itoa(y), "Month", strconv.Itoa(m), "MonthName", name,
		"Day", strconv.Itoa(d), "Hour", twoDigits(hh), "Minute", twoDigits(mm))
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// FormatTime shows an instant in China time, in lang's pattern; s is RFC 3339 as the API answers it.
func FormatTime(lang, s string) string {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return FormatTimeOf(lang, t)
}

// FormatTimeOf shows t in China time, in lang's pattern.
func FormatTimeOf(lang string, t time.Time) string {
	t = t.In(shanghai)
	return dateParts(lang, "fmt.datetime", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute())
}

// FormatDate shows a calendar date (YYYY-MM-DD) in lang's pattern, with no time zone: it is a day on
// the register's calendar already.
func FormatDate(lang, s string) string {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return dateParts(lang, "fmt.date", d.Year(), int(d.Month()), d.Day(), 0, 0)
}

var decimalPattern = regexp.MustCompile(`^(-?)([0-9]+)(?:\.([0-9]+))?$`)

// FormatMoney shows an amount given as a decimal string (the API's "5000000.00") in a currency:
// ¥5,000,000.00 for CNY. It never goes through a float. What is not a decimal comes back as given,
// with the currency code after it.
func FormatMoney(amount, currency string) string {
	amount, currency = strings.TrimSpace(amount), strings.ToUpper(strings.TrimSpace(currency))
	m := decimalPattern.FindStringSubmatch(amount)
	if m == nil || (len(m[2]) > 1 && m[2][0] == '0') {
		return strings.TrimSpace(amount + " " + currency)
	}
	sign, whole, frac := m[1], m[2], m[3]
	for len(frac) < 2 {
		frac += "0"
	}
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if strings.Trim(whole+frac, "0") == "" {
		sign = "" // -0.00 is 0.00
	}
	symbol := currency + " "
	switch currency {
	case "CNY":
		symbol = "¥"
	case "":
		symbol = ""
	}
	return sign + symbol + b.String() + "." + frac
}

package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// MaxPayloadBytes bounds every JSON argument and the transient terms.
const MaxPayloadBytes = 64 << 10

var (
	idPattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	hashPattern      = regexp.MustCompile(`^[0-9a-f]{64}$`)
	saltPattern      = regexp.MustCompile(`^([0-9a-f]{2}){16,64}$`)
	moneyPattern     = regexp.MustCompile(`^(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$`)
	ratePattern      = regexp.MustCompile(`^(0|[1-9][0-9]{0,2})(\.[0-9]{1,4})?$`)
	currencyPattern  = regexp.MustCompile(`^[A-Z]{3}$`)
	reasonPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	unknownField     = regexp.MustCompile(`^json: unknown field "(.*)"$`)
)

// DecodeStrict decodes one JSON object from payload into v: unknown fields, trailing data, a wrong
// type or a payload over [MaxPayloadBytes] are errors. field names the argument in error details.
func DecodeStrict(field, payload string, v any) error {
	if len(payload) > MaxPayloadBytes {
		return api.Malformed("payload too large", "field", field, "maxBytes", fmt.Sprint(MaxPayloadBytes))
	}
	if !utf8.ValidString(payload) {
		return api.Malformed("payload is not valid UTF-8", "field", field)
	}
	dec := json.NewDecoder(strings.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			path := typeErr.Field
			if path == "" {
				return api.Malformed("payload must be a JSON object", "field", field)
			}
			return api.Invalid(path, fmt.Sprintf("must be of JSON type %s", jsonType(typeErr.Type.Kind().String())))
		case unknownField.MatchString(err.Error()):
			return api.Invalid(unknownField.FindStringSubmatch(err.Error())[1], "unknown field")
		default:
			return api.Malformed("payload is not well-formed JSON", "field", field)
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return api.Malformed("trailing data after the JSON object", "field", field)
	}
	if bytes.HasPrefix(bytes.TrimSpace([]byte(payload)), []byte("null")) {
		return api.Malformed("payload must be a JSON object", "field", field)
	}
	return nil
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	default:
		return "number"
	}
}

// check collects the first validation failure of a payload.
type check struct{ err error }

func (c *check) fail(field, msg string) {
	if c.err == nil {
		c.err = api.Invalid(field, msg)
	}
}

func (c *check) id(field, s string) {
	if !idPattern.MatchString(s) {
		c.fail(field, "must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit")
	}
}

func (c *check) text(field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		c.fail(field, "must be valid UTF-8")
	case n < min:
		if min == 1 {
			c.fail(field, "is required")
		} else {
			c.fail(field, fmt.Sprintf("must be at least %d characters", min))
		}
	case n > max:
		c.fail(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
		c.fail(field, "must not contain control characters")
	case min > 0 && strings.TrimSpace(s) != s:
		c.fail(field, "must not start or end with white space")
	}
}

func (c *check) date(field, s string) {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		c.fail(field, "must be a date YYYY-MM-DD")
	}
}

// enum checks that s is one of allowed. (A function: methods cannot have type parameters.)
func enum[T ~string](c *check, field string, s T, allowed []T) {
	if !slices.Contains(allowed, s) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		c.fail(field, "must be one of "+strings.Join(names, ", "))
	}
}

func (c *check) hash(field, s string) {
	if !hashPattern.MatchString(s) {
		c.fail(field, "must be a SHA-256 hash: 64 lower-case hex digits")
	}
}

// money checks a decimal amount and returns it in canonical form, with exactly two decimals
// ("100" and "100.0" become "100.00"), so that one amount has one spelling wherever it is stored or
// hashed. An invalid amount is returned as it is.
func (c *check) money(field, s string) string {
	if !moneyPattern.MatchString(s) {
		c.fail(field, "must be a decimal amount with at most 2 decimals, e.g. 1500000.00")
		return s
	}
	return formatCents(mustCents(s))
}

// positiveMoney is [check.money] for an amount that must be greater than zero.
func (c *check) positiveMoney(field, s string) string {
	out := c.money(field, s)
	if moneyPattern.MatchString(s) && mustCents(s) == 0 {
		c.fail(field, "must be greater than zero")
	}
	return out
}

func (c *check) count(field string, n, min, max int) {
	switch {
	case n < min && min == 1:
		c.fail(field, "must not be empty")
	case n < min:
		c.fail(field, fmt.Sprintf("must hold at least %d items", min))
	case n > max:
		c.fail(field, fmt.Sprintf("must hold at most %d items", max))
	}
}

// owners validates a list of owners, new owners or licensees: ids unique, shares summing to 10000.
func (c *check) owners(field string, owners []api.Owner) {
	c.count(field, len(owners), 1, 20)
	seen := map[string]bool{}
	total := 0
	for i, o := range owners {
		p := fmt.Sprintf("%s[%d]", field, i)
		c.id(p+".id", o.ID)
		c.text(p+".name", o.Name, 1, 200)
		if o.Share < 1 || o.Share > 10000 {
			c.fail(p+".share", "must be basis points from 1 to 10000")
		}
		if seen[o.ID] {
			c.fail(p+".id", "duplicate owner")
		}
		seen[o.ID] = true
		total += o.Share
	}
	if c.err == nil && total != 10000 {
		c.fail(field, "shares must sum to 10000 basis points")
	}
}

func (c *check) parties(field string, parties []api.Party) {
	c.count(field, len(parties), 1, 20)
	seen := map[string]bool{}
	for i, p := range parties {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.id(f+".id", p.ID)
		c.text(f+".name", p.Name, 1, 200)
		if seen[p.ID] {
			c.fail(f+".id", "duplicate party")
		}
		seen[p.ID] = true
	}
}

func (c *check) reasons(field string, reasons []string) {
	c.count(field, len(reasons), 1, 10)
	for i, r := range reasons {
		if !reasonPattern.MatchString(r) {
			c.fail(fmt.Sprintf("%s[%d]", field, i), "must be a reason code of A-Z a-z 0-9 . _ -")
		}
	}
}

// ValidateRequestID checks the request id that every submission carries first (I3).
func ValidateRequestID(id string) error {
	if !requestIDPattern.MatchString(id) {
		return api.Invalid("requestId", "must be 1-128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit")
	}
	return nil
}

// cents converts a validated money string to an integer number of cents.
func mustCents(s string) int64 {
	var whole, frac int64
	intPart, fracPart, _ := strings.Cut(s, ".")
	for _, r := range intPart {
		whole = whole*10 + int64(r-'0')
	}
	if len(fracPart) == 1 {
		fracPart += "0"
	}
	for _, r := range fracPart {
		frac = frac*10 + int64(r-'0')
	}
	return whole*100 + frac
}

// formatCents is the inverse of mustCents.
func formatCents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

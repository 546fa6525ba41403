package demo

import (
	"fmt"
	"strings"
)

// The demo's parties and rights carry numbers shaped like the real registers' and with their check
// digits right, so that they read as such in the console. They are invented: no code or number here
// was taken from a register, and any match with a real company's or right's is chance.

// usccAlphabet is the character set of a unified social credit code (GB 32100-2015): digits and the
// capital letters but I, O, S, V, Z.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are GB 32100-2015's weights of the first 17 characters (3^i mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights are GB 11714's weights of an organization code's first 8 characters.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// USCC builds an 18-character unified social credit code: kind (2 characters: registering authority
// and type, e.g. 91 for a company registered by market regulation, 12 for a public institution), area
// (the 6-digit administrative division, e.g. 420111 for Hongshan district, Wuhan) and body (the 8
// characters of the organization code before its check character), with both check characters.
func USCC(kind, area, body string) string {
	if len(kind) != 2 || len(area) != 6 || len(body) != 8 {
		panic(fmt.Sprintf("USCC(%q, %q, %q): want 2, 6 and 8 characters", kind, area, body))
	}
	org := body + orgCodeCheck(body)
	first := kind + area + org
	sum := 0
	for i, ch := range first {
		v := strings.IndexRune(usccAlphabet, ch)
		if v < 0 {
			panic(fmt.Sprintf("USCC: %q is not in the code's alphabet", ch))
		}
		sum += v * usccWeights[i]
	}
	return first + string(usccAlphabet[(31-sum%31)%31])
}

// orgCodeCheck is the check character of an organization code's 8 characters (GB 11714): digits count
// as themselves, letters A–Z as 10–35; 10 is written X and 11 as 0.
func orgCodeCheck(body string) string {
	sum := 0
	for i, ch := range body {
		v := 0
		switch {
		case ch >= '0' && ch <= '9':
			v = int(ch - '0')
		case ch >= 'A' && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			panic(fmt.Sprintf("organization code: %q is neither a digit nor a capital letter", ch))
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return "X"
	case 11:
		return "0"
	default:
		return fmt.Sprint(c)
	}
}

// patentApplicationWeights are the weights of a 12-digit Chinese patent application number's digits.
var patentApplicationWeights = [12]int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}

// PatentNumber is a patent's number as CNIPA writes it, ZL + the 12-digit application number (year,
// type: 1 invention, 2 utility model, 3 design, then a 7-digit serial) + "." + its check digit (the
// weighted sum mod 11, 10 written X).
func PatentNumber(year, kind, serial int) string {
	digits := fmt.Sprintf("%04d%d%07d", year, kind, serial)
	sum := 0
	for i, ch := range digits {
		sum += int(ch-'0') * patentApplicationWeights[i]
	}
	check := fmt.Sprint(sum % 11)
	if check == "10" {
		check = "X"
	}
	return "ZL" + digits + "." + check
}

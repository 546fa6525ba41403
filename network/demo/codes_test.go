package demo

import (
	"strings"
	"testing"
)

// The example code of GB 32100-2015's explanations, 91350100M000100Y43, and its organization code
// M000100Y4: both check characters are the standard's.
func TestUSCC_CheckCharactersAreTheStandards(t *testing.T) {
	if got := USCC("91", "350100", "M000100Y"); got != "91350100M000100Y43" {
		t.Fatalf("USCC = %s, want 91350100M000100Y43", got)
	}
}

func TestUSCC_OneChangedCharacterChangesTheCheck(t *testing.T) {
	a, b := USCC("91", "420111", "MA4K0C1N"), USCC("91", "420111", "MA4K0C1P")
	if len(a) != 18 || a[17] == b[17] && a[16] == b[16] {
		t.Fatalf("%s and %s: want 18 characters and different check characters", a, b)
	}
	for _, ch := range a {
		if !strings.ContainsRune(usccAlphabet, ch) {
			t.Fatalf("%s has %q, outside the code's alphabet", a, ch)
		}
	}
}

// CN 200410012345.X-style numbers: the check digit is the weighted sum mod 11.
func TestPatentNumber_CheckDigit(t *testing.T) {
	// 2021 1 0345678: 2*2+0*3+2*4+1*5+1*6+0*7+3*8+4*9+5*2+6*3+7*4+8*5 = 179; 179 mod 11 = 3.
	if got := PatentNumber(2021, 1, 345678); got != "ZL202110345678.3" {
		t.Fatalf("PatentNumber = %s, want ZL202110345678.3", got)
	}
}

func TestDataSet_PartiesHaveDistinctCodes(t *testing.T) {
	seen := map[string]string{}
	for _, p := range allParties {
		if len(p.ID) != 18 {
			t.Errorf("%s: code %s is not 18 characters", p.Name, p.ID)
		}
		if other, dup := seen[p.ID]; dup {
			t.Errorf("%s and %s have the same code %s", p.Name, other, p.ID)
		}
		seen[p.ID] = p.Name
	}
}

package netctl

import "testing"

func TestParseChainInfo(t *testing.T) {
	h, err := parseChainInfo(`Blockchain info: {"height":19,"currentBlockHash":"q83v","previousBlockHash":"3q2+7w=="}` + "\n")
	if err != nil || h != 19 {
		t.Fatalf("parseChainInfo: %d, %v; want 19", h, err)
	}
	for _, out := range []string{"", "Error: channel ipledger not found", "Blockchain info: {"} {
		if _, err := parseChainInfo(out); err == nil {
			t.Errorf("parseChainInfo(%q): no error", out)
		}
	}
}

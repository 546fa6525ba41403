//go:build integration

package multihost

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/itest"
)

// ruleSwitch builds the chaincode program with P14 (a debt term of at most 10 years) switched on.
const ruleSwitch = "-X github.com/ipledger/ipledger/chaincode/rules.MaxDebtTermYears=10"

// TestConsortiumChaincodeUpgradePerHost upgrades the chaincode of a consortium of its own, each
// organization running its own step on its own host (`netctl org upgrade`): with two of five the IP
// office's host refuses to commit (majority not reached) and the other waits in vain, the old program
// serving on; with all five at once the IP office commits once the channel's LifecycleEndorsement is
// met, and every host switches to the new program, whose rule refuses at every gateway.
func TestConsortiumChaincodeUpgradePerHost(t *testing.T) {
	c := bootstrap(t)
	program := buildProgram(t, ruleSwitch)
	step := func(wait string) []string {
		return []string{"org", "upgrade", "--program", program, "--approval-wait", wait}
	}

	// Two of five: Bank1 and the IP office.
	outs := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, h := range []string{"bank1", "ipoffice"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.netctl(t, h, step("10s")...)
			if err == nil {
				t.Errorf("%s: the upgrade succeeded with 2 of 5 approvals:\n%s", h, out)
			}
			mu.Lock()
			outs[h] = out
			mu.Unlock()
		}()
	}
	wg.Wait()
	if want := "majority not reached: 2 of 5 organizations approved (Bank1MSP, IPOfficeMSP)"; !strings.Contains(outs["ipoffice"], want) {
		t.Errorf("the IP office's host with 2 of 5: want %q in\n%s", want, outs["ipoffice"])
	}
	if want := "sequence 2 is not committed"; !strings.Contains(outs["bank1"], want) {
		t.Errorf("Bank1's host with 2 of 5: want %q in\n%s", want, outs["bank1"])
	}
	t.Logf("with 2 of 5, the IP office's host: %s", lastLine(outs["ipoffice"], "majority"))
	t.Logf("with 2 of 5, Bank1's host: %s", lastLine(outs["bank1"], "not committed"))
	// The old program serves on: a 12-year application is accepted.
	c.submit(t, "bank1", 201, "POST", "/v1/pledges", longApplication(c.newRight(t)), "pledge", "")

	// All five, each on its own host, at once.
	began := time.Now()
	c.must(t, peerOrgs, func(string) []string { return step("5m") })
	t.Logf("FIGURE per-host chaincode upgrade, five hosts each running its own step at once: %v", time.Since(began).Round(100*time.Millisecond))

	// The new rule, at every bank's gateway; a 2-year application goes through.
	for _, bank := range []string{"bank1", "bank2"} {
		asset := c.newRight(t)
		c.settle(t, c.acks[len(c.acks)-1], bank)
		r := c.as(t, bank).Do("POST", "/v1/pledges", longApplication(asset))
		if r.Status != 409 || r.Err().Code != "P14" {
			t.Fatalf("a 12-year application at %s's gateway after the upgrade: %s; want 409 P14", bank, r)
		}
		c.submit(t, bank, 201, "POST", "/v1/pledges", itest.Application(asset), "pledge", "")
	}
	c.checkExactlyOnce(t)
}

// longApplication is an application for a debt term of 12 years.
func longApplication(asset string) map[string]any {
	app := itest.Application(asset)
	app["debtTermEnd"] = "2037-01-02"
	return app
}

// buildProgram builds the chaincode program as scripts/ipledger does (no cgo, -trimpath, no VCS
// stamp), with ldflags, and returns its path.
func buildProgram(t *testing.T, ldflags string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "ipledger-cc")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, "./chaincode/cmd/ipledger-cc")
	cmd.Dir = filepath.Dir(networkDir(t))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the chaincode program: %v\n%s", err, b)
	}
	return out
}

// lastLine is the last line of out that contains substr ("" when none does).
func lastLine(out, substr string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], substr) {
			return strings.TrimSpace(lines[i])
		}
	}
	return ""
}

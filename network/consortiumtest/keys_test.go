//go:build integration

package consortiumtest

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/itest"
)

var issuedLine = regexp.MustCompile(`(?m)^issued API key (k-[0-9a-f]{12}) for (\S+)`)

// issueKey runs `scripts/ipledger key issue` and returns the key's id and the key, printed once.
func issueKey(t *testing.T, args ...string) (id, key string) {
	t.Helper()
	out := ipledger(t, append([]string{"key", "issue"}, args...)...)
	m := issuedLine.FindStringSubmatch(out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	key = strings.TrimSpace(lines[len(lines)-1])
	if m == nil || !strings.HasPrefix(key, "ipl_") {
		t.Fatalf("key issue printed no id and key:\n%s", out)
	}
	return m[1], key
}

// refusal is the gateway's answer to a request with key: its status and, for a 401, its message.
func refusal(t *testing.T, mspID, key string) (int, string, string) {
	t.Helper()
	sys := system(t)
	o, err := sys.Org(mspID)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := itest.HTTPClient(o.GatewayCACert)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, o.Gateway+"/v1/pledges/none", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct {
			Message string            `json:"message"`
			Details map[string]string `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Error.Message, e.Error.Details["reason"]
}

// An API key's life without a restart of the gateway: issued (printed once, listed by id, never in
// clear), used, revoked: refused with 401 "has been revoked" from the first request after the
// command returns (the command waits for the gateway's reload); the time from the revoke command's
// start to that first 401 is the figure. A second key, expired by `key expire`, is refused with 401
// "has expired"; a rotated key gives way to its successor. The gateway's pid is the same throughout.
func TestKeys_IssueUseRevokeExpireWithoutRestart(t *testing.T) {
	const msp = "Bank1MSP"
	pidBefore := gatewayPid(t, msp)
	id, key := issueKey(t, "officer1", "--org", msp)
	t.Cleanup(func() { ipledger(t, "key", "revoke", id, "--org", msp) }) // also when the test fails before its revoke
	if st, msg, _ := refusal(t, msp, key); st != http.StatusNotFound {
		t.Fatalf("a key just issued: %d %s, want 404 (admitted; no such pledge)", st, msg)
	}
	list := ipledger(t, "key", "list", "--org", msp)
	if !strings.Contains(list, id) || strings.Contains(list, key) || strings.Contains(list, key[4:]) {
		t.Fatalf("key list lacks %s or shows the key:\n%s", id, list)
	}

	begin := time.Now()
	ipledger(t, "key", "revoke", id, "--org", msp)
	returned := time.Since(begin)
	requests := 0
	var st int
	var msg, reason string
	for requests < 50 {
		requests++
		if st, msg, reason = refusal(t, msp, key); st == http.StatusUnauthorized {
			break
		}
	}
	toFirst401 := time.Since(begin)
	if st != http.StatusUnauthorized || reason != "revoked" || !strings.Contains(msg, "the API key has been revoked") {
		t.Fatalf("after key revoke (%d requests): %d %q %q, want 401 revoked", requests, st, msg, reason)
	}
	if requests != 1 {
		t.Fatalf("the revoked key was admitted by %d requests after the command returned", requests-1)
	}
	t.Logf("FIGURE key revoke: command returned after %s (gateway reloaded); first 401 at %s, the first request after it",
		returned.Round(time.Millisecond), toFirst401.Round(time.Millisecond))

	id2, key2 := issueKey(t, "officer1", "--org", msp, "--expires", "720h")
	t.Cleanup(func() { ipledger(t, "key", "revoke", id2, "--org", msp) })
	if st, msg, _ := refusal(t, msp, key2); st != http.StatusNotFound {
		t.Fatalf("a second key: %d %s", st, msg)
	}
	ipledger(t, "key", "expire", id2, "--org", msp)
	if st, msg, reason := refusal(t, msp, key2); st != http.StatusUnauthorized || reason != "expired" || !strings.Contains(msg, "the API key has expired") {
		t.Fatalf("an expired key: %d %q %q, want 401 expired", st, msg, reason)
	}

	id3, key3 := issueKey(t, "officer1", "--org", msp)
	t.Cleanup(func() { ipledger(t, "key", "revoke", id3, "--org", msp) })
	out := ipledger(t, "key", "rotate", id3, "--org", msp, "--grace", "0")
	if m := regexp.MustCompile(`replaced by (k-[0-9a-f]{12})`).FindStringSubmatch(out); m != nil {
		t.Cleanup(func() { ipledger(t, "key", "revoke", m[1], "--org", msp) }) // no key of the test stays valid
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	key4 := strings.TrimSpace(lines[len(lines)-1])
	if st, _, reason := refusal(t, msp, key3); st != http.StatusUnauthorized || reason != "expired" {
		t.Fatalf("a key rotated with no grace: %d %q", st, reason)
	}
	if st, msg, _ := refusal(t, msp, key4); st != http.StatusNotFound {
		t.Fatalf("the rotated key's successor: %d %s", st, msg)
	}
	list = ipledger(t, "key", "list", "--org", msp)
	for _, want := range []string{id + " ", id2 + " ", id3 + " ", "revoked", "expired", "replaced by k-"} {
		if !strings.Contains(list, want) {
			t.Fatalf("key list lacks %q:\n%s", want, list)
		}
	}
	if pid := gatewayPid(t, msp); pid != pidBefore {
		t.Fatalf("the gateway restarted (pid %d, then %d): key changes are reloads", pidBefore, pid)
	}
	t.Logf("key list after the test:\n%s", list)
}

// gatewayPid is the pid of the organization's gateway, from `status --json`.
func gatewayPid(t *testing.T, mspID string) int {
	t.Helper()
	var st struct {
		Processes []struct {
			Kind, Org string
			Pid       int
		} `json:"processes"`
	}
	if err := json.Unmarshal([]byte(ipledger(t, "status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	o, err := system(t).Org(mspID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.Processes {
		if p.Kind == "gateway" && p.Org == o.Name && p.Pid > 0 {
			return p.Pid
		}
	}
	t.Fatalf("no running gateway of %s in status --json", mspID)
	return 0
}

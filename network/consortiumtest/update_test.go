//go:build integration

package consortiumtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

// ipledgerErr runs the project's entry point and returns its output and error.
func ipledgerErr(args ...string) (string, error) {
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "ipledger"), args...).CombinedOutput()
	return string(out), err
}

// refused runs a command that must fail with a message containing want.
func refused(t *testing.T, want string, args ...string) {
	t.Helper()
	out, err := ipledgerErr(args...)
	if err == nil || !strings.Contains(out, want) {
		t.Fatalf("ipledger %s: %v, want a refusal containing %q:\n%s", strings.Join(args, " "), err, want, out)
	}
	t.Logf("refused as expected: %s", strings.TrimSpace(out))
}

var artifactRE = regexp.MustCompile(`\n  (\S+)\n  sha256 ([0-9a-f]{64})`)

// artifact is FILE@SHA256 of the file a command wrote to export/.
func artifact(t *testing.T, out string) string {
	t.Helper()
	m := artifactRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no file and sha256 in:\n%s", out)
	}
	return m[1] + "@" + m[2]
}

// definition writes the definition of a peer organization with a CA made here (its peer is not
// run: the channel only names it) and returns FILE@SHA256.
func definition(t *testing.T, mspID string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca." + mspID},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	d := netctl.Definition{Format: netctl.DefinitionFormat, Name: strings.ToLower(strings.TrimSuffix(mspID, "MSP")), MSPID: mspID,
		CACert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), Peer: "127.0.0.1:1"}
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), d.Name+".org.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return path + "@" + hex.EncodeToString(sum[:])
}

// sign has each organization's admin sign the update and returns the signature files.
func sign(t *testing.T, update string, orgs ...string) string {
	t.Helper()
	var sigs []string
	for _, o := range orgs {
		sigs = append(sigs, artifact(t, ipledger(t, "channel", "sign", update, "--org", o)))
	}
	return strings.Join(sigs, ",")
}

// Channel configuration updates: an organization added by a majority of the member organizations'
// admins (5 of 8) and removed again by a majority of nine (5); each refusal named before anything is
// sent; the network goes on committing.
func TestChannelUpdateAddAndRemoveAnOrganization(t *testing.T) {
	sys := system(t)
	def := definition(t, "Bank9MSP")
	refused(t, "sha256 is", "channel", "propose", "add-org", def[:strings.LastIndexByte(def, '@')]+"@"+strings.Repeat("0", 64), "--org", "Bank1MSP")
	out := ipledger(t, "channel", "propose", "add-org", def, "--org", "Bank1MSP")
	if !strings.Contains(out, "MAJORITY Admins of 8 organizations") || !strings.Contains(out, "needs 5") {
		t.Fatalf("the proposal does not say what it needs:\n%s", out)
	}
	upd := artifact(t, out)
	refused(t, "no sha256 to compare", "channel", "sign", upd[:strings.LastIndexByte(upd, '@')], "--org", "Bank2MSP")
	two := sign(t, upd, "Bank2MSP")
	refused(t, "needs 5, has 2 (Bank1MSP, Bank2MSP)", "channel", "submit", upd, "--signatures", two, "--org", "Bank1MSP")
	bad := filepath.Join(t.TempDir(), "bad.sig")
	if err := os.WriteFile(bad, []byte("not a signature"), 0o644); err != nil {
		t.Fatal(err)
	}
	refused(t, "signature 2: not a configuration signature", "channel", "submit", upd, "--signatures", two+","+bad, "--org", "Bank1MSP")
	five := sign(t, upd, "Bank2MSP", "IPOfficeMSP", "ExchangeMSP", "FundMSP")
	out = ipledger(t, "channel", "submit", upd, "--signatures", five, "--org", "Bank1MSP")
	t.Logf("added: %s", strings.TrimSpace(out))
	refused(t, "Bank9MSP is already an organization of channel", "channel", "propose", "add-org", def, "--org", "Bank1MSP")
	// The update it was computed from is stale now.
	refused(t, "stale update", "channel", "sign", upd, "--org", "RegulatorMSP")

	out = ipledger(t, "channel", "propose", "remove-org", "Bank9MSP", "--org", "Bank1MSP")
	if !strings.Contains(out, "MAJORITY Admins of 9 organizations") || !strings.Contains(out, "needs 5") {
		t.Fatalf("the proposal does not say what it needs:\n%s", out)
	}
	rm := artifact(t, out)
	refused(t, "needs 5, has 4", "channel", "submit", rm, "--signatures", sign(t, rm, "Bank2MSP", "IPOfficeMSP", "RegulatorMSP"), "--org", "Bank1MSP")
	out = ipledger(t, "channel", "submit", rm, "--signatures", sign(t, rm, "Bank2MSP", "IPOfficeMSP", "RegulatorMSP", "ValuerMSP"), "--org", "Bank1MSP")
	t.Logf("removed: %s", strings.TrimSpace(out))
	refused(t, "Bank9MSP is not an organization of channel", "channel", "propose", "remove-org", "Bank9MSP", "--org", "Bank1MSP")

	block := submitPing(t, dial(t, sys, "Bank2MSP", "officer1"))
	t.Logf("Bank2's officer1 Ping committed in block %d after both updates", block)
}

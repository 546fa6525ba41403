//go:build integration

package netctl

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test network's data directory keeps its secrets its owner's: every private key (a PEM private
// key, BCCSP's <ski>_sk, fabric-ca's idemix keys) and every secret file (a registrar's or an
// enrolment's secret, an API key, the gateway's salt key) 0600 or closer, in a directory 0700 or
// closer; every log of its components (logs/) 0640 or closer.
func TestDataDir_KeysAndLogsAreTheirOwnersOnly(t *testing.T) {
	sysFile := os.Getenv("IPLEDGER_SYSTEM_FILE")
	if sysFile == "" {
		t.Fatal("needs the test network: IPLEDGER_SYSTEM_FILE (scripts/ipledger test integration)")
	}
	sys, err := LoadSystem(sysFile)
	if err != nil {
		t.Fatal(err)
	}
	keys, logs, bad := checkModes(t, sys.DataDir)
	t.Logf("FIGURE data directory modes: %d private keys and secrets, %d logs checked; %d too open", keys, logs, len(bad))
	for _, b := range bad {
		t.Error(b)
	}
	if keys < 20 || logs < len(sys.Processes) {
		t.Errorf("only %d keys and %d logs found in %s: the walk missed them", keys, logs, sys.DataDir)
	}
}

// checkModes walks dir and returns how many private keys and secrets and how many logs it checked,
// and each one more open than it should be (a key or secret beyond 0600, its directory beyond
// 0700, a log beyond 0640). Links are not followed: what they point to is checked where it is.
func checkModes(t *testing.T, dir string) (keys, logs int, bad []string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // a file of a running node, gone meanwhile
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case secretFile(p):
			keys++
			if fi.Mode().Perm()&0o077 != 0 {
				bad = append(bad, fmt.Sprintf("%s is %s: a private key or secret must be 0600", rel, fi.Mode().Perm()))
			}
			if di, err := os.Stat(filepath.Dir(p)); err == nil && di.Mode().Perm()&0o077 != 0 {
				bad = append(bad, fmt.Sprintf("%s, which holds %s, is %s: it must be 0700", filepath.Dir(rel), filepath.Base(p), di.Mode().Perm()))
			}
		case strings.HasSuffix(p, ".log") && filepath.Dir(rel) == "logs": // netctl's logs (not LevelDB's)
			logs++
			if fi.Mode().Perm()&0o137 != 0 {
				bad = append(bad, fmt.Sprintf("%s is %s: a log must be 0640", rel, fi.Mode().Perm()))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(bad)
	bad = slices.Compact(bad)
	return keys, logs, bad
}

// secretFile tells a private key or a secret by its name, or a PEM private key by its first line.
func secretFile(p string) bool {
	base := filepath.Base(p)
	if strings.HasSuffix(base, "_sk") || strings.HasSuffix(base, ".secret") || strings.HasSuffix(base, ".secret.pending") ||
		slices.Contains([]string{"key.pem", "IssuerSecretKey", "IssuerRevocationPrivateKey", "api-key", "terms-salt.key"}, base) {
		return true
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := f.Read(head)
	first, _, _ := strings.Cut(string(head[:n]), "\n")
	return strings.HasPrefix(first, "-----BEGIN") && strings.Contains(first, "PRIVATE KEY")
}

// A network's CAs and enrolment (two organizations, of their own at the test network's port base +
// 500): no secret is ever on the command line of a program netctl runs or starts (fabric-ca-server's
// registrar, fabric-ca-client's enrolment URLs and registration secrets: all in the environment); each
// identity enrols once, a second enrolment of the peer with its own secret refused by the CA, and
// renewal, a reenrolment, still works; the CAs' operations endpoints answer over TLS only; the keys
// and logs of its data directory are their owner's.
func TestCA_SecretsStayOffCommandLinesAndIdentitiesEnrolOnce(t *testing.T) {
	var (
		mu       sync.Mutex
		commands [][]string          // every argv
		secrets  = map[string]bool{} // every secret handed over in an environment
		regs     = map[string]string{}
	)
	n := ScratchNetwork(t, 500, "IPLEDGER_SECOPS_PORT_BASE", func(base int) *Topology { return twoOrgTopology(t, base) })
	n.commandHook = func(argv, env []string) {
		mu.Lock()
		defer mu.Unlock()
		commands = append(commands, slices.Clone(argv))
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "FABRIC_CA_SERVER_BOOT":
				_, pass, _ := strings.Cut(v, ":")
				secrets[pass] = true
			case "FABRIC_CA_CLIENT_URL":
				if u, err := url.Parse(v); err == nil && u.User != nil {
					if pass, ok := u.User.Password(); ok {
						secrets[pass] = true
					}
				}
			case "FABRIC_CA_CLIENT_ID_SECRET":
				secrets[v] = true
				if i := slices.Index(argv, "--id.name"); i >= 0 && i+1 < len(argv) {
					regs[argv[i+1]] = v
				}
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	began := time.Now()
	if err := n.startCAs(ctx); err != nil {
		t.Fatal(err)
	}
	if err := n.enrollAll(); err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE CAs started and %d organizations enrolled in %.1fs", len(n.Top.Organizations), time.Since(began).Seconds())

	// 1. No secret in any argv. The registrar's secrets are read from their files too, in case
	// something handed them over another way.
	for _, o := range n.Top.Organizations {
		raw, err := os.ReadFile(filepath.Join(n.orgDir(o), "ca", "registrar.secret"))
		if err != nil {
			t.Fatal(err)
		}
		secrets[strings.TrimSpace(string(raw))] = true
	}
	mu.Lock()
	cmds, secretList := slices.Clone(commands), make([]string, 0, len(secrets))
	for s := range secrets {
		secretList = append(secretList, s)
	}
	mu.Unlock()
	leaks := 0
	for _, argv := range cmds {
		line := strings.Join(argv, " ")
		for _, s := range secretList {
			if len(s) >= 8 && strings.Contains(line, s) {
				leaks++
				t.Errorf("a secret is on the command line of %s %s", filepath.Base(argv[0]), argv[1])
			}
		}
		if strings.Contains(line, "--id.secret") || strings.Contains(line, "--boot") || slices.Contains(argv, "-b") {
			t.Errorf("a secret's flag is on a command line: %s %s", filepath.Base(argv[0]), argv[1])
		}
		if i := slices.Index(argv, "-u"); i >= 0 && i+1 < len(argv) && strings.Contains(argv[i+1], "@") {
			t.Errorf("an enrolment URL with its user:pass is on a command line: %s %s", filepath.Base(argv[0]), argv[1])
		}
	}
	ids := len(n.identities(n.Top.Organizations[0])) + len(n.identities(n.Top.Organizations[1]))
	t.Logf("FIGURE argv: %d commands run or started, %d secrets handed over in their environments, %d on a command line",
		len(cmds), len(secretList), leaks)
	if len(cmds) < 2*ids || len(secretList) < ids {
		t.Fatalf("%d commands and %d secrets seen for %d identities: the hook missed them", len(cmds), len(secretList), ids)
	}

	// 2. One enrolment per identity: the peer's own secret enrols nothing a second time.
	bank1 := n.Top.Org("Bank1MSP")
	secret := regs[bank1.Peer.Name]
	if secret == "" {
		t.Fatalf("no registration of %s seen", bank1.Peer.Name)
	}
	tlsCert, err := readCert(filepath.Join(n.nodeDir(bank1, bank1.Peer.Name), "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tlsCert.ExtKeyUsage, x509.ExtKeyUsageServerAuth) || !slices.ContainsFunc(tlsCert.IPAddresses, func(ip net.IP) bool {
		return ip.Equal(net.IPv4(127, 0, 0, 1))
	}) {
		t.Errorf("the peer's TLS certificate (a reenrolment) has usages %v and addresses %v", tlsCert.ExtKeyUsage, tlsCert.IPAddresses)
	}
	again := filepath.Join(t.TempDir(), "msp")
	err = n.caClientEnv(bank1, n.enrollEnv(bank1, bank1.Peer.Name, secret), "enroll", "-M", again, "--csr.cn", bank1.Peer.Name)
	if err == nil {
		t.Fatalf("a second enrolment of %s with its secret succeeded; want it refused (maxenrollments 1)", bank1.Peer.Name)
	}
	t.Logf("FIGURE a second enrolment of %s is refused: %s", bank1.Peer.Name, caSaid(err.Error()))
	// fabric-ca answers every authentication failure alike (code 20); its log says which: the
	// allowance spent, not a wrong secret.
	caLog, err := os.ReadFile(n.LogFile(CAName(bank1)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "The identity " + bank1.Peer.Name + " has already enrolled 1 times, it has reached its maximum enrollment allowance"; !strings.Contains(string(caLog), want) {
		t.Errorf("%s's log does not say %q: the second enrolment was refused for another reason", CAName(bank1), want)
	}

	// An enrolment interrupted between its halves (the certificate, not yet the TLS certificate) is
	// finished by the reenrolment, its secret spent.
	var peerID enrollee
	for _, id := range n.identities(bank1) {
		if id.name == bank1.Peer.Name {
			peerID = id
		}
	}
	if err := os.RemoveAll(filepath.Join(peerID.dir, "tls")); err != nil {
		t.Fatal(err)
	}
	if err := n.enrollIdentity(bank1, peerID); err != nil {
		t.Fatalf("finishing a half enrolment of %s: %v", peerID.name, err)
	}
	if again, err := readCert(filepath.Join(peerID.dir, "tls", "cert.pem")); err != nil || again.SerialNumber.Cmp(tlsCert.SerialNumber) == 0 {
		t.Fatalf("the half enrolment's TLS certificate: %v, %v", again, err)
	}

	// 3. Renewal is a reenrolment, which maxenrollments does not limit.
	user := bank1.Users[len(bank1.Users)-1].Name
	home := filepath.Join(t.TempDir(), "renew")
	old, renewed, err := n.reenrollUser(bank1, user, filepath.Join(n.userDir(bank1, user), "msp"), home)
	if err != nil {
		t.Fatalf("renewing %s after its one enrolment: %v", user, err)
	}
	t.Logf("renewal still works: %s serial %s → %s", user, old.SerialNumber.Text(16), renewed.SerialNumber.Text(16))

	// 4. The CAs' operations endpoints: HTTPS, and nothing over plain HTTP.
	for _, o := range n.Top.Organizations {
		p := n.caProcess(o)
		if !strings.HasPrefix(p.Health, "https://") {
			t.Errorf("%s: health check %s is not HTTPS", p.Name, p.Health)
		}
		res, err := n.opsClient().Get(p.Health)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Errorf("%s: %s: %v %v", p.Name, p.Health, res, err)
		}
		if res != nil {
			res.Body.Close()
		}
		plain := "http://" + strings.TrimPrefix(p.Health, "https://")
		if res, err := (&http.Client{Timeout: 2 * time.Second}).Get(plain); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				t.Errorf("%s answers %s over plain HTTP", p.Name, plain)
			}
		}
	}

	// 5. Its data directory's keys and logs.
	keys, logs, bad := checkModes(t, n.Dir)
	t.Logf("FIGURE scratch data directory modes: %d private keys and secrets, %d logs; %d too open", keys, logs, len(bad))
	for _, b := range bad {
		t.Error(b)
	}
}

// twoOrgTopology is the repository's topology cut to its orderer organization and Bank1.
func twoOrgTopology(t *testing.T, base int) *Topology {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, "  - name: bank2\n")
	if i < 0 {
		t.Fatal("topology.yaml: no bank2 to cut at")
	}
	top, err := ParseTopology([]byte(s[:i]), base)
	if err != nil {
		t.Fatal(err)
	}
	return top
}

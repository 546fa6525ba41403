package gateway

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
)

const hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" // sha256("test")

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gateway.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const configYAML = `listen: 127.0.0.1:7025
mspId: Bank1MSP
peer: {address: 127.0.0.1:7022, tlsCACert: ca.pem}
channel: ipledger
chaincode: ipledger
commitTimeout: 30s
endorseTimeout: 15s
evaluateTimeout: 5s
maxBodyBytes: 1048576
checkpointDir: checkpoints
peerOrganizations: [Bank1MSP, Bank2MSP]
tls: {certificate: tls/cert.pem, privateKey: tls/key.pem}
identities:
  - {name: officer1, role: loan-officer, certificate: u/cert.pem, privateKey: /abs/key.pem, apiKeySha256: ` + hashA + `}
`

func TestConfig_FileThenEnvironment(t *testing.T) {
	path := writeConfig(t, configYAML)
	env := map[string]string{"IPLEDGER_GATEWAY_LISTEN": "127.0.0.1:9999", "IPLEDGER_GATEWAY_COMMITTIMEOUT": "2s",
		"IPLEDGER_GATEWAY_MAXBODYBYTES": "10", "IPLEDGER_GATEWAY_PEER_ADDRESS": "127.0.0.1:1"}
	c, err := LoadConfig(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9999" || c.CommitTimeout != 2*time.Second || c.EndorseTimeout != 15*time.Second ||
		c.MaxBodyBytes != 10 || c.Peer.Address != "127.0.0.1:1" || c.MaxRetries != 5 {
		t.Fatalf("config %+v", c)
	}
	dir := filepath.Dir(path)
	if c.Peer.TLSCACert != filepath.Join(dir, "ca.pem") || c.Identities[0].Certificate != filepath.Join(dir, "u/cert.pem") ||
		c.Identities[0].PrivateKey != "/abs/key.pem" || c.CheckpointDir != filepath.Join(dir, "checkpoints") ||
		c.TLS.Certificate != filepath.Join(dir, "tls/cert.pem") || c.TLS.PrivateKey != filepath.Join(dir, "tls/key.pem") {
		t.Fatalf("paths not resolved against the file's directory: %+v", c)
	}
}

// noTLS is configYAML without its TLS material.
var noTLS = strings.Replace(configYAML, "tls: {certificate: tls/cert.pem, privateKey: tls/key.pem}\n", "", 1)

// The gateway serves HTTPS only: without a certificate and key it does not start, unless insecureHTTP
// asks for plain HTTP on a loopback address (unit tests, development), from the file or the environment.
func TestConfig_TLSOrExplicitlyInsecureLoopback(t *testing.T) {
	none := func(string) string { return "" }
	if _, err := LoadConfig(writeConfig(t, noTLS), none); err == nil || !strings.Contains(err.Error(), "tls.certificate") {
		t.Fatalf("started without TLS material: %v", err)
	}
	for _, listen := range []string{"127.0.0.1:7025", "localhost:7025", `"[::1]:7025"`} {
		c, err := LoadConfig(writeConfig(t, strings.Replace(noTLS, "127.0.0.1:7025", listen, 1)+"insecureHTTP: true\n"), none)
		if err != nil || !c.InsecureHTTP {
			t.Fatalf("insecureHTTP on %s: %v", listen, err)
		}
	}
	env := map[string]string{"IPLEDGER_GATEWAY_INSECUREHTTP": "true"}
	if c, err := LoadConfig(writeConfig(t, noTLS), func(k string) string { return env[k] }); err != nil || !c.InsecureHTTP {
		t.Fatalf("IPLEDGER_GATEWAY_INSECUREHTTP: %v", err)
	}
	env = map[string]string{"IPLEDGER_GATEWAY_TLS_CERTIFICATE": "/etc/gw/cert.pem", "IPLEDGER_GATEWAY_TLS_PRIVATEKEY": "k.pem"}
	c, err := LoadConfig(writeConfig(t, noTLS), func(k string) string { return env[k] })
	if err != nil || c.TLS.Certificate != "/etc/gw/cert.pem" || c.TLS.PrivateKey != filepath.Join(filepath.Dir(c.Peer.TLSCACert), "k.pem") {
		t.Fatalf("TLS from the environment: %+v %v", c, err)
	}
	env = map[string]string{"IPLEDGER_GATEWAY_INSECUREHTTP": "maybe"}
	if _, err := LoadConfig(writeConfig(t, noTLS), func(k string) string { return env[k] }); err == nil {
		t.Fatal("accepted a bad boolean")
	}
}

func TestConfig_Rejects(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field":        configYAML + "colour: red\n",
		"no identities":        strings.Split(configYAML, "identities:")[0],
		"bad hash":             strings.Replace(configYAML, hashA, "abc", 1),
		"no listen":            strings.Replace(configYAML, "listen: 127.0.0.1:7025\n", "", 1),
		"no tls":               noTLS,
		"no tls key":           strings.Replace(configYAML, ", privateKey: tls/key.pem", "", 1),
		"tls and insecureHTTP": configYAML + "insecureHTTP: true\n",
		"insecureHTTP on every interface": strings.Replace(noTLS, "listen: 127.0.0.1:7025", "listen: 0.0.0.0:7025", 1) +
			"insecureHTTP: true\n",
		"insecureHTTP on a host address": strings.Replace(noTLS, "listen: 127.0.0.1:7025", "listen: 10.0.0.2:7025", 1) +
			"insecureHTTP: true\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := LoadConfig(writeConfig(t, body), func(string) string { return "" }); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := LoadConfig(writeConfig(t, configYAML), func(k string) string {
		return map[string]string{"IPLEDGER_GATEWAY_COMMITTIMEOUT": "soon"}[k]
	}); err == nil {
		t.Fatal("accepted a bad duration")
	}
}

func TestKeyring_FindsTheIdentityByItsKeyHash(t *testing.T) {
	k, err := NewKeyring("Bank1MSP", []IdentityConfig{{Name: "officer1", Role: "loan-officer", APIKeySHA256: hashA},
		{Name: "admin", Role: "admin", APIKeySHA256: strings.Repeat("0", 64)}})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := k.Authenticate("test"); !ok || c.Name != "officer1" || c.MSPID != "Bank1MSP" {
		t.Fatalf("%+v %v", c, ok)
	}
	for _, bad := range []string{"", "Test", "test ", hashA} {
		if _, ok := k.Authenticate(bad); ok {
			t.Fatalf("accepted %q", bad)
		}
	}
	if _, err := NewKeyring("X", []IdentityConfig{{Name: "a", APIKeySHA256: "zz"}}); err == nil {
		t.Fatal("accepted a bad hash")
	}
	// A reload takes the new keys, never another organization: mspId is read at start only.
	swap, err := k.PrepareSwap(&Config{MSPID: "Bank2MSP", Identities: []IdentityConfig{{Name: "officer2", Role: "loan-officer", APIKeySHA256: hashA}}})
	if err != nil {
		t.Fatal(err)
	}
	swap()
	if c, ok := k.Authenticate("test"); !ok || c.Name != "officer2" || c.MSPID != "Bank1MSP" {
		t.Fatalf("after a reload whose file names another organization: %+v %v", c, ok)
	}
}

func TestErrorOf_ChaincodeErrorsPassThrough(t *testing.T) {
	cases := []struct {
		err  error
		code api.Code
	}{
		{api.Conflict("P5", "a patent carries one active pledge"), "P5"},
		{api.Forbidden("V3", "the regulator writes nothing"), api.CodeForbidden},
		{api.NotFound("pledge", "PL-1"), api.CodeNotFound},
		{api.Invalid("terms.amount", "must be greater than zero"), api.CodeInvalidArgument},
		{api.Malformed("payload must be a JSON object"), api.CodeMalformed},
		{errors.New("endorse: chaincode response 500, " + api.Conflict("T2", "frozen").Error()), "T2"},
		{&api.Error{Code: api.CodeInternal, Message: "internal error"}, api.CodeInternal},
		{context.DeadlineExceeded, api.CodeUnavailable},
		{errors.New("boom"), api.CodeInternal},
	}
	for _, tc := range cases {
		if e := ErrorOf(tc.err); e.Code != tc.code {
			t.Errorf("%v: %s, want %s", tc.err, e.Code, tc.code)
		}
	}
	if e := ErrorOf(api.Invalid("owners[1].share", "must be basis points")); e.Message != "owners[1].share: must be basis points" {
		t.Errorf("message %q does not lead with the field", e.Message)
	}
	wrapped := errors.New("peer said: " + api.Conflict("P4", "frozen").Error())
	if e := ErrorOf(wrapped); !errors.Is(e, wrapped) {
		t.Error("the peer's error is not kept as the cause, for the log")
	}
}

// The read model is SQLite by default (readmodel.db beside the file); postgres needs a dsn, from the
// file or the environment; an unknown driver is refused with the choices.
func TestConfig_ReadModel(t *testing.T) {
	path := writeConfig(t, configYAML)
	c, err := LoadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.ReadModel.Driver != ReadModelSQLite || c.ReadModel.Path != filepath.Join(filepath.Dir(path), "readmodel.db") {
		t.Fatalf("default read model %+v", c.ReadModel)
	}
	pg := map[string]string{"IPLEDGER_GATEWAY_READMODEL_DRIVER": "postgres"}
	if _, err := LoadConfig(path, func(k string) string { return pg[k] }); err == nil || !strings.Contains(err.Error(), "readModel.dsn is required") {
		t.Fatalf("postgres without a dsn: %v", err)
	}
	pg["IPLEDGER_GATEWAY_READMODEL_DSN"] = "postgres://gw@127.0.0.1:5432/rm"
	if c, err := LoadConfig(path, func(k string) string { return pg[k] }); err != nil || c.ReadModel.DSN != pg["IPLEDGER_GATEWAY_READMODEL_DSN"] {
		t.Fatalf("postgres from the environment: %+v %v", c, err)
	}
	if _, err := LoadConfig(writeConfig(t, configYAML+"readModel: {driver: mysql}\n"), func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), "sqlite, postgres or off") {
		t.Fatalf("an unknown driver: %v", err)
	}
}

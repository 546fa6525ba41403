package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewServerConfiguration(t *testing.T) {
	dir := t.TempDir()
	pem := filepath.Join(dir, "cert.pem")
	notPEM := filepath.Join(dir, "junk.txt")
	if err := os.WriteFile(pem, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		env     map[string]string
		wantErr []string
	}{
		{"nothing set", map[string]string{}, []string{"CHAINCODE_SERVER_ADDRESS", "CHAINCODE_ID", "CHAINCODE_TLS_CERT", "CHAINCODE_TLS_KEY"}},
		{"plain", map[string]string{"CHAINCODE_SERVER_ADDRESS": "127.0.0.1:0", "CHAINCODE_ID": "ipledger:abc", "CHAINCODE_TLS_DISABLED": "true"}, nil},
		{"peer's variable name", map[string]string{"CHAINCODE_SERVER_ADDRESS": "127.0.0.1:0", "CORE_CHAINCODE_ID_NAME": "ipledger:abc", "CHAINCODE_TLS_DISABLED": "TRUE"}, nil},
		{"bad boolean", map[string]string{"CHAINCODE_SERVER_ADDRESS": "a", "CHAINCODE_ID": "b", "CHAINCODE_TLS_DISABLED": "yes please"}, []string{"CHAINCODE_TLS_DISABLED"}},
		{"TLS with client auth", map[string]string{"CHAINCODE_SERVER_ADDRESS": "a", "CHAINCODE_ID": "b", "CHAINCODE_TLS_CERT": pem,
			"CHAINCODE_TLS_KEY": pem, "CHAINCODE_TLS_CLIENT_CACERT": pem}, nil},
		{"missing file", map[string]string{"CHAINCODE_SERVER_ADDRESS": "a", "CHAINCODE_ID": "b", "CHAINCODE_TLS_CERT": filepath.Join(dir, "nope"),
			"CHAINCODE_TLS_KEY": pem}, []string{"CHAINCODE_TLS_CERT"}},
		{"not PEM", map[string]string{"CHAINCODE_SERVER_ADDRESS": "a", "CHAINCODE_ID": "b", "CHAINCODE_TLS_CERT": pem,
			"CHAINCODE_TLS_KEY": notPEM}, []string{"CHAINCODE_TLS_KEY", "not a PEM file"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newServer(func(k string) string { return tc.env[k] })
			if len(tc.wantErr) == 0 {
				if err != nil || s.CC == nil || s.CCID == "" || s.Address == "" {
					t.Fatalf("server %+v, err %v", s, err)
				}
				if v := tc.env["CHAINCODE_TLS_CLIENT_CACERT"]; v != "" && len(s.TLSProps.ClientCACerts) == 0 {
					t.Fatal("client CA not loaded")
				}
				return
			}
			if err == nil {
				t.Fatal("bad configuration accepted")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %s", err, w)
				}
			}
		})
	}
	if logLevel("debug").String() != "DEBUG" || logLevel("nonsense").String() != "INFO" {
		t.Fatal("log level")
	}
}

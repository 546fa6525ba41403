//go:build integration

package multihost

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostOrg is the organization whose parts a host runs.
func hostOrg(host string) string {
	if strings.HasPrefix(host, "orderer") {
		return "orderer"
	}
	return host
}

// checkKeysStayHome scans every host's data directory for private keys (PEM files) and certificates.
// No private key may be found on two hosts of different organizations, and every certificate of a key
// found on a host must have been issued by that host's own organization's CA (or be that CA's own).
func checkKeysStayHome(t *testing.T, c *consortium) {
	t.Helper()
	type found struct{ host, path string }
	keys := map[string][]found{} // public key (DER) → where its private key is
	var certs []*x509.Certificate
	cas := map[string]*x509.Certificate{} // organization → its CA certificate
	for host := range c.lab.Hosts {
		root := filepath.Join(c.dir, host)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
				return err
			}
			raw, err := os.ReadFile(path)
			if err != nil || !bytes.Contains(raw, []byte("-----BEGIN ")) {
				return err
			}
			for rest := raw; ; {
				var b *pem.Block
				if b, rest = pem.Decode(rest); b == nil {
					break
				}
				switch {
				case strings.HasSuffix(b.Type, "PRIVATE KEY"):
					pub := publicOf(t, b, path)
					keys[string(pub)] = append(keys[string(pub)], found{host, path})
				case b.Type == "CERTIFICATE":
					cert, err := x509.ParseCertificate(b.Bytes)
					if err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					certs = append(certs, cert)
					if cert.IsCA && strings.Contains(path, filepath.Join("orgs", hostOrg(host), "msp", "cacerts")) {
						cas[hostOrg(host)] = cert
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	checked := 0
	for pub, places := range keys {
		for _, p := range places[1:] {
			if hostOrg(p.host) != hostOrg(places[0].host) {
				t.Errorf("the same private key on %s (%s) and %s (%s)", places[0].host, places[0].path, p.host, p.path)
			}
		}
		for _, cert := range certs {
			der, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
			if string(der) != pub {
				continue
			}
			for _, p := range places {
				ca := cas[hostOrg(p.host)]
				if ca == nil || (!cert.Equal(ca) && cert.CheckSignatureFrom(ca) != nil) {
					t.Errorf("%s holds the private key of %q, issued by %q: not its organization's", p.path, cert.Subject.CommonName, cert.Issuer.CommonName)
				}
			}
		}
		checked += len(places)
	}
	if checked == 0 || len(cas) != len(peerOrgs)+1 {
		t.Fatalf("scanned %d private keys and %d organizations' CA certificates: the scan found nothing to check", checked, len(cas))
	}
	t.Logf("FIGURE %d private keys on %d hosts: each on its own organization's host only", checked, len(c.lab.Hosts))
}

// publicOf is the public key (PKIX DER) of a PEM private key.
func publicOf(t *testing.T, b *pem.Block, path string) []byte {
	// fabric-ca writes its idemix revocation key as "PRIVATE KEY" in SEC 1 form: try both forms.
	key, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		key, err = x509.ParseECPrivateKey(b.Bytes)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	der, err := x509.MarshalPKIXPublicKey(key.(crypto.Signer).Public())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return der
}

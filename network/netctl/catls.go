package netctl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// issueCATLS gives a CA its TLS certificate before its first start, as fabric-ca-server would make it
// at start (its autoGenerateTLSCertificateKey): a certificate of the CA for the CA's host names, with
// the tls profile's usages and lifetime (server and client authentication, a year), its key in the
// server's keystore under BCCSP's name (<ski>_sk, 0600), where fabric-ca-server finds it. netctl makes
// it because the operations endpoint's TLS wants both files before the server starts. A CA that has
// its certificate already keeps it.
func (n *Network) issueCATLS(o *Organization) error {
	if _, err := os.Stat(n.caTLSCert(o)); err == nil {
		return nil
	}
	ca, err := readCert(n.caServerCert(o))
	if err != nil {
		return err
	}
	keystore := filepath.Join(n.caHome(o), "msp", "keystore")
	signer, err := caSigner(keystore, ca)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		return err
	}
	ski := sha256.Sum256(pub.Bytes()) // BCCSP's SKI of an ECDSA key: the hash of its uncompressed point
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "ca." + o.Name},
		NotBefore: now.Add(-5 * time.Minute), NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, SubjectKeyId: ski[:], AuthorityKeyId: ca.SubjectKeyId,
	}
	if tmpl.NotAfter.After(ca.NotAfter) {
		tmpl.NotAfter = ca.NotAfter
	}
	for _, h := range strings.Split(hostList(o.Host), ",") {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, signer)
	if err != nil {
		return fmt.Errorf("issuing the CA's TLS certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePrivate(filepath.Join(keystore, hex.EncodeToString(ski[:])+"_sk"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})); err != nil {
		return err
	}
	return os.WriteFile(n.caTLSCert(o), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// caSigner is the CA's signing key: the key in its keystore that is its certificate's.
func caSigner(keystore string, ca *x509.Certificate) (crypto.Signer, error) {
	keys, err := filepath.Glob(filepath.Join(keystore, "*_sk"))
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if keyMatches(ca, k) != nil {
			continue
		}
		raw, err := os.ReadFile(k)
		if err != nil {
			return nil, err
		}
		b, _ := pem.Decode(raw)
		parsed, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			if parsed, err = x509.ParseECPrivateKey(b.Bytes); err != nil {
				return nil, err
			}
		}
		if s, ok := parsed.(crypto.Signer); ok {
			return s, nil
		}
	}
	return nil, errors.New("no key in " + keystore + " is the CA certificate's")
}

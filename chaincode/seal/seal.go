// Package seal encrypts a chaincode answer to the certificate key of the identity that asked for it,
// so that the answer can travel through Fabric, which writes a submitted transaction's answer into a
// block every member receives, without anyone but that identity reading it (V2: the private terms).
//
// The scheme is ECIES over the caller's ECDSA key (the key of every fabric-ca identity): an ephemeral
// key of the same curve, ECDH with the caller's public key, HKDF-SHA256 over the shared secret, and
// AES-256-GCM. The key derivation binds the ephemeral and the recipient's public keys; the associated
// data binds the query (its function and arguments), so an answer cannot be passed off as another's.
// Sealing draws fresh randomness each time: two endorsers of one proposal give different answers.
package seal

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ipledger/ipledger/chaincode/api"
)

// Algorithm names the scheme in [api.Sealed].Algorithm.
const Algorithm = "ECDH-ES+HKDF-SHA256+A256GCM"

// label starts the key derivation's info and the associated data: it versions the scheme.
const label = "ipledger-sealed-v1"

// ErrUnsupportedKey: the caller's certificate key is not an ECDSA key on P-256, P-384 or P-521.
var ErrUnsupportedKey = errors.New("not an ECDSA key on P-256, P-384 or P-521")

// Context is the associated data of the answer to function called with args: the function's bare name
// (without a contract's "name:" prefix) and each argument, separated by zero bytes.
func Context(function string, args ...string) []byte {
	if i := strings.LastIndexByte(function, ':'); i >= 0 {
		function = function[i+1:]
	}
	return []byte(label + "\x00" + function + "\x00" + strings.Join(args, "\x00"))
}

// Recipient names a public key: the lower-case hex SHA-256 of its PKIX (SubjectPublicKeyInfo) DER.
func Recipient(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

// Seal encrypts plaintext to the ECDSA public key to, with aad as associated data ([Context]).
func Seal(to crypto.PublicKey, plaintext, aad []byte) (*api.Sealed, error) {
	pub, ok := to.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, to)
	}
	recipient, err := pub.ECDH()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	}
	eph, err := recipient.Curve().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	aead, err := cipherOf(eph, recipient, eph.PublicKey(), recipient)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	name, err := Recipient(pub)
	if err != nil {
		return nil, err
	}
	return &api.Sealed{Algorithm: Algorithm, EphemeralKey: b64(eph.PublicKey().Bytes()), Nonce: b64(nonce),
		Ciphertext: b64(aead.Seal(nil, nonce, plaintext, aad)), Recipient: name}, nil
}

// Open decrypts s with the private key of the identity it was sealed to, checking aad.
func Open(key crypto.PrivateKey, s *api.Sealed, aad []byte) ([]byte, error) {
	if s.Algorithm != Algorithm {
		return nil, fmt.Errorf("sealed with %q, not %s", s.Algorithm, Algorithm)
	}
	priv, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
	}
	if name, err := Recipient(&priv.PublicKey); err != nil || name != s.Recipient {
		return nil, fmt.Errorf("sealed to the key %s, not to this identity's key %s", s.Recipient, name)
	}
	own, err := priv.ECDH()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	}
	raw, err := unb64(s.EphemeralKey, s.Nonce, s.Ciphertext)
	if err != nil {
		return nil, err
	}
	eph, err := own.Curve().NewPublicKey(raw[0])
	if err != nil {
		return nil, fmt.Errorf("ephemeral key: %w", err)
	}
	aead, err := cipherOf(own, eph, eph, own.PublicKey())
	if err != nil {
		return nil, err
	}
	if len(raw[1]) != aead.NonceSize() {
		return nil, errors.New("nonce of the wrong size")
	}
	return aead.Open(nil, raw[1], raw[2], aad)
}

// cipherOf is AES-256-GCM under the key derived from own's ECDH with peer, the ephemeral and the
// recipient's public keys bound into the derivation (HKDF-SHA256, no salt, info = label, 0x00, the
// two keys' uncompressed points).
func cipherOf(own *ecdh.PrivateKey, peer, eph, recipient *ecdh.PublicKey) (cipher.AEAD, error) {
	secret, err := own.ECDH(peer)
	if err != nil {
		return nil, err
	}
	info := append(append([]byte(label+"\x00"), eph.Bytes()...), recipient.Bytes()...)
	key, err := hkdf.Key(sha256.New, secret, nil, string(info), 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Parse decodes a sealed answer; ok is false when raw is not one (an answer in clear, say).
func Parse(raw []byte) (*api.Sealed, bool) {
	var s api.Sealed
	if err := json.Unmarshal(raw, &s); err != nil || s.Algorithm == "" || s.Ciphertext == "" {
		return nil, false
	}
	return &s, true
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(ss ...string) ([][]byte, error) {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("sealed answer: %w", err)
		}
		out[i] = b
	}
	return out, nil
}

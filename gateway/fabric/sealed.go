package fabric

import (
	"crypto"
	"fmt"
	"os"

	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/seal"
)

// sealedAnswers are the queries the chaincode answers sealed to the caller's certificate key: those
// that read private terms (V2).
var sealedAnswers = func() map[string]bool {
	m := map[string]bool{}
	for _, op := range api.Operations {
		if op.ReadOnly && op.PrivateTerms {
			m[op.Name] = true
		}
	}
	return m
}()

// LoadKey reads an identity's private key (PEM), the key the chaincode seals private terms to.
func LoadKey(keyFile string) (crypto.PrivateKey, error) {
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	key, err := identity.PrivateKeyFromPEM(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	return key, nil
}

// OpenSealed opens the chaincode's sealed answer to function(args) with the caller's private key
// (chaincode/seal). An answer in clear is refused: it means a chaincode older than the gateway, which
// would let a submitted query write the terms into a block.
func OpenSealed(key crypto.PrivateKey, function string, args []string, res []byte) ([]byte, error) {
	s, ok := seal.Parse(res)
	if !ok {
		return nil, fmt.Errorf("the chaincode answered %s in clear, not sealed to the caller's key: "+
			"install the chaincode that goes with this gateway (scripts/ipledger build; docs/operations.md, "+
			"\"Upgrading the chaincode\")", function)
	}
	plain, err := seal.Open(key, s, seal.Context(function, args...))
	if err != nil {
		return nil, fmt.Errorf("the chaincode's sealed answer to %s does not open with the caller's key: %w", function, err)
	}
	return plain, nil
}

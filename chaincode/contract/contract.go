// Package contract adapts the IPLedger rules to fabric-contract-api-go. Each transaction function
// builds a [rules.Service] over the stub and the client identity and returns its JSON result. Every
// error a client sees is an [api.Error] in JSON.
//
// The transaction functions are generated from the catalogue of operations (api.Operations) into
// contract_gen.go: `go test ./chaincode/contract -run TestContractIsGenerated -update` writes it again
// after the catalogue changed, and the same test fails while it is stale. (When a rule was renamed and
// the stale file no longer compiles, delete it first: the package compiles without it.)
package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/chaincode/seal"
)

// Name is the chaincode's name on the channel.
const Name = "ipledger"

// Contract is the IPLedger smart contract. Submissions take the request id (I3) first and answer an
// [api.Outcome]; payloads are JSON strings; every result is a JSON string.
type Contract struct {
	contractapi.Contract
}

// New returns the contract, with an unknown-function handler that answers in the error JSON.
func New() *Contract {
	c := &Contract{}
	c.Name = Name
	c.Info = metadata.InfoMetadata{Title: "IPLedger", Version: rules.Version,
		Description: "IP pledge and transaction register: rules A1-A3, P1-P13, T1-T3, L1-L4, C1-C3, V1-V3, I1-I4, S1-S2, F1-F8"}
	c.UnknownTransaction = unknownTransaction
	return c
}

// NewChaincode returns the chaincode that serves [Contract]: contractapi's, given the optional
// arguments a caller of older rules leaves out ([Chaincode]).
func NewChaincode() (*Chaincode, error) {
	cc, err := contractapi.NewChaincode(New())
	if err != nil {
		return nil, err
	}
	return &Chaincode{ContractChaincode: cc}, nil
}

// Chaincode is contractapi's chaincode of [Contract], which refuses a call with fewer arguments than
// its function takes. During an upgrade a gateway of the older rules calls the newer chaincode
// without the optional arguments added since (api.Arg.Optional): Invoke gives them "" first
// (api.Op.Padded), so that the call is answered as before. The reverse, a newer gateway calling an
// older chaincode, needs nothing here: contractapi ignores the arguments after those its function
// takes, and the answer, naming no optional argument, tells the gateway they were not applied.
type Chaincode struct {
	*contractapi.ContractChaincode
}

// withOptional are the operations with optional arguments, by name.
var withOptional = func() map[string]api.Op {
	out := map[string]api.Op{}
	for _, o := range api.Operations {
		if slices.ContainsFunc(o.Args, func(a api.Arg) bool { return a.Optional }) {
			out[o.Name] = o
		}
	}
	return out
}()

// Invoke runs the transaction, its optional arguments given when the caller left them out.
func (c *Chaincode) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	fn, params := stub.GetFunctionAndParameters()
	name := fn[strings.LastIndexByte(fn, ':')+1:]
	if op, ok := withOptional[name]; ok && len(params) < len(op.Args) {
		if padded := op.Padded(params); len(padded) > len(params) {
			stub = paddedStub{ChaincodeStubInterface: stub, fn: fn, params: padded, sent: params}
		}
	}
	return c.ContractChaincode.Invoke(stub)
}

// paddedStub is a stub whose arguments are padded; sent are those the caller sent.
type paddedStub struct {
	shim.ChaincodeStubInterface
	fn           string
	params, sent []string
}

func (s paddedStub) GetFunctionAndParameters() (string, []string) {
	return s.fn, slices.Clone(s.params)
}

func (s paddedStub) GetStringArgs() []string { return append([]string{s.fn}, s.params...) }

func (s paddedStub) GetArgs() [][]byte {
	out := [][]byte{[]byte(s.fn)}
	for _, p := range s.params {
		out = append(out, []byte(p))
	}
	return out
}

// sentFunctionAndParameters is the function and the arguments the caller sent, before any padding:
// what the caller binds a sealed answer to.
func sentFunctionAndParameters(stub shim.ChaincodeStubInterface) (string, []string) {
	if p, ok := stub.(paddedStub); ok {
		return p.fn, slices.Clone(p.sent)
	}
	return stub.GetFunctionAndParameters()
}

func unknownTransaction(ctx contractapi.TransactionContextInterface) error {
	fn, _ := ctx.GetStub().GetFunctionAndParameters()
	return api.Malformed("unknown transaction", "function", fn)
}

// GetEvaluateTransactions marks the read-only transactions of the catalogue in the contract metadata.
func (c *Contract) GetEvaluateTransactions() []string { return api.ReadOnlyNames() }

// service builds the rules for this transaction.
func service(ctx contractapi.TransactionContextInterface) (*rules.Service, error) {
	tx, err := transaction(ctx)
	var skew *api.Error
	if errors.As(err, &skew) {
		return nil, skew
	}
	if err != nil {
		return nil, api.Malformed("cannot read the transaction: " + err.Error())
	}
	return rules.New(stubLedger{stub: ctx.GetStub()}, tx), nil
}

// submit runs a submission over the rules of this transaction and answers its [api.Outcome]: a
// decision (a result or a refusal, both kept under the request id) is a successful response, so that
// the transaction is ordered and the decision kept; anything else is the error.
//
// Its writes are batched (StartWriteBatch) and sent to the peer at its end, in messages of up to the
// peer's maxSizeWriteBatch (1,000) writes, instead of one round trip per PutState and per key-level
// policy: a right takes about 15 keys with their policies (the party index's name bigrams), so an
// ImportAssets of 100 rights made some 3,000 round trips. The peer simulates the same writes either
// way; it takes batches when its core.yaml says chaincode.runtimeParams.useWriteBatch: true (Fabric's
// sample configuration, which netctl uses; without the setting the peer's default is false, and each
// write goes at once). The batch is sent here rather than by the shim after the function, so that a
// write the peer refuses is answered in the error JSON.
func submit(ctx contractapi.TransactionContextInterface, fn func(*rules.Service) (string, error)) (string, error) {
	ctx.GetStub().StartWriteBatch()
	s, err := service(ctx)
	if err != nil {
		return "", err
	}
	out, err := s.Outcome(fn(s))
	if err != nil {
		return "", err
	}
	if err := ctx.GetStub().FinishWriteBatch(); err != nil {
		return "", &api.Error{Code: api.CodeInternal, Message: "internal error",
			Details: map[string]string{"op": "send the write batch", "cause": err.Error()}}
	}
	return out, nil
}

// call runs fn over the rules of this transaction.
func call(ctx contractapi.TransactionContextInterface, fn func(*rules.Service) (string, error)) (string, error) {
	s, err := service(ctx)
	if err != nil {
		return "", err
	}
	return fn(s)
}

// sealed runs a query that answers private terms (V2) and answers it encrypted to the caller's
// certificate key ([seal.Seal]), bound to the function and arguments called. An evaluation reaches
// only the caller's gateway, which holds the key and opens it; a member who submits the query instead
// writes only ciphertext into the block (and, with more than one endorser, fails: each endorser's
// answer is sealed with its own randomness, so the answers differ). A refusal is answered as is.
func sealed(ctx contractapi.TransactionContextInterface, fn func(*rules.Service) (string, error)) (string, error) {
	out, err := call(ctx, fn)
	if err != nil {
		return "", err
	}
	cert, err := ctx.GetClientIdentity().GetX509Certificate()
	if err != nil || cert == nil {
		return "", api.Malformed(fmt.Sprintf("cannot read the caller's certificate: %v", err))
	}
	// Bound to the arguments as the caller sent them: a caller of older rules, which left out an
	// optional argument, opens the answer with its own.
	function, args := sentFunctionAndParameters(ctx.GetStub())
	s, err := seal.Seal(cert.PublicKey, []byte(out), seal.Context(function, args...))
	if errors.Is(err, seal.ErrUnsupportedKey) {
		return "", api.Forbidden("V2", "private terms are answered only encrypted to the caller's certificate key, "+
			"which must be an ECDSA key (P-256, P-384 or P-521, as fabric-ca issues): enroll this identity with one",
			"reason", "caller-key-unsupported")
	}
	if err != nil {
		return "", &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: fmt.Errorf("seal: %w", err)}
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: err}
	}
	return string(b), nil
}

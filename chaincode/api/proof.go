package api

import (
	"encoding/json"
	"time"
)

// Transaction is one transaction as the ledger records it, read from a peer's ledger (not from a
// client's bookkeeping): its validation code, block, time, creator, chaincode and the organizations
// whose peers endorsed it. It is the unit of every proof the gateway gives.
type Transaction struct {
	TxID           string    `json:"txId"`
	ValidationCode string    `json:"validationCode"`
	Valid          bool      `json:"valid"`
	BlockNumber    uint64    `json:"blockNumber"`
	Time           time.Time `json:"time"`
	CreatorMSP     string    `json:"creatorMsp"`
	Chaincode      string    `json:"chaincode,omitempty"`
	EndorsingOrgs  []string  `json:"endorsingOrgs"`
}

// Verification is the answer of GET /v1/verify/{assetId}: the chaincode's [Statement] of an IP right
// and its proof from the ledger.
type Verification struct {
	Statement json.RawMessage `json:"statement"`
	Proof     Proof           `json:"proof"`
}

// Proof is, for the title, the last change and each encumbrance of a statement, the transaction as
// the ledger records it, and the ledger height after the statement was read.
type Proof struct {
	Channel      string             `json:"channel"`
	LedgerHeight uint64             `json:"ledgerHeight"`
	VerifiedBy   MSPID              `json:"verifiedBy"`
	Title        *Transaction       `json:"title"`
	LastChange   *Transaction       `json:"lastChange"`
	Encumbrances []EncumbranceProof `json:"encumbrances"`
}

// EncumbranceProof is the registration transaction of one encumbrance.
type EncumbranceProof struct {
	PledgeID string `json:"pledgeId"`
	Rank     int    `json:"rank"`
	*Transaction
}

// TransactionView is the answer of GET /v1/transactions/{txId}.
type TransactionView struct {
	*Transaction
	LedgerHeight uint64 `json:"ledgerHeight"`
}

package rules

import "github.com/ipledger/ipledger/chaincode/api"

// PrivateTerms is the record stored in the pledgee's collection under the pledge id.
type PrivateTerms struct {
	PledgeID  string    `json:"pledgeId"`
	Terms     api.Terms `json:"terms"`
	TermsHash string    `json:"termsHash"`
	TxID      string    `json:"txId"`
}

// RequestRecord is what the ledger keeps of a request id (I3): its decision, a response or a refusal.
type RequestRecord struct {
	Function    string     `json:"function"`
	PayloadHash string     `json:"payloadHash"`
	Refusal     *api.Error `json:"refusal,omitempty"`
	Response    string     `json:"response,omitempty"`
	Time        string     `json:"time"`
	TxID        string     `json:"txId"`
}

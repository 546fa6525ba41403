package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/network/qscc"
)

// verification is the answer of /v1/verify: the chaincode's statement and its proof from the ledger.
type verification struct {
	Statement json.RawMessage `json:"statement"`
	Proof     proof           `json:"proof"`
}

type proof struct {
	Channel      string             `json:"channel"`
	LedgerHeight uint64             `json:"ledgerHeight"`
	VerifiedBy   string             `json:"verifiedBy"`
	Title        *qscc.Transaction  `json:"title"`
	LastChange   *qscc.Transaction  `json:"lastChange"`
	Encumbrances []encumbranceProof `json:"encumbrances"`
}

type encumbranceProof struct {
	PledgeID string `json:"pledgeId"`
	Rank     int    `json:"rank"`
	*qscc.Transaction
}

// verify answers the title-and-encumbrance statement of an IP right with its proof: for the title and
// each encumbrance, the transaction, its block, validation code and endorsing organizations as the
// ledger records them (qscc), and the ledger height after the statement was read.
func (s *Server) verify(c *gin.Context) {
	ctx, caller := c.Request.Context(), callerOf(c).Name
	raw, err := s.opts.Ledger.Evaluate(ctx, caller, "GetStatement", c.Param("assetId"))
	if err != nil {
		abort(c, err)
		return
	}
	var st rules.Statement
	if err := json.Unmarshal(raw, &st); err != nil {
		abort(c, fmt.Errorf("statement: %w", err))
		return
	}
	lookup := func(txID string) (*qscc.Transaction, error) {
		if txID == "" {
			return nil, nil
		}
		tx, err := s.opts.Ledger.Transaction(ctx, caller, txID)
		if err != nil {
			if e := gateway.ErrorOf(err); e.Status == http.StatusNotFound {
				// The statement names a transaction the ledger does not have: never a valid proof.
				return nil, &gateway.Error{Status: http.StatusInternalServerError, Code: gateway.CodeInternal,
					Message: "internal error", Cause: fmt.Errorf("statement names unknown transaction %s", txID)}
			}
			return nil, err
		}
		return tx, nil
	}
	p := proof{Channel: s.opts.Channel, VerifiedBy: s.opts.MSPID, Encumbrances: []encumbranceProof{}}
	if p.Title, err = lookup(st.TitleTxID); err != nil {
		abort(c, err)
		return
	}
	if st.LastTxID == st.TitleTxID {
		p.LastChange = p.Title
	} else if p.LastChange, err = lookup(st.LastTxID); err != nil {
		abort(c, err)
		return
	}
	for _, e := range st.Encumbrances {
		tx, err := lookup(e.RegistrationTxID)
		if err != nil {
			abort(c, err)
			return
		}
		p.Encumbrances = append(p.Encumbrances, encumbranceProof{PledgeID: e.PledgeID, Rank: e.Rank, Transaction: tx})
	}
	if p.LedgerHeight, err = s.opts.Ledger.Height(ctx, caller); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, verification{Statement: raw, Proof: p})
}

// transactionView is the answer of /v1/transactions/{txId}.
type transactionView struct {
	*qscc.Transaction
	LedgerHeight uint64 `json:"ledgerHeight"`
}

// transaction answers a committed transaction's validation code, block, endorsers and time.
func (s *Server) transaction(c *gin.Context) {
	ctx, caller := c.Request.Context(), callerOf(c).Name
	tx, err := s.opts.Ledger.Transaction(ctx, caller, c.Param("txId"))
	if err != nil {
		abort(c, err)
		return
	}
	c.Set(ctxTxID, tx.TxID)
	h, err := s.opts.Ledger.Height(ctx, caller)
	if err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, transactionView{Transaction: tx, LedgerHeight: h})
}

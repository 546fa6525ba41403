package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

// verify answers the title-and-encumbrance statement of an IP right with its proof: for the title and
// each encumbrance, the transaction, its block, validation code and endorsing organizations as the
// ledger records them (qscc), and the ledger height after the statement was read.
func (s *Server) verify(c *gin.Context) {
	ctx, caller := c.Request.Context(), callerOf(c).Name
	raw, err := s.opts.Ledger.Evaluate(ctx, caller, api.GetStatement.Name, c.Param("assetId"))
	if err != nil {
		abort(c, err)
		return
	}
	var st api.Statement
	if err := json.Unmarshal(raw, &st); err != nil {
		abort(c, fmt.Errorf("statement: %w", err))
		return
	}
	lookup := s.txLookup(ctx, caller)
	p := api.Proof{Channel: s.opts.Channel, VerifiedBy: api.MSPID(s.opts.MSPID), Encumbrances: []api.EncumbranceProof{}}
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
		p.Encumbrances = append(p.Encumbrances, api.EncumbranceProof{PledgeID: e.PledgeID, Rank: e.Rank, Transaction: tx})
	}
	if p.LedgerHeight, err = s.opts.Ledger.Height(ctx, caller); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, api.Verification{Statement: raw, Proof: p})
}

// txLookup reads the transactions a proof names from the ledger (qscc), each once; "" is none. A
// transaction the ledger does not have is never a valid proof: an internal error.
func (s *Server) txLookup(ctx context.Context, caller string) func(txID string) (*api.Transaction, error) {
	seen := map[string]*api.Transaction{}
	return func(txID string) (*api.Transaction, error) {
		if txID == "" {
			return nil, nil
		}
		if tx, ok := seen[txID]; ok {
			return tx, nil
		}
		tx, err := s.opts.Ledger.Transaction(ctx, caller, txID)
		if err != nil {
			if e := gateway.ErrorOf(err); e.Code == api.CodeNotFound {
				return nil, &api.Error{Code: api.CodeInternal,
					Message: "internal error", Cause: fmt.Errorf("the chaincode names unknown transaction %s", txID)}
			}
			return nil, err
		}
		seen[txID] = tx
		return tx, nil
	}
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
	c.JSON(http.StatusOK, api.TransactionView{Transaction: tx, LedgerHeight: h})
}

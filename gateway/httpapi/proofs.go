package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

// verify answers the title-and-encumbrance statement of an IP right with its proof: for the title and
// each encumbrance, the transaction, its block, validation code and endorsing organizations as the
// ledger records them, and the ledger height the proof is valid at. From the read model, the
// statement and the transactions are read in one read transaction and the height is the one read in
// it; from the chaincode, the transactions come from qscc and the height is read after the statement.
func (s *Server) verify(c *gin.Context) {
	var raw []byte
	var p api.Proof
	h, ok := s.read(c, true, func(v gateway.ReadView) error {
		var err error
		if raw, err = v.Evaluate(api.GetStatement.Name, c.Param("assetId")); err != nil {
			return err
		}
		var st api.Statement
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("statement: %w", err)
		}
		lookup := txLookup(v)
		p = api.Proof{Channel: s.opts.Channel, VerifiedBy: api.MSPID(s.opts.MSPID), Encumbrances: []api.EncumbranceProof{}}
		if p.Title, err = lookup(st.TitleTxID); err != nil {
			return err
		}
		if st.LastTxID == st.TitleTxID {
			p.LastChange = p.Title
		} else if p.LastChange, err = lookup(st.LastTxID); err != nil {
			return err
		}
		for _, e := range st.Encumbrances {
			tx, err := lookup(e.RegistrationTxID)
			if err != nil {
				return err
			}
			p.Encumbrances = append(p.Encumbrances, api.EncumbranceProof{PledgeID: e.PledgeID, Rank: e.Rank, Transaction: tx})
		}
		return nil
	})
	if !ok {
		return
	}
	p.LedgerHeight = h
	c.JSON(http.StatusOK, api.Verification{Statement: raw, Proof: p})
}

// txLookup reads the transactions a proof names from the view, each once; "" is none. A transaction
// the ledger does not have is never a valid proof: an internal error.
func txLookup(v gateway.ReadView) func(txID string) (*api.Transaction, error) {
	seen := map[string]*api.Transaction{}
	return func(txID string) (*api.Transaction, error) {
		if txID == "" {
			return nil, nil
		}
		if tx, ok := seen[txID]; ok {
			return tx, nil
		}
		tx, err := v.Transaction(txID)
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
	var tx *api.Transaction
	h, ok := s.read(c, true, func(v gateway.ReadView) (err error) {
		tx, err = v.Transaction(c.Param("txId"))
		return err
	})
	if !ok {
		return
	}
	c.Set(ctxTxID, tx.TxID)
	c.JSON(http.StatusOK, api.TransactionView{Transaction: tx, LedgerHeight: h})
}

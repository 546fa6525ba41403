package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// extract answers the search extract of a party (S2) with its proof: for each right, the transactions
// of its title and of its last change; for each pledge, those of its registration (none while applied
// or refused) and of its last change; each read from the ledger (qscc) with its block, validation
// code and endorsing organizations, as /v1/verify gives them; and the ledger height after the extract
// was read. The chaincode's extract says when it was read and for which organization.
func (s *Server) extract(c *gin.Context) {
	var raw []byte
	var p api.ExtractProof
	h, ok := s.read(c, true, func(v gateway.ReadView) error {
		var err error
		if raw, err = v.Evaluate(api.GetPartyExtract.Name, c.Param("id")); err != nil {
			return err
		}
		p, err = s.extractProof(v, raw)
		return err
	})
	if !ok {
		return
	}
	p.LedgerHeight = h
	c.JSON(http.StatusOK, api.ExtractView{Extract: raw, Proof: p})
}

// extractProof reads the transactions of every record of an extract from the view.
func (s *Server) extractProof(v gateway.ReadView, raw []byte) (api.ExtractProof, error) {
	p := api.ExtractProof{Channel: s.opts.Channel, Debts: []api.RecordProof{}, Pledges: []api.RecordProof{}, Rights: []api.RecordProof{},
		VerifiedBy: api.MSPID(s.opts.MSPID)}
	var x api.PartyExtract
	if err := json.Unmarshal(raw, &x); err != nil {
		return p, fmt.Errorf("extract: %w", err)
	}
	lookup := txLookup(v)
	proof := func(id, registration, last string) (api.RecordProof, error) {
		rp := api.RecordProof{ID: id}
		var err error
		if rp.Registration, err = lookup(registration); err != nil {
			return rp, err
		}
		rp.LastChange, err = lookup(last)
		return rp, err
	}
	for _, r := range x.Rights {
		rp, err := proof(r.ID, r.TitleTxID, r.LastTxID)
		if err != nil {
			return p, err
		}
		p.Rights = append(p.Rights, rp)
	}
	for _, part := range []struct {
		in  []api.PartyPledge
		out *[]api.RecordProof
	}{{x.Pledges, &p.Pledges}, {x.Debts, &p.Debts}} {
		for _, pl := range part.in {
			rp, err := proof(pl.ID, pl.RegistrationTxID, pl.LastTxID)
			if err != nil {
				return p, err
			}
			*part.out = append(*part.out, rp)
		}
	}
	return p, nil
}

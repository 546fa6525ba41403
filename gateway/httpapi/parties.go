package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/api"
)

// extract answers the search extract of a party (S2) with its proof: for each right, the transactions
// of its title and of its last change; for each pledge, those of its registration (none while applied
// or refused) and of its last change; each read from the ledger (qscc) with its block, validation
// code and endorsing organizations, as /v1/verify gives them; and the ledger height after the extract
// was read. The chaincode's extract says when it was read and for which organization.
func (s *Server) extract(c *gin.Context) {
	ctx, caller := c.Request.Context(), callerOf(c).Name
	raw, err := s.opts.Ledger.Evaluate(ctx, caller, api.GetPartyExtract.Name, c.Param("id"))
	if err != nil {
		abort(c, err)
		return
	}
	var x api.PartyExtract
	if err := json.Unmarshal(raw, &x); err != nil {
		abort(c, fmt.Errorf("extract: %w", err))
		return
	}
	lookup := s.txLookup(ctx, caller)
	proof := func(registration, last string) (api.RecordProof, error) {
		var p api.RecordProof
		var err error
		if p.Registration, err = lookup(registration); err != nil {
			return p, err
		}
		p.LastChange, err = lookup(last)
		return p, err
	}
	p := api.ExtractProof{Channel: s.opts.Channel, Debts: []api.RecordProof{}, Pledges: []api.RecordProof{}, Rights: []api.RecordProof{},
		VerifiedBy: api.MSPID(s.opts.MSPID)}
	for _, r := range x.Rights {
		rp, err := proof(r.TitleTxID, r.LastTxID)
		if err != nil {
			abort(c, err)
			return
		}
		rp.ID = r.ID
		p.Rights = append(p.Rights, rp)
	}
	for _, part := range []struct {
		in  []api.PartyPledge
		out *[]api.RecordProof
	}{{x.Pledges, &p.Pledges}, {x.Debts, &p.Debts}} {
		for _, pl := range part.in {
			rp, err := proof(pl.RegistrationTxID, pl.LastTxID)
			if err != nil {
				abort(c, err)
				return
			}
			rp.ID = pl.ID
			*part.out = append(*part.out, rp)
		}
	}
	if p.LedgerHeight, err = s.opts.Ledger.Height(ctx, caller); err != nil {
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, api.ExtractView{Extract: raw, Proof: p})
}

package httpapi

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/gin-gonic/gin"
)

// HeaderAfterBlock asks a gateway to serve a request only once its own peer has committed the given
// block. A submission's answer names the block it committed in on the answering organization's peer;
// the other organizations' peers commit it a moment later. A client that goes on at another
// organization's gateway (the IP office registers a right, then a bank applies to pledge it) passes
// that block number, so the second gateway does not act on a ledger that lacks the first step.
const HeaderAfterBlock = "IPLedger-After-Block"

// afterBlock waits, up to the configured time, until the peer's ledger holds the block the request
// names in [HeaderAfterBlock]. Without the header it does nothing. The wait asks the peer nothing: the
// gateway's one block-event listener wakes it when the block is committed ([gateway.Ledger.AwaitBlock]).
func (s *Server) afterBlock(c *gin.Context) {
	raw := c.GetHeader(HeaderAfterBlock)
	if raw == "" {
		return
	}
	block, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		abort(c, api.Errorf(api.CodeMalformed,
			"%s must be a block number (a non-negative integer), not %q", HeaderAfterBlock, raw))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.AfterBlockTimeout)
	defer cancel()
	if isRead(c) && s.sourceOf(c) == sourceReadModel {
		// A read the read model answers waits for the read model itself to hold the block.
		height, err := s.opts.ReadModel.AwaitHeight(ctx, block+1)
		if err != nil {
			abort(c, &api.Error{Code: api.CodeUnavailable, Message: fmt.Sprintf(
				"this gateway's read model has not applied block %d yet (it has %d blocks); retry shortly", block, height)})
		}
		return
	}
	height, err := s.opts.Ledger.AwaitBlock(ctx, block)
	if err != nil {
		abort(c, &api.Error{Code: api.CodeUnavailable,
			Message: fmt.Sprintf("this organization's peer has not committed block %d yet (its ledger has %d blocks); retry shortly", block, height)})
	}
}

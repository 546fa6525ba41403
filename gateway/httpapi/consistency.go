package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

// HeaderAfterBlock asks a gateway to serve a request only once its own peer has committed the given
// block. A submission's answer names the block it committed in on the answering organization's peer;
// the other organizations' peers commit it a moment later. A client that goes on at another
// organization's gateway (the IP office registers a right, then a bank applies to pledge it) passes
// that block number, so the second gateway does not act on a ledger that lacks the first step.
const HeaderAfterBlock = "IPLedger-After-Block"

// afterBlock waits, up to the configured time, until the peer's ledger holds the block the request
// names in [HeaderAfterBlock]. Without the header it does nothing.
func (s *Server) afterBlock(c *gin.Context) {
	raw := c.GetHeader(HeaderAfterBlock)
	if raw == "" {
		return
	}
	block, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		abort(c, gateway.Errorf(http.StatusBadRequest, gateway.CodeMalformed,
			"%s must be a block number (a non-negative integer), not %q", HeaderAfterBlock, raw))
		return
	}
	deadline := time.Now().Add(s.opts.AfterBlockTimeout)
	for {
		height, err := s.opts.Ledger.Height(c.Request.Context(), callerOf(c).Name)
		if err != nil {
			abort(c, err)
			return
		}
		if height > block {
			return
		}
		if time.Now().After(deadline) || c.Request.Context().Err() != nil {
			abort(c, &gateway.Error{Status: http.StatusServiceUnavailable, Code: gateway.CodeUnavailable,
				Message: fmt.Sprintf("this organization's peer has not committed block %d yet (its ledger has %d blocks); retry shortly", block, height)})
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

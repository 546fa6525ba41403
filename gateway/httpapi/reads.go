package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// Headers of every read answer: where it came from and the ledger height it is valid at.
const (
	// HeaderReadSource is "read-model" (the gateway's read model, gateway/readmodel) or "chaincode".
	// A request that carries it with "chaincode" is answered by the chaincode (the authority), whatever
	// the read model's state: to compare, or to check an answer.
	HeaderReadSource = "IPLedger-Read-Source"
	// HeaderLedgerHeight is the height the answer is valid at: the read model's height read in the
	// same transaction as the answer; from the chaincode, the peer's height read before the answer
	// (proofs) or as the gateway last saw it before the answer (other reads): the answer holds at
	// least those blocks.
	HeaderLedgerHeight = "IPLedger-Ledger-Height"
)

// Sources of a read.
const (
	sourceReadModel = "read-model"
	sourceChaincode = "chaincode"
)

const (
	ctxSource     = "ipledger.readSource"
	ctxDefinition = "ipledger.readDefinition" // the read model's DefinitionHeight when the source was decided
)

// Reasons a read the read model would answer goes to the chaincode (the metric's label).
const (
	// deferPrivateMissing: the read met a private value the peer committed without (gateway.ErrPrivateMissing).
	deferPrivateMissing = "private-missing"
	// deferDefinition: a block committing a new chaincode definition was applied, and no Ping begun
	// after it has confirmed the rules version yet.
	deferDefinition = "definition-changed"
	// deferFailed: the read model's database failed.
	deferFailed = "read-model-failed"
)

// isRead tells whether a request is one of the read-only routes a read model may answer.
func isRead(c *gin.Context) bool {
	return c.Request.Method == http.MethodGet && c.FullPath() != "/v1/events"
}

// sourceOf decides once per request where a read is answered: the read model when it is ready and
// the chaincode's version (the readiness Ping's, cached) is the rules version the read model runs;
// otherwise the chaincode. After the read model applied a block that commits a new definition of the
// chaincode (an upgrade), only a Ping begun after it counts: the probe pings again at once.
func (s *Server) sourceOf(c *gin.Context) string {
	if v, ok := c.Get(ctxSource); ok {
		return v.(string)
	}
	src := sourceChaincode
	if rm := s.opts.ReadModel; rm != nil && rm.Ready() && c.GetHeader(HeaderReadSource) != sourceChaincode {
		def := rm.DefinitionHeight()
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.ReadyTimeout)
		res := s.probe.get(ctx)
		cancel()
		if res.err == nil && strings.TrimSpace(res.version) == rm.RulesVersion() {
			switch {
			case res.definition < def:
				s.deferred(deferDefinition)
			case s.caughtUp(c.Request.Context(), rm):
				src = sourceReadModel
			}
		}
		c.Set(ctxDefinition, def)
	}
	c.Set(ctxSource, src)
	return src
}

// caughtUp waits (woken by applied blocks) until the read model has every block
// this gateway knows to be committed (Options.ReadYourWrites), so that a client reads its own writes
// without IPLedger-After-Block; a read model further behind than that is not asked (the chaincode
// answers).
func (s *Server) caughtUp(ctx context.Context, rm gateway.ReadModel) bool {
	want := max(s.knownHeight(), s.committed.Load()+1)
	if rm.Height() >= want {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.ReadYourWrites)
	defer cancel()
	_, err := rm.AwaitHeight(ctx, want)
	return err == nil
}

// noteCommitted records that a submission through this gateway committed in block b.
func (s *Server) noteCommitted(b uint64) {
	for {
		cur := s.committed.Load()
		if b <= cur || s.committed.CompareAndSwap(cur, b) {
			return
		}
	}
}

// deferred counts a read the read model would have answered and the chaincode answers.
func (s *Server) deferred(reason string) {
	if s.opts.Metrics != nil {
		s.opts.Metrics.ReadDeferred(reason)
	}
}

// chaincodeView reads through the chaincode and qscc, as the identity of the request.
type chaincodeView struct {
	ctx    context.Context
	caller string
	l      gateway.Ledger
}

func (v chaincodeView) Evaluate(function string, args ...string) ([]byte, error) {
	return v.l.Evaluate(v.ctx, v.caller, function, args...)
}

func (v chaincodeView) Transaction(txID string) (*api.Transaction, error) {
	return v.l.Transaction(v.ctx, v.caller, txID)
}

// read runs fn over the request's source and sets the read headers; it returns the height the
// answer is valid at, or false after answering the error. From the chaincode, a proof (proof true)
// asks the peer for its height before the answer; other reads state the height the gateway last saw.
func (s *Server) read(c *gin.Context, proof bool, fn func(gateway.ReadView) error) (uint64, bool) {
	ctx, caller := c.Request.Context(), callerOf(c).Name
	src := s.sourceOf(c)
	// From the chaincode the height is read before the answer: the answer holds at least the blocks
	// it states.
	fromChaincode := func() (h uint64, err error) {
		if proof {
			h, err = s.opts.Ledger.Height(ctx, caller)
		} else {
			h = s.knownHeight()
		}
		if err == nil {
			err = fn(chaincodeView{ctx: ctx, caller: caller, l: s.opts.Ledger})
		}
		return h, err
	}
	var h uint64
	var err error
	if src == sourceReadModel {
		rm := s.opts.ReadModel
		h, err = rm.Read(ctx, caller, fn)
		// What the read model cannot answer as the chaincode would, the chaincode answers: a private
		// value its peer committed without, state at or above a new definition applied meanwhile, or a
		// failure of the read model's database (not a refusal by the rules).
		reason := ""
		var apiErr *api.Error
		switch {
		case errors.Is(err, gateway.ErrPrivateMissing):
			reason = deferPrivateMissing
		case err != nil && !errors.As(err, &apiErr) && ctx.Err() == nil:
			reason = deferFailed
			s.log.Warn("read model: a read failed; answered by the chaincode", "path", c.Request.URL.Path, "err", err)
		case rm.DefinitionHeight() > c.GetUint64(ctxDefinition) && h >= rm.DefinitionHeight():
			reason = deferDefinition
		}
		if reason != "" {
			s.deferred(reason)
			src = sourceChaincode
			c.Set(ctxSource, src)
			h, err = fromChaincode()
		}
	} else {
		h, err = fromChaincode()
	}
	if s.opts.Metrics != nil {
		s.opts.Metrics.Read(src)
	}
	c.Header(HeaderReadSource, src)
	if h > 0 {
		c.Header(HeaderLedgerHeight, strconv.FormatUint(h, 10))
	}
	if err != nil {
		abort(c, err)
		return 0, false
	}
	return h, true
}

// knownHeight is the peer's height as the gateway's block-event listener last saw it, asking nothing.
func (s *Server) knownHeight() uint64 {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h, _ := s.opts.Ledger.AwaitBlock(ctx, 0)
	return h
}

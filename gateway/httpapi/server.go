// Package httpapi is the gateway's HTTP API (gin): the routes of docs/openapi.yaml, each validated
// against that document, authenticated by API key and translated into calls of a [gateway.Ledger].
// Handlers know nothing of Fabric: tests run them over a fake ledger.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/docs"
	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/metrics"
)

// Keys of values handlers share through the gin context.
const (
	ctxCaller    = "ipledger.caller"
	ctxBody      = "ipledger.body"
	ctxTxID      = "ipledger.txId"
	ctxRequestID = "ipledger.requestId"
)

// Options configures a [Server].
type Options struct {
	// Ledger is the channel; Keyring the API keys of the organization's identities.
	Ledger  gateway.Ledger
	Keyring *gateway.Keyring
	// MSPID is the gateway's organization; Channel the channel's name (shown in proofs).
	MSPID   string
	Channel string
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// Logger receives one line per request (default slog.Default()).
	Logger *slog.Logger
	// Metrics, when set, counts requests; the operations listener serves them, never the API.
	Metrics *metrics.Metrics
	// Spec is the OpenAPI document (default the embedded docs/openapi.yaml).
	Spec []byte
	// Streams ends every event stream when cancelled, so that a graceful shutdown does not wait for them.
	Streams context.Context
	// Heartbeat is the interval of keep-alive comments on event streams (default 15s).
	Heartbeat time.Duration
	// ReadyTimeout bounds the chaincode Ping of /readyz (default 5s).
	ReadyTimeout time.Duration
	// ReadyInterval is how long a Ping's result answers /readyz before the next Ping (default 5s).
	ReadyInterval time.Duration
	// AfterBlockTimeout bounds the wait for the block named by IPLedger-After-Block (default 10s).
	AfterBlockTimeout time.Duration
	// ReadYourWrites bounds the wait of a read for the read model to have every block the gateway
	// knows committed (its submissions', its block events'); later, the chaincode answers (default 2s).
	ReadYourWrites time.Duration
	// Limits are the rate limits, the cap of event streams per key and the bound of replay; a zero
	// rate limits nothing (the gateway passes its configuration's, defaults filled).
	Limits gateway.LimitsConfig
	// ReadModel, when set, answers the read-only routes while it is ready and the chaincode runs the
	// rules it runs; nil: every read goes to the chaincode.
	ReadModel gateway.ReadModel
	// SaltKey keys the salts the gateway makes for private terms sent without one; kept secret and
	// stable across restarts (empty: random salts, for tests).
	SaltKey []byte
}

// Server is the HTTP API of one organization's gateway.
type Server struct {
	opts   Options
	limits *limiter
	spec   *Spec
	engine *gin.Engine
	log    *slog.Logger
	probe  *readiness // /readyz's cached Ping
	// committed is the highest block a submission through this gateway was seen committed in: a read
	// after it is answered from the read model only once the read model has that block.
	committed atomic.Uint64
}

// New builds the server and its routes. It fails when a route has no operation in the document.
func New(opts Options) (*Server, error) {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Spec == nil {
		opts.Spec = docs.OpenAPI
	}
	if opts.Streams == nil {
		opts.Streams = context.Background()
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 5 * time.Second
	}
	if opts.ReadyInterval <= 0 {
		opts.ReadyInterval = 5 * time.Second
	}
	if opts.ReadYourWrites <= 0 {
		opts.ReadYourWrites = 2 * time.Second
	}
	if opts.AfterBlockTimeout <= 0 {
		opts.AfterBlockTimeout = 10 * time.Second
	}
	spec, err := LoadSpec(opts.Spec)
	if err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{opts: opts, limits: newLimiter(opts.Limits), spec: spec, engine: gin.New(), log: opts.Logger,
		probe: &readiness{interval: opts.ReadyInterval, timeout: opts.ReadyTimeout, now: time.Now,
			ping: func(ctx context.Context) (string, error) { return opts.Ledger.Ping(ctx) }}}
	if opts.ReadModel != nil {
		s.probe.definition = opts.ReadModel.DefinitionHeight
	}
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

func (s *Server) routes() error {
	e := s.engine
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(gin.CustomRecovery(func(c *gin.Context, rec any) {
		s.log.Error("panic", "panic", rec, "path", c.Request.URL.Path)
		abort(c, api.Errorf(api.CodeInternal, "internal error"))
	}))
	e.Use(s.observe, s.limitAddress)
	e.NoRoute(func(c *gin.Context) {
		abort(c, api.Errorf(api.CodeNotFound, "no such endpoint: %s", c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		abort(c, api.Errorf(api.CodeMethodNotAllowed, "method %s is not allowed here", c.Request.Method))
	})

	e.GET("/healthz", s.health)
	e.GET("/readyz", s.ready)
	e.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", s.spec.JSON()) })
	// /metrics is not served here: the gateway's operations listener serves it, to holders of a client
	// certificate of the organization's CA (gateway/cmd/ipledger-gateway).

	v1 := e.Group("/v1", s.authenticate, s.limitKey, s.afterBlock)
	for _, r := range s.apiRoutes() {
		validate, err := s.spec.validator(r.method, r.path, s.opts.MaxBodyBytes)
		if err != nil {
			return err
		}
		v1.Handle(r.method, ginPath(strings.TrimPrefix(r.path, "/v1")), validate, r.handler)
	}
	return nil
}

type route struct {
	method, path string // path as the OpenAPI document writes it
	handler      gin.HandlerFunc
}

// apiRoutes is the HTTP table of the API. Every operation of the catalogue (api.Operations) with a
// route is served there: by the handler named below when it needs more than one chaincode call or an
// answer of its own making, otherwise by [Server.submit] or [Server.query]. The last routes are the
// gateway's own, with no chaincode operation.
func (s *Server) apiRoutes() []route {
	own := map[string]gin.HandlerFunc{
		api.GetPledge.Name:               s.withPrivate(api.GetPledge, api.GetPledgeTerms, "privateTerms"), // when entitled
		api.GetValuationReport.Name:      s.withPrivate(api.GetValuationReport, api.GetValuationValue, "privateValue"),
		api.GetStatement.Name:            s.verify,      // with the proof from the ledger
		api.GetPartyExtract.Name:         s.extract,     // with the proof of every record
		api.GetStatistics.Name:           s.statistics,  // JSON, or CSV
		api.ListPledgesByAsset.Name:      s.listPledges, // one route, four lists
		api.ListPledgesByPledgee.Name:    s.listPledges,
		api.ListPledgesByStatus.Name:     s.listPledges,
		api.ListOverdueExaminations.Name: s.listPledges,
	}
	var out []route
	seen := map[string]bool{}
	for _, op := range api.Operations {
		key := op.Method + " " + op.Path
		if op.Path == "" || seen[key] {
			continue
		}
		seen[key] = true
		h, ok := own[op.Name]
		switch {
		case ok:
		case op.ReadOnly:
			h = s.query(op)
		default:
			h = s.submit(op)
		}
		out = append(out, route{op.Method, op.Path, h})
	}
	return append(out,
		route{http.MethodGet, "/v1/transactions/{txId}", s.transaction},
		route{http.MethodGet, "/v1/events", s.events})
}

func (s *Server) health(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "msp": s.opts.MSPID})
}

// ready answers from the last chaincode Ping, at most ReadyInterval old (readiness); checkedAt says
// when that Ping ended.
func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.ReadyTimeout)
	defer cancel()
	res := s.probe.get(ctx)
	checked := res.at.UTC().Format(time.RFC3339)
	if res.err != nil {
		e := gateway.ErrorOf(res.err)
		abort(c, &api.Error{Code: api.CodeUnavailable, Details: map[string]string{"checkedAt": checked},
			Message: "not ready: the peer or the chaincode does not answer (" + string(e.Code) + ")", Cause: res.err})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "msp": s.opts.MSPID, "chaincode": res.version, "checkedAt": checked})
}

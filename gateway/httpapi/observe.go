package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// observe gives every request an id (X-Request-ID, taken from the client when well-formed), then logs
// it and counts it once it is answered.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	rid := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(rid) {
		rid = randomID("req-")
	}
	c.Set(ctxRequestID, rid)
	c.Header("X-Request-ID", rid)
	c.Next()

	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	d := time.Since(start)
	if s.opts.Metrics != nil {
		s.opts.Metrics.Request(route, c.Request.Method, status, d)
	}
	attrs := []any{"requestId", rid, "method", c.Request.Method, "route", route, "path", c.Request.URL.Path,
		"status", status, "durationMs", d.Milliseconds()}
	if caller, ok := c.Get(ctxCaller); ok {
		attrs = append(attrs, "identity", caller.(gateway.Caller).Name)
	}
	if tx := c.GetString(ctxTxID); tx != "" {
		attrs = append(attrs, "txId", tx)
	}
	level := slog.LevelInfo
	if len(c.Errors) > 0 {
		e := gateway.ErrorOf(c.Errors.Last().Err)
		attrs = append(attrs, "code", e.Code)
		if e.Cause != nil {
			attrs = append(attrs, "cause", e.Cause.Error())
		}
		if status >= 500 {
			level = slog.LevelError
		} else {
			level = slog.LevelWarn
		}
	}
	if route == "/healthz" || route == "/metrics" || status == http.StatusTooManyRequests {
		level = slog.LevelDebug // a flood refused stays out of the log: /metrics counts it (status 429)
	}
	s.log.Log(c.Request.Context(), level, "request", attrs...)
}

// authenticate finds the identity bound to the bearer API key (401 without one).
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
		abort(c, api.Errorf(api.CodeUnauthenticated, "an API key is required: Authorization: Bearer <key>"))
		return
	}
	caller, state := s.opts.Keyring.Check(strings.TrimSpace(key))
	if state != gateway.KeyValid {
		abort(c, keyRefused(state))
		return
	}
	c.Set(ctxCaller, caller)
	c.Next()
}

func callerOf(c *gin.Context) gateway.Caller {
	v, _ := c.Get(ctxCaller)
	caller, _ := v.(gateway.Caller)
	return caller
}

func randomID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// keyRefused is the 401 for a key that is not valid, saying why: an expired or revoked key is told
// apart from one the gateway does not know, so that its holder knows to ask for a new one.
func keyRefused(state gateway.KeyState) *api.Error {
	switch state {
	case gateway.KeyExpired:
		return &api.Error{Code: api.CodeUnauthenticated, Details: map[string]string{"reason": "expired"},
			Message: "the API key has expired: ask your organization's operator for a new one (scripts/ipledger key issue or rotate)"}
	case gateway.KeyRevoked:
		return &api.Error{Code: api.CodeUnauthenticated, Details: map[string]string{"reason": "revoked"},
			Message: "the API key has been revoked: ask your organization's operator for a new one (scripts/ipledger key issue)"}
	default:
		return api.Errorf(api.CodeUnauthenticated, "the API key is not valid")
	}
}

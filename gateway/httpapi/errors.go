package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// errorBody is the error JSON of the HTTP contract: {"error": {"code", "message", "txId"}}.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code        api.Code          `json:"code"`
	Message     string            `json:"message"`
	TxID        string            `json:"txId,omitempty"`
	BlockNumber uint64            `json:"blockNumber,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
}

// statusByCode is the one place where an error code becomes an HTTP status. A rule id (A1 … I3) is a
// refusal under a domain rule: 409. A code not listed here is answered as 500.
var statusByCode = map[api.Code]int{
	api.CodeMalformed:        http.StatusBadRequest,
	api.CodeUnauthenticated:  http.StatusUnauthorized,
	api.CodeForbidden:        http.StatusForbidden,
	api.CodeNotFound:         http.StatusNotFound,
	api.CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	api.CodeReadConflict:     http.StatusConflict,
	api.CodePhantomConflict:  http.StatusConflict,
	api.CodeTooLarge:         http.StatusRequestEntityTooLarge,
	api.CodeInvalidArgument:  http.StatusUnprocessableEntity,
	api.CodeInternal:         http.StatusInternalServerError,
	api.CodeTxInvalid:        http.StatusInternalServerError,
	api.CodeUnavailable:      http.StatusServiceUnavailable,
	api.CodeTimeout:          http.StatusGatewayTimeout,
	api.CodeRateLimited:      http.StatusTooManyRequests,
	api.CodeClockSkew:        http.StatusServiceUnavailable, // I4: the gateway's clock, not the client's request
	api.CodeBeforeSnapshot:   http.StatusNotFound,           // not in this gateway's copy of the ledger
}

// statusOf is the HTTP status that answers an error code.
func statusOf(code api.Code) int {
	if code.IsRule() {
		return http.StatusConflict
	}
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// abort answers with the error JSON and stops the handler chain. The cause of an error goes to the log
// (by the logging middleware), never to the client; neither do the details of a server-side failure,
// and an error of an unknown code shows only "internal error".
func abort(c *gin.Context, err error) {
	e := gateway.ErrorOf(err)
	if e.TxID != "" {
		c.Set(ctxTxID, e.TxID)
	}
	_ = c.Error(e)
	status := statusOf(e.Code)
	out := errorJSON{Code: e.Code, Message: e.Message, TxID: e.TxID, BlockNumber: e.BlockNumber, Details: e.Details}
	if status >= 500 {
		out.Details = nil
	}
	if _, known := statusByCode[e.Code]; !known && !e.Code.IsRule() {
		out.Code, out.Message = api.CodeInternal, "internal error"
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="ipledger"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: out})
}

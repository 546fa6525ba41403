package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

// errorBody is the error JSON of the HTTP contract: {"error": {"code", "message", "txId"}}.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	TxID    string            `json:"txId,omitempty"`
	Details map[string]string `json:"details,omitempty"`
}

// abort answers with the error JSON and stops the handler chain. The cause of an error goes to the log
// (by the logging middleware), never to the client.
func abort(c *gin.Context, err error) {
	e := gateway.ErrorOf(err)
	if e.TxID != "" {
		c.Set(ctxTxID, e.TxID)
	}
	_ = c.Error(e)
	details := e.Details
	if e.Status >= 500 {
		details = nil
	}
	if e.Status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="ipledger"`)
	}
	c.AbortWithStatusJSON(e.Status, errorBody{Error: errorJSON{Code: e.Code, Message: e.Message, TxID: e.TxID, Details: details}})
}

package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

// query handles a read route: one evaluated chaincode transaction with one path parameter, whose JSON
// answer goes to the client as it is.
func (s *Server) query(function, param string) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, err := s.opts.Ledger.Evaluate(c.Request.Context(), callerOf(c).Name, function, c.Param(param))
		if err != nil {
			abort(c, err)
			return
		}
		c.Data(http.StatusOK, "application/json", raw)
	}
}

// getPledge answers the public record of a pledge, with "privateTerms" when the chaincode entitles the
// caller to them (V2). Whom it entitles is the chaincode's decision: a refusal just leaves them out.
func (s *Server) getPledge(c *gin.Context) {
	caller, id := callerOf(c), c.Param("id")
	raw, err := s.opts.Ledger.Evaluate(c.Request.Context(), caller.Name, "GetPledge", id)
	if err != nil {
		abort(c, err)
		return
	}
	terms, err := s.opts.Ledger.Evaluate(c.Request.Context(), caller.Name, "GetPledgeTerms", id)
	if err != nil {
		if e := gateway.ErrorOf(err); e.Status == http.StatusForbidden || e.Status == http.StatusNotFound {
			c.Data(http.StatusOK, "application/json", raw)
			return
		}
		abort(c, err)
		return
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil || !json.Valid(terms) {
		abort(c, &gateway.Error{Status: http.StatusInternalServerError, Code: gateway.CodeInternal,
			Message: "internal error", Cause: fmt.Errorf("pledge %s: the chaincode's answer is not a JSON object", id)})
		return
	}
	doc["privateTerms"] = terms
	c.JSON(http.StatusOK, doc)
}

// listPledges lists pledges by right, pledgee, status, or the overdue examinations (P9).
// findAssets looks IP rights up by official number.
func (s *Server) findAssets(c *gin.Context) {
	raw, err := s.opts.Ledger.Evaluate(c.Request.Context(), callerOf(c).Name, "FindAssetsByNumber", c.Query("number"))
	if err != nil {
		abort(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", raw)
}

func (s *Server) listPledges(c *gin.Context) {
	var function, arg string
	n := 0
	for _, q := range []struct{ param, function string }{
		{"assetId", "ListPledgesByAsset"}, {"pledgee", "ListPledgesByPledgee"}, {"status", "ListPledgesByStatus"},
	} {
		if v := c.Query(q.param); v != "" {
			function, arg = q.function, v
			n++
		}
	}
	if c.Query("overdue") == "true" {
		function, arg = "ListOverdueExaminations", ""
		n++
	}
	if n != 1 {
		abort(c, &gateway.Error{Status: http.StatusUnprocessableEntity, Code: gateway.CodeInvalidArgument,
			Message: "exactly one of assetId, pledgee, status or overdue=true is required", Details: map[string]string{"field": "assetId"}})
		return
	}
	size := c.DefaultQuery("pageSize", "0")
	if _, err := strconv.Atoi(size); err != nil {
		size = "0"
	}
	raw, err := s.opts.Ledger.Evaluate(c.Request.Context(), callerOf(c).Name, function, arg, size, c.Query("bookmark"))
	if err != nil {
		abort(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", raw)
}

package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

// query handles the route of a read-only operation: one evaluated chaincode transaction whose
// arguments come from the path and the query as the catalogue says, and whose JSON answer goes to
// the client as it is.
func (s *Server) query(op api.Op) gin.HandlerFunc {
	return func(c *gin.Context) {
		var raw []byte
		args := argsOf(c, op)
		if _, ok := s.read(c, false, func(v gateway.ReadView) (err error) {
			if raw, err = v.Evaluate(op.Name, args...); err != nil {
				return err
			}
			return unapplied(op, args, raw)
		}); ok {
			c.Data(http.StatusOK, "application/json", raw)
		}
	}
}

// unapplied refuses an answer that does not name an optional argument the request gave (api.Arg.Optional):
// the chaincode that answered runs older rules, which ignored it, and its answer is not the one asked
// for. That happens only while a chaincode upgrade is under way (this gateway's rules are newer than
// the chaincode's): 503, to retry.
func unapplied(op api.Op, args []string, raw []byte) error {
	param := op.Unapplied(args, raw)
	if param == "" {
		return nil
	}
	return &api.Error{Code: api.CodeUnavailable,
		Message: fmt.Sprintf("the chaincode that answered runs older rules than this gateway, which do not know the parameter %s: "+
			"retry once the chaincode upgrade is done, or leave %s out", param, param),
		Details: map[string]string{"field": param, "reason": "parameter-not-applied"}}
}

// argsOf takes an operation's arguments from the request. An integer argument that is absent or not
// a number is "0" (the chaincode's default); an argument no HTTP parameter carries is "".
func argsOf(c *gin.Context, op api.Op) []string {
	var args []string
	for _, a := range op.Args {
		var v string
		switch a.In {
		case api.InPath:
			v = c.Param(a.Param)
		case api.InQuery:
			if a.Param != "" {
				v = c.Query(a.Param)
			}
		}
		if a.Int {
			if _, err := strconv.Atoi(v); err != nil {
				v = "0"
			}
		}
		args = append(args, v)
	}
	return args
}

// withPrivate answers the public record of public(id) with its private part, private(id), under
// field when the chaincode entitles the caller to it: a pledge's "privateTerms" (V2), a valuation
// report's "privateValue" (F2). Whom it entitles is the chaincode's decision: a refusal just leaves the
// private part out.
func (s *Server) withPrivate(public, private api.Op, field string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		var raw, priv []byte
		entitled := false
		// One read: the record and its private part at the same height. The read model holds the
		// private data only of its organization's collections, and the rules decide whether the caller
		// is entitled to them.
		if _, ok := s.read(c, false, func(v gateway.ReadView) (err error) {
			if raw, err = v.Evaluate(public.Name, id); err != nil {
				return err
			}
			priv, err = v.Evaluate(private.Name, id)
			if err == nil {
				entitled = true
				return nil
			}
			if e := gateway.ErrorOf(err); e.Code == api.CodeForbidden || e.Code == api.CodeNotFound {
				return nil
			}
			return err
		}); !ok {
			return
		}
		if !entitled {
			c.Data(http.StatusOK, "application/json", raw)
			return
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(raw, &doc); err != nil || !json.Valid(priv) {
			abort(c, &api.Error{Code: api.CodeInternal,
				Message: "internal error", Cause: fmt.Errorf("%s %s: the chaincode's answer is not a JSON object", public.Name, id)})
			return
		}
		doc[field] = priv
		c.JSON(http.StatusOK, doc)
	}
}

// listPledges serves GET /v1/pledges: the pledges by right, pledgee or status, or the overdue
// examinations (P9) at asOf (now by default). Exactly one selection is required; asOf goes only with
// overdue=true.
func (s *Server) listPledges(c *gin.Context) {
	var chosen []api.Op
	for _, op := range []api.Op{api.ListPledgesByAsset, api.ListPledgesByPledgee, api.ListPledgesByStatus} {
		if c.Query(op.Args[0].Param) != "" {
			chosen = append(chosen, op)
		}
	}
	if c.Query("overdue") == "true" {
		chosen = append(chosen, api.ListOverdueExaminations)
	}
	if len(chosen) != 1 {
		abort(c, api.Invalid("assetId", "exactly one of assetId, pledgee, status or overdue=true is required"))
		return
	}
	if _, has := c.GetQuery("asOf"); has && chosen[0].Name != api.ListOverdueExaminations.Name {
		abort(c, api.Invalid("asOf", "goes only with overdue=true"))
		return
	}
	s.query(chosen[0])(c)
}

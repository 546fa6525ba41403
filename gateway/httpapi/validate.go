package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"
)

// Spec is the loaded OpenAPI document with the operation of each gin route.
type Spec struct {
	doc  *openapi3.T
	json []byte
}

// LoadSpec parses and checks an OpenAPI document (YAML or JSON).
func LoadSpec(raw []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return &Spec{doc: doc, json: js}, nil
}

// JSON is the document as JSON, for /openapi.json.
func (s *Spec) JSON() []byte { return s.json }

// ginPath writes an OpenAPI path in gin's router syntax: /v1/pledges/{id} → /v1/pledges/:id.
func ginPath(openapiPath string) string {
	return strings.NewReplacer("{", ":", "}", "").Replace(openapiPath)
}

// route finds the document's operation for a path as the document writes it, e.g. "/v1/assets/{id}".
func (s *Spec) route(method, path string) (*routers.Route, error) {
	item := s.doc.Paths.Value(path)
	if item == nil {
		return nil, fmt.Errorf("openapi: no path %s", path)
	}
	op := item.GetOperation(method)
	if op == nil {
		return nil, fmt.Errorf("openapi: no %s %s", method, path)
	}
	return &routers.Route{Spec: s.doc, Path: path, PathItem: item, Method: method, Operation: op}, nil
}

// validator checks a request against its operation: the body size (413), well-formed JSON (400),
// then parameters and body with kin-openapi (422 with the field's path).
func (s *Spec) validator(method, path string, maxBody int64) (gin.HandlerFunc, error) {
	route, err := s.route(method, path)
	if err != nil {
		return nil, err
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	return func(c *gin.Context) {
		body, gerr := readBody(c.Request, maxBody)
		if gerr != nil {
			abort(c, gerr)
			return
		}
		if len(bytes.TrimSpace(body)) > 0 {
			if !json.Valid(body) {
				abort(c, api.Errorf(api.CodeMalformed, "the body is not well-formed JSON"))
				return
			}
			// JSON text is UTF-8 (RFC 8259); encoding/json would quietly turn invalid bytes into U+FFFD
			// and the ledger would record text the client never sent.
			if !utf8.Valid(body) {
				abort(c, api.Errorf(api.CodeMalformed, "the body is not valid UTF-8"))
				return
			}
			if c.Request.Header.Get("Content-Type") == "" {
				c.Request.Header.Set("Content-Type", "application/json")
			}
		} else {
			body = nil
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		params := map[string]string{}
		for _, p := range c.Params {
			params[p.Key] = p.Value
		}
		in := &openapi3filter.RequestValidationInput{Request: c.Request, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(c.Request.Context(), in); err != nil {
			abort(c, validationError(err))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		c.Set(ctxBody, string(body))
		c.Next()
	}, nil
}

func readBody(r *http.Request, max int64) ([]byte, *api.Error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, max))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, api.Errorf(api.CodeTooLarge,
				"the body is larger than %d bytes", max)
		}
		return nil, api.Errorf(api.CodeMalformed, "the body could not be read")
	}
	return body, nil
}

var unsupported = regexp.MustCompile(`^property "(.*)" is unsupported$`)

// validationError turns a kin-openapi error into a client error naming the field.
func validationError(err error) *api.Error {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return api.Errorf(api.CodeMalformed, "%s", err.Error())
	}
	var se *openapi3.SchemaError
	schemaErr := errors.As(re.Err, &se)
	switch {
	case re.Parameter != nil:
		field := re.Parameter.Name
		reason := re.Reason
		if schemaErr {
			reason = se.Reason
		} else if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			reason = "is required"
		} else if reason == "" && re.Err != nil {
			reason = re.Err.Error()
		}
		return invalid(field, reason)
	case re.RequestBody != nil && schemaErr:
		path := se.JSONPointer()
		reason := se.Reason
		if m := unsupported.FindStringSubmatch(se.Reason); m != nil {
			path = append(path, m[1])
			reason = "unknown field"
		} else if se.SchemaField == "required" {
			reason = "is required"
		}
		return invalid(fieldPath(path), reason)
	case re.RequestBody != nil && errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return api.Errorf(api.CodeMalformed, "a JSON body is required")
	case re.RequestBody != nil:
		return api.Errorf(api.CodeMalformed, "the body is not acceptable: %s", re.Reason)
	}
	return api.Errorf(api.CodeMalformed, "%s", re.Error())
}

// invalid rejects a field as the chaincode does (api.Invalid); a document-wide reason is the body's.
func invalid(field, reason string) *api.Error {
	if field == "" {
		field = "(body)"
	}
	return api.Invalid(field, reason)
}

// fieldPath writes a JSON pointer as the chaincode writes field paths: owners[1].share.
func fieldPath(ptr []string) string {
	var b strings.Builder
	for _, p := range ptr {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

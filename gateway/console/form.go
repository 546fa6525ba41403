package console

import (
	"fmt"
	"html"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// formSchema gives form fields the checks of the API's own request schemas, so that the browser's
// messages and the gateway's 422s come from one document (docs/openapi.yaml) and cannot drift apart.
type formSchema struct {
	schemas openapi3.Schemas
}

func loadFormSchema(spec []byte) (*formSchema, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("console: the API document: %w", err)
	}
	if doc.Components == nil || len(doc.Components.Schemas) == 0 {
		return nil, fmt.Errorf("console: the API document has no schemas")
	}
	return &formSchema{schemas: doc.Components.Schemas}, nil
}

// lookup finds the schema of a field: schema is a component ("PledgeApplication"), path its dotted
// field path, with "[]" for an array's items ("pledgors[].name"). It also says whether the field is
// required in its parent object.
func (f *formSchema) lookup(schema, path string) (*openapi3.Schema, bool, error) {
	ref, ok := f.schemas[schema]
	if !ok || ref.Value == nil {
		return nil, false, fmt.Errorf("console: no schema %s", schema)
	}
	s, required := ref.Value, false
	for _, part := range strings.Split(path, ".") {
		name, isArray := strings.CutSuffix(part, "[]")
		if len(s.Properties) == 0 && len(s.AllOf) == 1 && s.AllOf[0].Value != nil {
			s = s.AllOf[0].Value // a nullable reference, written {nullable: true, allOf: [{$ref: …}]} (AssetPatch's flags)
		}
		p, ok := s.Properties[name]
		if !ok || p.Value == nil {
			return nil, false, fmt.Errorf("console: schema %s has no field %s", schema, path)
		}
		required = slices.Contains(s.Required, name)
		s = p.Value
		if isArray {
			if s.Items == nil || s.Items.Value == nil {
				return nil, false, fmt.Errorf("console: %s.%s is not an array", schema, path)
			}
			s = s.Items.Value
		}
	}
	return s, required, nil
}

// attrs renders a field's checks as HTML attributes: required, maxlength, min and max natively, and
// the pattern as data-pattern, which the console's script tests with the API's own (ECMAScript)
// regular expression. (The HTML pattern attribute is compiled in the stricter "v" mode, which some of
// the API's character classes do not satisfy.) Also data-field, the path the API names in a 422.
func (f *formSchema) attrs(schema, path string) (template.HTMLAttr, error) {
	s, required, err := f.lookup(schema, path)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	attr := func(name, value string) {
		fmt.Fprintf(&b, ` %s="%s"`, name, html.EscapeString(value))
	}
	if required {
		b.WriteString(" required")
	}
	if s.MaxLength != nil {
		attr("maxlength", strconv.FormatUint(*s.MaxLength, 10))
	}
	if s.MinLength > 0 {
		attr("data-minlength", strconv.FormatUint(s.MinLength, 10))
	}
	if s.Pattern != "" {
		attr("data-pattern", s.Pattern)
	}
	if s.Min != nil {
		attr("min", strconv.FormatFloat(*s.Min, 'f', -1, 64))
	}
	if s.Max != nil {
		attr("max", strconv.FormatFloat(*s.Max, 'f', -1, 64))
	}
	attr("data-field", strings.ReplaceAll(path, "[]", ""))
	return template.HTMLAttr(strings.TrimSpace(b.String())), nil //nolint:gosec // every value is escaped above
}

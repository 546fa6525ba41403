// Package docs embeds the OpenAPI document of the gateway's HTTP API, so that the gateway serves and
// validates against the very file in docs/.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml: the source of truth of the HTTP API.
//
//go:embed openapi.yaml
var OpenAPI []byte

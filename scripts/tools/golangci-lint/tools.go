//go:build tools

// Package tools records the linter this module exists to build.
package tools

import _ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"

// Package exchangeeval exposes the files the binary carries with it: the
// instrument definitions in surveys/ and the HTML templates in templates/.
// It sits at the module root because go:embed cannot reach parent folders.
package exchangeeval

import "embed"

// Surveys holds surveys/*.yaml, the instruments every build knows.
//
//go:embed surveys/*.yaml
var Surveys embed.FS

// Templates holds the HTML templates and the stylesheet.
//
//go:embed templates
var Templates embed.FS

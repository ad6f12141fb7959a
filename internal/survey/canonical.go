package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/goccy/go-yaml"
)

// Canonical writes the instrument as YAML in one normal form: keys in
// the order of the types' fields, texts' languages sorted, empty and
// default-valued keys left out, comments and anchors gone. Two
// definitions that mean the same thing — a YAML file and the XLSForm
// exported from it and imported again — have the same canonical bytes,
// and so the same CanonicalHash. It is also how an instrument uploaded as
// an XLSForm is stored and downloaded as YAML.
func (in *Instrument) Canonical() ([]byte, error) {
	out, err := yaml.MarshalWithOptions(in, yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return nil, fmt.Errorf("write instrument %s as YAML: %w", in.ID, err)
	}
	return out, nil
}

// CanonicalHash is the SHA-256 of the canonical form, in hex.
func (in *Instrument) CanonicalHash() (string, error) {
	b, err := in.Canonical()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownDNSType is wrapped by Options.DNSSettings when a dns block names
// a provider type that is not registered.
var ErrUnknownDNSType = errors.New("unknown DNS provider type")

// ErrUnknownRegistrarType is wrapped by Options.RegistrarSettings when a
// registrar block names a type that is not implemented.
var ErrUnknownRegistrarType = errors.New("unknown registrar type")

// Error is returned for an invalid configuration; use errors.As to get the
// diagnostics. A file that cannot be read is reported as a plain wrapped
// error instead.
type Error struct {
	Diags []Diagnostic
	// UnsetEnv are the variables env() read that were not set, with
	// Options.EnvPlaceholders.
	UnsetEnv []string
}

// Diagnostic is one problem in a configuration file, at the position of the
// offending attribute (or block header when the block itself is wrong).
// Messages never contain secret values.
type Diagnostic struct {
	Filename     string
	Line, Column int
	Message      string
}

// String formats the diagnostic as "FILE:LINE:COL: message", the form
// editors and CI logs recognise.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", d.Filename, d.Line, d.Column, d.Message)
}

// Error lists every diagnostic, one per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Diags))
	for i, d := range e.Diags {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

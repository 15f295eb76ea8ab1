// Package registrar changes where a zone is delegated: the NS records the
// parent zone holds for it. A registrar block names one implementation:
// rfc2136 for a parent zone run on one's own servers (and for tests), and
// the registrar APIs that expose nameserver endpoints (porkbun, gandi).
package registrar

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Registrar changes where a zone is delegated.
type Registrar interface {
	// Nameservers returns the host names the parent zone delegates zone
	// to: fully qualified, lowercase, sorted.
	Nameservers(ctx context.Context, zone string) ([]string, error)
	// SetNameservers makes the parent delegate zone to exactly ns (fully
	// qualified host names). glue holds the addresses of the names inside
	// the zone, which a parent needs to refer to them; an implementation
	// whose API cannot take glue ignores it.
	SetNameservers(ctx context.Context, zone string, ns []string, glue map[string][]netip.Addr) error
}

// ErrInvalidSettings is wrapped by New for settings that do not fit the
// type: unknown, missing or malformed keys. Messages name keys, never
// values: values are secrets.
var ErrInvalidSettings = errors.New("invalid registrar settings")

// kind is one implementation: the settings it takes and how it is built.
type kind struct {
	keys     []string // every key accepted
	required []string
	build    func(s settings) (Registrar, []string)
}

var kinds = map[string]kind{
	"rfc2136": {keys: []string{"server", "key_name", "key_alg", "key", "parent"}, required: []string{"server"}, build: newRFC2136},
	"porkbun": {keys: []string{"api_key", "secret_api_key", "endpoint"}, required: []string{"api_key", "secret_api_key"}, build: newPorkbun},
	"gandi":   {keys: []string{"bearer_token", "endpoint"}, required: []string{"bearer_token"}, build: newGandi},
}

// Types returns the implemented types, sorted.
func Types() []string { return slices.Sorted(maps.Keys(kinds)) }

// New builds the registrar of type typ from its settings. It does no I/O.
func New(typ string, s map[string]string) (Registrar, error) {
	k, ok := kinds[typ]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", config.ErrUnknownRegistrarType, typ, strings.Join(Types(), ", "))
	}
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(s)) {
		if !slices.Contains(k.keys, key) {
			problems = append(problems, fmt.Sprintf("unknown setting %q (valid: %s)", key, strings.Join(k.keys, ", ")))
		}
	}
	for _, key := range k.required {
		if strings.TrimSpace(s[key]) == "" {
			problems = append(problems, fmt.Sprintf("missing required setting %q", key))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w for type %q: %s", ErrInvalidSettings, typ, strings.Join(problems, "; "))
	}
	r, problems := k.build(settings(s))
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w for type %q: %s", ErrInvalidSettings, typ, strings.Join(problems, "; "))
	}
	return r, nil
}

// Check is config.Options.RegistrarSettings: New without the result.
func Check(typ string, s map[string]string) error {
	_, err := New(typ, s)
	return err
}

type settings map[string]string

// fqdns returns names fully qualified and lowercase, sorted, once each.
func fqdns(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if !strings.HasSuffix(n, ".") {
			n += "."
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// domain is a zone as registrar APIs want it: no trailing dot.
func domain(zone string) string { return strings.TrimSuffix(strings.ToLower(zone), ".") }

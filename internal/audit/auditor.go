package audit

import (
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// auditor holds the inputs and the indexes every check shares, built once.
type auditor struct {
	cfg       *config.Config
	f         Facts
	services  []*config.Service // by name
	providers []*config.Provider
	dns       []*config.DNSProvider
	unchecked []Unchecked
}

func newAuditor(cfg *config.Config, f Facts) *auditor {
	a := &auditor{cfg: cfg, f: f}
	for _, s := range cfg.Services {
		if s != nil {
			a.services = append(a.services, s)
		}
	}
	for _, p := range cfg.Providers {
		if p != nil {
			a.providers = append(a.providers, p)
		}
	}
	for _, d := range cfg.DNS {
		if d != nil {
			a.dns = append(a.dns, d)
		}
	}
	slices.SortFunc(a.services, func(x, y *config.Service) int { return strings.Compare(x.Name, y.Name) })
	slices.SortFunc(a.providers, func(x, y *config.Provider) int { return strings.Compare(x.Name, y.Name) })
	slices.SortFunc(a.dns, func(x, y *config.DNSProvider) int { return strings.Compare(x.Name, y.Name) })
	return a
}

// primary is the provider s runs on now: its placement, else its first candidate.
func (a *auditor) primary(s *config.Service) string {
	if p := a.f.Placement[s.Name]; p != "" {
		return p
	}
	if len(s.Candidates) > 0 {
		return s.Candidates[0]
	}
	return ""
}

// serviceDNS lists the dns blocks s writes to: its dns list, else all.
func (a *auditor) serviceDNS(s *config.Service) []*config.DNSProvider {
	var out []*config.DNSProvider
	for _, d := range a.dns {
		if s.UsesDNS(d.Name) {
			out = append(out, d)
		}
	}
	return out
}

// idPart makes a name safe for a finding ID: lowercase, no trailing dot,
// no spaces.
func idPart(s string) string {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	return strings.Join(strings.Fields(s), "_")
}

// id joins its parts into a finding ID.
func id(parts ...string) string {
	for i, p := range parts {
		parts[i] = idPart(p)
	}
	return strings.Join(parts, ".")
}

// zoneName is a zone as shown in IDs: without the trailing dot.
func zoneName(z string) string { return strings.TrimSuffix(z, ".") }

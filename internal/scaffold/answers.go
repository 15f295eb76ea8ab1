// Package scaffold writes a first configuration and a Terraform workspace
// skeleton per hosting provider for `lifeboat init`, from answers given as
// flags or to questions on a terminal. Both paths fill the same Answers and
// go through Normalize, so the same answers give the same bytes.
package scaffold

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/providers"
)

// Answers is everything init needs to know.
type Answers struct {
	Providers []Provider // the primary first
	DNS       []DNS
	Services  []Service
}

// Provider is a hosting provider: one Terraform workspace.
type Provider struct {
	Name    string
	Vendor  string // default: the name
	Standby string // active, warm or cold; default: active for the first, cold for the others
}

// DNS is a dns block. Secret settings are never answered: they are written
// as env("NAME_KEY").
type DNS struct {
	Name     string
	Type     string // a registered libdns type
	Zone     string // with or without the trailing dot
	Vendor   string // default: the type ("self-hosted" for rfc2136)
	Settings map[string]string
}

// Service is a service block.
type Service struct {
	Name       string
	Records    []string // default: the name
	Candidates []string // default: every provider, in order
	CheckPath  string   // default: "/"
}

// ErrInvalid marks an answer that cannot be used (a usage error).
var ErrInvalid = errors.New("invalid answer")

var standbys = []string{"active", "warm", "cold"}

// nameRE keeps names usable as block labels, directory names (infra/NAME)
// and environment variable prefixes.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// plainSettings are the settings of a type that are not secrets, with the
// example written when none is given. Every other required setting is a
// secret, read with env(). route53 needs none: it reads AWS's own
// credential chain.
var plainSettings = map[string][]setting{
	"rfc2136": {
		{"server", "ns1.example.net:53", "the primary server that takes dynamic updates"},
		{"key_name", "lifeboat", "the TSIG key's name"},
		{"key_alg", "hmac-sha256", "the TSIG key's algorithm"},
	},
	"powerdns": {{"server_url", "https://pdns.example.net:8081", "the PowerDNS API"}},
	"ovh":      {{"endpoint", "ovh-eu", "ovh-eu, ovh-ca, ovh-us, ..."}},
}

type setting struct{ key, example, help string }

// DNSTypes are the types init accepts: the registered ones.
func DNSTypes() []string { return providers.DNSTypes() }

func checkName(kind, name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: %s name %q: want lower-case letters, digits, - and _, starting with a letter", ErrInvalid, kind, name)
	}
	return nil
}

// defaultStandby is the standby of the i-th provider when not given.
func defaultStandby(i int) string {
	if i == 0 {
		return "active"
	}
	return "cold"
}

func defaultDNSVendor(typ string) string {
	if typ == "rfc2136" {
		return "self-hosted"
	}
	return typ
}

// Normalize fills the defaults and checks the answers; after it, rendering
// cannot fail.
func (a *Answers) Normalize() error {
	if len(a.Providers) == 0 {
		return fmt.Errorf("%w: at least one hosting provider is needed", ErrInvalid)
	}
	if len(a.DNS) == 0 {
		return fmt.Errorf("%w: at least one DNS provider is needed", ErrInvalid)
	}
	if len(a.Services) == 0 {
		a.Services = []Service{{Name: "www"}}
	}
	seen := map[string]bool{}
	var names []string
	for i := range a.Providers {
		p := &a.Providers[i]
		if err := checkName("provider", p.Name); err != nil {
			return err
		}
		if seen[p.Name] {
			return fmt.Errorf("%w: provider %q given twice", ErrInvalid, p.Name)
		}
		seen[p.Name] = true
		names = append(names, p.Name)
		if p.Vendor == "" {
			p.Vendor = p.Name
		}
		if p.Standby == "" {
			p.Standby = defaultStandby(i)
		}
		if !slices.Contains(standbys, p.Standby) {
			return fmt.Errorf("%w: provider %q: standby %q: want active, warm or cold", ErrInvalid, p.Name, p.Standby)
		}
	}
	seen = map[string]bool{}
	for i := range a.DNS {
		d := &a.DNS[i]
		if err := checkName("dns", d.Name); err != nil {
			return err
		}
		if seen[d.Name] {
			return fmt.Errorf("%w: dns %q given twice", ErrInvalid, d.Name)
		}
		seen[d.Name] = true
		if !slices.Contains(DNSTypes(), d.Type) {
			return fmt.Errorf("%w: dns %q: type %q: want one of %s", ErrInvalid, d.Name, d.Type, strings.Join(DNSTypes(), ", "))
		}
		zone, err := normalizeZone(d.Zone)
		if err != nil {
			return fmt.Errorf("%w: dns %q: %w", ErrInvalid, d.Name, err)
		}
		d.Zone = zone
		if d.Vendor == "" {
			d.Vendor = defaultDNSVendor(d.Type)
		}
		for k := range d.Settings {
			if !slices.ContainsFunc(plainSettings[d.Type], func(s setting) bool { return s.key == k }) {
				return fmt.Errorf("%w: dns %q: setting %q: only %s can be given; secrets are read with env()", ErrInvalid, d.Name, k, plainKeys(d.Type))
			}
		}
		if d.Settings == nil {
			d.Settings = map[string]string{}
		}
		for _, s := range plainSettings[d.Type] {
			if d.Settings[s.key] == "" {
				d.Settings[s.key] = s.example
			}
		}
	}
	seen = map[string]bool{}
	for i := range a.Services {
		s := &a.Services[i]
		if err := checkName("service", s.Name); err != nil {
			return err
		}
		if s.Name == "sync" {
			return fmt.Errorf("%w: service name \"sync\" is reserved", ErrInvalid)
		}
		if seen[s.Name] {
			return fmt.Errorf("%w: service %q given twice", ErrInvalid, s.Name)
		}
		seen[s.Name] = true
		if len(s.Records) == 0 {
			s.Records = []string{s.Name}
		}
		for _, r := range s.Records {
			if r == "" || strings.HasSuffix(r, ".") || strings.ContainsAny(r, " \t\r\n\"\\") {
				return fmt.Errorf("%w: service %q: record %q: want a name relative to the zone (\"@\" for the apex, no trailing dot)", ErrInvalid, s.Name, r)
			}
		}
		if dup := firstRepeat(s.Records); dup != "" {
			return fmt.Errorf("%w: service %q: record %q given twice", ErrInvalid, s.Name, dup)
		}
		if len(s.Candidates) == 0 {
			s.Candidates = slices.Clone(names)
		}
		for _, c := range s.Candidates {
			if !slices.Contains(names, c) {
				return fmt.Errorf("%w: service %q: candidate %q is not a provider (%s)", ErrInvalid, s.Name, c, strings.Join(names, ", "))
			}
		}
		if dup := firstRepeat(s.Candidates); dup != "" {
			return fmt.Errorf("%w: service %q: candidate %q given twice", ErrInvalid, s.Name, dup)
		}
		if s.CheckPath == "" {
			s.CheckPath = "/"
		}
		if !strings.HasPrefix(s.CheckPath, "/") || strings.ContainsAny(s.CheckPath, " \t\r\n\"\\") {
			return fmt.Errorf("%w: service %q: check path %q: want a path starting with /", ErrInvalid, s.Name, s.CheckPath)
		}
	}
	return nil
}

func plainKeys(typ string) string {
	var keys []string
	for _, s := range plainSettings[typ] {
		keys = append(keys, s.key)
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

var labelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// normalizeZone lower-cases a zone name and adds the trailing dot.
func normalizeZone(z string) (string, error) {
	z = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(z), "."))
	labels := strings.Split(z, ".")
	if z == "" || len(labels) < 2 {
		return "", fmt.Errorf("zone %q: want a domain such as example.com", z)
	}
	for _, l := range labels {
		if !labelRE.MatchString(l) {
			return "", fmt.Errorf("zone %q: label %q is not a host name label", z, l)
		}
	}
	return z + ".", nil
}

func firstRepeat(xs []string) string {
	seen := map[string]bool{}
	for _, x := range xs {
		if seen[x] {
			return x
		}
		seen[x] = true
	}
	return ""
}

// SplitList splits a comma-separated answer, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ParseProvider reads NAME[:VENDOR[:STANDBY]].
func ParseProvider(spec string) (Provider, error) {
	f := strings.Split(spec, ":")
	if len(f) > 3 || f[0] == "" {
		return Provider{}, fmt.Errorf("%w: --provider %q: want NAME[:VENDOR[:STANDBY]]", ErrInvalid, spec)
	}
	f = append(f, "", "")
	return Provider{Name: f[0], Vendor: f[1], Standby: f[2]}, nil
}

// ParseDNS reads NAME:TYPE:ZONE[:VENDOR].
func ParseDNS(spec string) (DNS, error) {
	f := strings.Split(spec, ":")
	if len(f) < 3 || len(f) > 4 || f[0] == "" || f[1] == "" || f[2] == "" {
		return DNS{}, fmt.Errorf("%w: --dns %q: want NAME:TYPE:ZONE[:VENDOR]", ErrInvalid, spec)
	}
	f = append(f, "")
	return DNS{Name: f[0], Type: f[1], Zone: f[2], Vendor: f[3]}, nil
}

// ParseService reads NAME[:RECORDS[:CANDIDATES[:CHECK_PATH]]], the lists
// comma-separated.
func ParseService(spec string) (Service, error) {
	f := strings.Split(spec, ":")
	if len(f) > 4 || f[0] == "" {
		return Service{}, fmt.Errorf("%w: --service %q: want NAME[:RECORDS[:CANDIDATES[:CHECK_PATH]]]", ErrInvalid, spec)
	}
	f = append(f, "", "", "")
	return Service{Name: f[0], Records: SplitList(f[1]), Candidates: SplitList(f[2]), CheckPath: f[3]}, nil
}

// SetDNSSetting applies NAME.KEY=VALUE to the dns block NAME of a.
func (a *Answers) SetDNSSetting(spec string) error {
	nk, value, ok := strings.Cut(spec, "=")
	name, key, ok2 := strings.Cut(nk, ".")
	if !ok || !ok2 || name == "" || key == "" || value == "" {
		return fmt.Errorf("%w: --dns-setting %q: want NAME.KEY=VALUE", ErrInvalid, spec)
	}
	for i := range a.DNS {
		if a.DNS[i].Name == name {
			if a.DNS[i].Settings == nil {
				a.DNS[i].Settings = map[string]string{}
			}
			a.DNS[i].Settings[key] = value
			return nil
		}
	}
	return fmt.Errorf("%w: --dns-setting %q: no --dns named %q", ErrInvalid, spec, name)
}

// Secrets are the environment variables the configuration reads, each
// with what it is for, in file order.
func (a *Answers) Secrets() []Secret {
	var out []Secret
	for _, d := range a.DNS {
		for _, k := range secretKeys(d.Type) {
			out = append(out, Secret{Env: envName(d.Name, k), For: fmt.Sprintf("dns %q (%s) setting %s", d.Name, d.Type, k)})
		}
	}
	return out
}

// Secret is one environment variable the configuration reads.
type Secret struct{ Env, For string }

// secretKeys are a type's required settings that are not plain ones.
func secretKeys(typ string) []string {
	_, required, err := providers.DNSSettingKeys(typ)
	if err != nil {
		return nil
	}
	var out []string
	for _, k := range required {
		if !slices.ContainsFunc(plainSettings[typ], func(s setting) bool { return s.key == k }) {
			out = append(out, k)
		}
	}
	return out
}

// envName is the variable a secret setting is read from: unique, since
// block names are.
func envName(block, key string) string {
	return strings.ToUpper(strings.ReplaceAll(block+"_"+key, "-", "_"))
}

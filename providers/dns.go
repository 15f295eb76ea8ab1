// Package providers holds the hosting-provider model and the DNS-provider
// registry: a type name such as "rfc2136" maps to a libdns provider built from
// a dns block's settings. Vendor SDKs stay behind this registry.
package providers

import (
	"github.com/lifeboat-dev/lifeboat/internal/config"

	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/libdns/bunny"
	"github.com/libdns/desec"
	"github.com/libdns/digitalocean"
	"github.com/libdns/gandi"
	"github.com/libdns/hetzner"
	"github.com/libdns/libdns"
	"github.com/libdns/ovh"
	"github.com/libdns/powerdns"
	"github.com/libdns/rfc2136"
	"github.com/libdns/route53"
)

// DNS is what lifeboat needs from a DNS provider (all registered providers implement it).
type DNS interface {
	libdns.RecordGetter
	libdns.RecordAppender
	libdns.RecordSetter
	libdns.RecordDeleter
}

// ErrUnknownDNSType is returned (wrapped) for a type no provider is
// registered under. It is the configuration's sentinel, so the loader
// reports the error at the dns block's type attribute.
var ErrUnknownDNSType = config.ErrUnknownDNSType

// ErrInvalidDNSSettings is returned (wrapped) when a settings map does not
// fit the provider: unknown, missing or unparsable keys.
var ErrInvalidDNSSettings = errors.New("invalid DNS provider settings")

// dnsType is one registry entry.
type dnsType struct {
	// new returns a pointer to a zero provider struct; its JSON-tagged
	// fields are the settings keys.
	new      func() DNS
	required []string
	// refused are fields of the provider struct that lifeboat does not let
	// a configuration set, with the reason.
	refused map[string]string
	// rules check single settings offline; cross checks settings together.
	rules rules
	cross []pairRule
	// wrap, when set, makes a provider safe to call (see safeRoute53).
	wrap func(DNS) DNS
}

// stdoutDebug is why the providers' debug switches are refused: they print
// to standard output (breaking JSON output), and powerdns's dumps the API token.
const stdoutDebug = "it prints API traffic to standard output (powerdns's includes the token)"

// dnsTypes is the registry. Providers implementing libdns.ZoneLister
// (see CanListZones): bunny, cloudflare, desec.
//
// libdns/porkbun is not registered: its client calls log.Fatal when closing
// a response body fails, which would exit lifeboat in the middle of a
// failover, and it has no client timeout and reads bodies unbounded.
var dnsTypes = map[string]dnsType{
	"rfc2136": {new: func() DNS { return &rfc2136.Provider{} }, required: []string{"server", "key_name", "key_alg", "key"},
		rules: rules{"server": hostPort, "key_name": domainName, "key_alg": tsigAlgorithm, "key": base64Key}},
	"cloudflare": {new: func() DNS { return &cloudflareDNS{} }, required: []string{"api_token"},
		rules: rules{"api_token": token, "zone_token": token}},
	// route53 falls back to the AWS SDK's own credential chain (environment,
	// shared profile, instance role), so nothing is required here.
	"route53": {new: func() DNS { return &route53.Provider{} }, wrap: guardRoute53,
		rules: rules{"region": region, "hosted_zone_id": zoneID, "access_key_id": token,
			"secret_access_key": token, "session_token": token, "max_retries": nonNegative, "route53_max_wait": nonNegative},
		cross: []pairRule{awsKeys}},
	"digitalocean": {new: func() DNS { return &digitalocean.Provider{} }, required: []string{"auth_token"},
		rules: rules{"auth_token": token}, wrap: digitaloceanSets},
	"hetzner": {new: func() DNS { return &hetzner.Provider{} }, required: []string{"auth_api_token"},
		rules: rules{"auth_api_token": token}, wrap: hetznerSets},
	"powerdns": {new: func() DNS { return &powerdns.Provider{} }, required: []string{"server_url", "api_token"},
		refused: map[string]string{"debug": stdoutDebug},
		rules:   rules{"server_url": httpURL, "api_token": token}},
	"ovh": {new: func() DNS { return &ovh.Provider{} }, required: []string{"endpoint", "application_key", "application_secret", "consumer_key"},
		rules: rules{"endpoint": ovhEndpoint, "application_key": token, "application_secret": token, "consumer_key": token}},
	"gandi": {new: func() DNS { return &gandi.Provider{} }, required: []string{"bearer_token"},
		rules: rules{"bearer_token": token}, wrap: gandiSets},
	"desec": {new: func() DNS { return &desec.Provider{} }, required: []string{"token"},
		rules: rules{"token": token}},
	"bunny": {new: func() DNS { return &bunny.Provider{} }, required: []string{"access_key"},
		refused: map[string]string{"debug": stdoutDebug},
		rules:   rules{"access_key": token}},
}

// DNSTypes returns the registered DNS provider types, sorted.
func DNSTypes() []string {
	types := make([]string, 0, len(dnsTypes))
	for t := range dnsTypes {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// CanListZones reports whether providers of type typ implement
// libdns.ZoneLister (useful to check credentials without touching records).
func CanListZones(typ string) bool {
	t, ok := dnsTypes[typ]
	if !ok {
		return false
	}
	_, ok = t.new().(libdns.ZoneLister)
	return ok
}

// DNSSettingKeys returns the settings keys a type accepts and those it
// requires, both sorted.
func DNSSettingKeys(typ string) (keys, required []string, err error) {
	t, err := lookup(typ)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range settingFields(reflect.ValueOf(t.new()).Elem()) {
		if _, refused := t.refused[f.key]; !refused {
			keys = append(keys, f.key)
		}
	}
	slices.Sort(keys)
	required = slices.Sorted(slices.Values(t.required))
	return keys, required, nil
}

// CheckDNSSettings reports whether settings would build a provider of type
// typ, checking offline what can be checked (address forms, algorithms,
// encodings, URLs). Messages name keys, never values: values are often
// secrets. It is the configuration loader's Options.DNSSettings.
func CheckDNSSettings(typ string, settings map[string]string) error {
	_, err := NewDNS(typ, settings)
	return err
}

// NewDNS builds a provider of type typ from its settings: each key is a
// JSON tag of the provider's struct, each value a string converted to the
// field's kind (string, bool, integer, duration such as "30s", or a
// comma-separated list). It does not contact the provider. The provider
// comes wrapped as Guard wraps it: every call returns when its context
// ends. Errors of abandoned calls name the type; NewNamedDNS names the
// dns block too.
func NewDNS(typ string, settings map[string]string) (DNS, error) {
	return NewNamedDNS("", typ, settings)
}

// NewNamedDNS is NewDNS for the dns block called name, which errors of
// abandoned calls then name.
func NewNamedDNS(name, typ string, settings map[string]string) (DNS, error) {
	t, err := lookup(typ)
	if err != nil {
		return nil, err
	}
	p := t.new()
	v := reflect.ValueOf(p).Elem()
	fields := map[string]field{}
	var valid []string
	for _, f := range settingFields(v) {
		if _, refused := t.refused[f.key]; refused {
			continue
		}
		fields[f.key] = f
		valid = append(valid, f.key)
	}
	slices.Sort(valid)

	var problems []string
	for _, key := range slices.Sorted(maps.Keys(settings)) {
		f, ok := fields[key]
		switch {
		case ok:
			if msg := setField(v.FieldByIndex(f.index), settings[key]); msg != "" {
				problems = append(problems, fmt.Sprintf("setting %q: %s", key, msg))
			}
		case t.refused[key] != "":
			problems = append(problems, fmt.Sprintf("setting %q is not allowed: %s", key, t.refused[key]))
		default:
			problems = append(problems, fmt.Sprintf("unknown setting %q (valid: %s)", key, strings.Join(valid, ", ")))
		}
	}
	for _, key := range t.required {
		if settings[key] == "" {
			problems = append(problems, fmt.Sprintf("missing required setting %q", key))
		}
	}
	problems = append(problems, checkSettings(t, settings)...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w for type %q: %s", ErrInvalidDNSSettings, typ, strings.Join(problems, "; "))
	}
	if t.wrap != nil {
		p = t.wrap(p)
	}
	return Guard(name, typ, p), nil
}

func lookup(typ string) (dnsType, error) {
	t, ok := dnsTypes[typ]
	if !ok {
		return dnsType{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownDNSType, typ, strings.Join(DNSTypes(), ", "))
	}
	return t, nil
}

// field is one settable, JSON-tagged field of a provider struct.
type field struct {
	key   string
	index []int
}

var durationType = reflect.TypeFor[time.Duration]()

// settingFields lists the exported fields of struct value v (and of its
// embedded structs) that have a JSON name and a kind a string can set.
func settingFields(v reflect.Value) []field {
	var out []field
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			idx := append(slices.Clone(index), i)
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, idx)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" || !settable(sf.Type) {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			out = append(out, field{key: name, index: idx})
		}
	}
	walk(v.Type(), nil)
	return out
}

func settable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.String
	}
	return false
}

// setField converts s to the field's kind and stores it. It returns a
// message on failure that describes the expected form and never quotes s.
func setField(f reflect.Value, s string) string {
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return "want a duration such as 30s or 2m"
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return "want true or false"
		}
		f.SetBool(b)
	case f.CanInt():
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, f.Type().Bits())
		if err != nil {
			return "want an integer"
		}
		f.SetInt(n)
	case f.CanUint():
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, f.Type().Bits())
		if err != nil {
			return "want a non-negative integer"
		}
		f.SetUint(n)
	case f.Kind() == reflect.Slice:
		var items []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		f.Set(reflect.ValueOf(items).Convert(f.Type()))
	default:
		return "cannot be set from configuration"
	}
	return ""
}

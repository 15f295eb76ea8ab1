package testharness

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const bindHint = "run `make tools` (installs bind9 from Debian packages)"

// BIND is a real named serving one primary zone on 127.0.0.1, open to RFC 2136
// updates and AXFR signed with its TSIG key.
type BIND struct {
	Addr    string // 127.0.0.1:port, UDP and TCP
	Zone    string // FQDN, e.g. "example.test."
	KeyName string // TSIG key name, without the trailing dot
	KeyAlg  string // e.g. "hmac-sha256"
	Secret  string // base64 TSIG secret
	Dir     string // config, zone file, journal and named.log

	dnsProc
}

// BINDOptions shapes the zone StartBIND serves.
type BINDOptions struct {
	Zone    string   // default "example.test."
	Records []string // extra zone-file lines, e.g. "www 60 IN A 127.0.0.11"
}

func lookTool(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	// Debian puts named and tsig-keygen in /usr/sbin, often not in a
	// non-root PATH.
	p := filepath.Join("/usr/sbin", name)
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return p, true
	}
	return "", false
}

// StartBIND starts named (-4 -g) on a free port of 127.0.0.1 with a fresh
// TSIG key, waits (bounded) until it answers for the zone, and stops it on
// t.Cleanup.
func StartBIND(t testing.TB, opts BINDOptions) *BIND {
	t.Helper()
	named, ok := lookTool("named")
	if !ok {
		Require(t, "named", bindHint)
	}
	keygen, ok := lookTool("tsig-keygen")
	if !ok {
		Require(t, "tsig-keygen", bindHint)
	}
	zone := dns.Fqdn(opts.Zone)
	if opts.Zone == "" {
		zone = "example.test."
	}
	b := &BIND{
		Zone:    zone,
		KeyName: "lifeboat-test",
		KeyAlg:  "hmac-sha256",
		Dir:     t.TempDir(),
	}

	out, err := exec.Command(keygen, "-a", b.KeyAlg, b.KeyName).Output()
	if err != nil {
		t.Fatalf("testharness: tsig-keygen: %v", err)
	}
	m := regexp.MustCompile(`secret "([^"]+)"`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("testharness: tsig-keygen printed no secret")
	}
	b.Secret = string(m[1])
	b.write(t, "tsig.key", out, 0o600)

	var zf strings.Builder
	fmt.Fprintf(&zf, "$ORIGIN %s\n$TTL 60\n", zone)
	fmt.Fprintf(&zf, "@ IN SOA ns1.%s hostmaster.%s 1 3600 600 86400 60\n", zone, zone)
	fmt.Fprintf(&zf, "@ IN NS ns1.%s\nns1 IN A 127.0.0.1\n", zone)
	for _, r := range opts.Records {
		zf.WriteString(r + "\n")
	}
	zoneName := strings.TrimSuffix(zone, ".")
	b.write(t, "db.zone", []byte(zf.String()), 0o644)

	port := FreePort(t, "127.0.0.1")
	b.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	d := b.Dir
	conf := fmt.Sprintf(`include "%[1]s/tsig.key";
options {
	directory "%[1]s";
	pid-file "%[1]s/named.pid";
	lock-file "%[1]s/named.lock";
	session-keyfile "%[1]s/session.key";
	managed-keys-directory "%[1]s";
	listen-on port %[2]d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-query { 127.0.0.1; };
	notify no;
};
controls { };
zone "%[3]s" {
	type primary;
	file "%[1]s/db.zone";
	journal "%[1]s/db.zone.jnl";
	allow-update { key "%[4]s"; };
	allow-transfer { key "%[4]s"; };
};
`, d, port, zoneName, b.KeyName)
	b.write(t, "named.conf", []byte(conf), 0o644)

	t.Cleanup(b.Stop)
	b.dnsProc = dnsProc{what: "named", argv: []string{named, "-4", "-g", "-c", filepath.Join(b.Dir, "named.conf")},
		logPath: filepath.Join(b.Dir, "named.log"), addr: b.Addr, zone: b.Zone}
	b.start(t)
	return b
}

func (b *BIND) write(t testing.TB, name string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(b.Dir, name), data, mode); err != nil {
		t.Fatalf("testharness: write %s: %v", name, err)
	}
}

// Restart starts named again on the same port with the same zone, journal
// included. It stops a running named first.
func (b *BIND) Restart(t testing.TB) {
	t.Helper()
	b.Stop()
	b.start(t)
}

// Query asks Addr directly (UDP, falling back to TCP on truncation) and
// returns the answers of type qtype as rdata strings, e.g. "127.0.0.12". A
// name without a trailing dot is taken relative to the zone ("@" is the apex).
func (b *BIND) Query(t testing.TB, name, qtype string) []string {
	t.Helper()
	typ, ok := dns.StringToType[strings.ToUpper(qtype)]
	if !ok {
		t.Fatalf("testharness: unknown query type %q", qtype)
	}
	fqdn := b.fqdn(name)
	q := new(dns.Msg).SetQuestion(fqdn, typ)
	c := &dns.Client{Timeout: 2 * time.Second}
	r, _, err := c.Exchange(q, b.Addr)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.Exchange(q, b.Addr)
	}
	if err != nil {
		t.Fatalf("testharness: query %s %s at %s: %v", fqdn, qtype, b.Addr, err)
	}
	var out []string
	for _, rr := range r.Answer {
		if rr.Header().Rrtype != typ {
			continue
		}
		out = append(out, strings.TrimPrefix(rr.String(), rr.Header().String()))
	}
	return out
}

// WantAnswer fails the test unless the server answers name/qtype with
// exactly want, in any order.
func (b *BIND) WantAnswer(t testing.TB, name, qtype string, want ...string) {
	t.Helper()
	got := b.Query(t, name, qtype)
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s %s at %s = %v, want %v", name, qtype, b.Addr, got, want)
	}
}

func (b *BIND) fqdn(name string) string {
	switch {
	case name == "" || name == "@":
		return b.Zone
	case strings.HasSuffix(name, "."):
		return name
	default:
		return name + "." + b.Zone
	}
}

// RFC2136Settings returns the settings of a github.com/libdns/rfc2136
// provider for this server, keyed by that provider's JSON field names.
func (b *BIND) RFC2136Settings() map[string]string {
	return map[string]string{
		"server":   b.Addr,
		"key_name": b.KeyName,
		"key_alg":  b.KeyAlg,
		"key":      b.Secret,
	}
}

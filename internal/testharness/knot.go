package testharness

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const knotHint = "run `make tools` (installs knot from Debian packages)"

// Knot is a real knotd (Knot DNS) serving one primary zone, open to RFC 2136
// updates and AXFR signed with its TSIG key: a second DNS implementation
// beside BIND, so two "DNS vendors" of a test really are different software.
type Knot struct {
	Addr    string // IP:port, UDP and TCP
	Zone    string // FQDN, e.g. "example.test."
	KeyName string // TSIG key name, without the trailing dot
	KeyAlg  string // "hmac-sha256"
	Secret  string // base64 TSIG secret
	Dir     string // config, zone file, databases and knotd.log

	dnsProc
}

// KnotOptions shapes the zone StartKnot serves.
type KnotOptions struct {
	Zone    string   // default "example.test."
	Records []string // extra zone-file lines, e.g. "www 60 IN A 127.0.0.11"
	// IP is the loopback address knotd listens on, default 127.0.0.1. A
	// distinct address (LoopbackIP) lets a test that follows a delegation
	// tell the servers apart by the glue address alone.
	IP string
}

// maxSockPath keeps the control socket's path under the 108 bytes a Unix
// socket address holds; knotd exits when it cannot bind that socket.
const maxSockPath = 100

// StartKnot starts knotd in the foreground on a free port with a fresh TSIG
// key, every file it writes under a temporary directory, waits (bounded)
// until it answers for the zone, and stops it on t.Cleanup.
func StartKnot(t testing.TB, opts KnotOptions) *Knot {
	t.Helper()
	Real(t, "Knot")
	knotd, ok := lookTool("knotd")
	if !ok {
		Require(t, "knotd", knotHint)
	}
	zone := dns.Fqdn(opts.Zone)
	if opts.Zone == "" {
		zone = "example.test."
	}
	ip := opts.IP
	if ip == "" {
		ip = "127.0.0.1"
	}
	if a, err := netip.ParseAddr(ip); err != nil || !a.IsLoopback() {
		t.Fatalf("testharness: KnotOptions.IP %q is not a loopback address", ip)
	}
	k := &Knot{
		Zone:    zone,
		KeyName: "lifeboat-test",
		KeyAlg:  "hmac-sha256",
		Secret:  randomSecret(t),
		Dir:     t.TempDir(),
	}
	writeFile(t, k.Dir, "db.zone", zoneFile(zone, ip, opts.Records), 0o644)
	for _, d := range []string{"db", "run"} {
		if err := os.Mkdir(filepath.Join(k.Dir, d), 0o755); err != nil {
			t.Fatalf("testharness: knot %s directory: %v", d, err)
		}
	}
	rundir := filepath.Join(k.Dir, "run")
	if len(filepath.Join(rundir, "knot.sock")) > maxSockPath {
		// A long TMPDIR: the socket needs a short directory of its own.
		short, err := os.MkdirTemp("/tmp", "knot")
		if err != nil {
			t.Fatalf("testharness: knot run directory: %v", err)
		}
		t.Cleanup(func() { os.RemoveAll(short) }) // runs after Stop
		rundir = short
	}

	port := FreePort(t, ip)
	k.Addr = net.JoinHostPort(ip, strconv.Itoa(port))
	// No server.user: knotd then keeps the user that started it (root in
	// CI, anyone else on a laptop) and needs no system directory.
	conf := fmt.Sprintf(`server:
    rundir: %[1]q
    listen: %[2]s@%[3]d
log:
  - target: stdout
    any: info
database:
    storage: %[4]q
    journal-db-max-size: 64M
    kasp-db-max-size: 16M
    timer-db-max-size: 16M
    catalog-db-max-size: 16M
key:
  - id: %[5]s
    algorithm: %[6]s
    secret: %[7]s
acl:
  - id: lifeboat-test
    key: %[5]s
    action: [update, transfer]
template:
  - id: default
    storage: %[8]q
    # Updates live in the journal; the zone file stays as written.
    zonefile-sync: -1
zone:
  - domain: %[9]s
    file: %[10]q
    acl: lifeboat-test
`, rundir, ip, port, filepath.Join(k.Dir, "db"), k.KeyName, k.KeyAlg, k.Secret,
		k.Dir, zone, filepath.Join(k.Dir, "db.zone"))
	writeFile(t, k.Dir, "knot.conf", []byte(conf), 0o600) // it holds the secret
	k.dnsProc = dnsProc{what: "knotd", argv: []string{knotd, "-c", filepath.Join(k.Dir, "knot.conf")},
		logPath: filepath.Join(k.Dir, "knotd.log"), addr: k.Addr, zone: k.Zone}

	t.Cleanup(k.Stop)
	k.start(t)
	return k
}

// randomSecret returns a base64 TSIG secret of 32 random bytes, the size
// tsig-keygen and keymgr choose for hmac-sha256.
func randomSecret(t testing.TB) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testharness: TSIG secret: %v", err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// zoneFile is a minimal zone: SOA, one NS (ns1 in the zone, at ip) and the
// caller's records.
func zoneFile(zone, ip string, records []string) []byte {
	var zf strings.Builder
	fmt.Fprintf(&zf, "$ORIGIN %s\n$TTL 60\n", zone)
	fmt.Fprintf(&zf, "@ IN SOA ns1.%s hostmaster.%s 1 3600 600 86400 60\n", zone, zone)
	fmt.Fprintf(&zf, "@ IN NS ns1.%s\nns1 IN A %s\n", zone, ip)
	for _, r := range records {
		zf.WriteString(r + "\n")
	}
	return []byte(zf.String())
}

// RFC2136Settings returns the settings of a github.com/libdns/rfc2136
// provider for this server, keyed by that provider's JSON field names (the
// same keys as BIND's).
func (k *Knot) RFC2136Settings() map[string]string {
	return map[string]string{
		"server":   k.Addr,
		"key_name": k.KeyName,
		"key_alg":  k.KeyAlg,
		"key":      k.Secret,
	}
}

// zoneName makes name absolute: "" and "@" are the zone's apex, a name with
// a trailing dot is already absolute, any other is relative to zone.
func zoneName(zone, name string) string {
	switch {
	case name == "" || name == "@":
		return zone
	case strings.HasSuffix(name, "."):
		return name
	default:
		return name + "." + zone
	}
}

// queryAnswers asks addr for fqdn/qtype (UDP, then TCP on truncation) and
// returns the answers of that type as rdata strings.
func queryAnswers(t testing.TB, addr, fqdn, qtype string) []string {
	t.Helper()
	typ, ok := dns.StringToType[strings.ToUpper(qtype)]
	if !ok {
		t.Fatalf("testharness: unknown query type %q", qtype)
	}
	r := exchange(t, addr, new(dns.Msg).SetQuestion(fqdn, typ))
	var out []string
	for _, rr := range r.Answer {
		if rr.Header().Rrtype != typ {
			continue
		}
		out = append(out, strings.TrimPrefix(rr.String(), rr.Header().String()))
	}
	return out
}

// exchange sends q to addr over UDP, again over TCP when the answer was
// truncated, and fails the test when no answer comes.
func exchange(t testing.TB, addr string, q *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Timeout: 2 * time.Second}
	r, _, err := c.Exchange(q, addr)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.Exchange(q, addr)
	}
	if err != nil {
		t.Fatalf("testharness: query %s %s at %s: %v", q.Question[0].Name, dns.TypeToString[q.Question[0].Qtype], addr, err)
	}
	return r
}

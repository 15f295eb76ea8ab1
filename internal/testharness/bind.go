package testharness

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

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
	Real(t, "BIND")
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
	writeFile(t, b.Dir, "tsig.key", out, 0o600)

	zoneName := strings.TrimSuffix(zone, ".")
	writeFile(t, b.Dir, "db.zone", zoneFile(zone, "127.0.0.1", opts.Records), 0o644)

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
	writeFile(t, b.Dir, "named.conf", []byte(conf), 0o644)

	t.Cleanup(b.Stop)
	b.dnsProc = dnsProc{what: "named", argv: []string{named, "-4", "-g", "-c", filepath.Join(b.Dir, "named.conf")},
		logPath: filepath.Join(b.Dir, "named.log"), addr: b.Addr, zone: b.Zone}
	b.start(t)
	return b
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

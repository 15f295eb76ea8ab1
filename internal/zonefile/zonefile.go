// Package zonefile reads a zone file (RFC 1035 master file format) as the
// libdns records a zone's source of truth is compared in.
package zonefile

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"
)

// Read parses the zone file at path for zone (fully qualified; it is the
// file's default origin) and returns its records with names relative to
// the zone and values as the rfc2136 provider gives them, so that the two
// compare. A syntax error names the file, the line and the token; a
// record outside the zone is an error too, naming the record.
func Read(path, zone string) ([]libdns.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("zone file: %w", err)
	}
	defer f.Close()
	zone = dns.Fqdn(strings.ToLower(zone))
	zp := dns.NewZoneParser(f, zone, path)
	zp.SetIncludeAllowed(false) // a zone file reads nothing else
	var out []libdns.Record
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		hdr := rr.Header()
		if !dns.IsSubDomain(zone, strings.ToLower(hdr.Name)) {
			return nil, fmt.Errorf("zone file %s: the %s record of %s is outside zone %s", path, dns.TypeToString[hdr.Rrtype], hdr.Name, zone)
		}
		out = append(out, record(rr, zone))
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("zone file: %w", err)
	}
	return out, nil
}

// record converts one RR as libdns/rfc2136 does: the value is the RR's
// text without its header, a TXT's strings joined.
func record(rr dns.RR, zone string) libdns.Record {
	hdr := rr.Header()
	r := libdns.RR{
		Name: libdns.RelativeName(strings.ToLower(hdr.Name), zone),
		TTL:  time.Duration(hdr.Ttl) * time.Second,
		Type: dns.TypeToString[hdr.Rrtype],
	}
	if txt, ok := rr.(*dns.TXT); ok {
		r.Data = strings.Join(txt.Txt, "")
	} else {
		r.Data = strings.TrimPrefix(rr.String(), hdr.String())
	}
	return r
}

package dnscutover

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/libdns/libdns"
)

const testOwner = "lifeboat/www"

func rr(name, typ, data string) libdns.Record {
	return libdns.RR{Name: name, Type: typ, Data: data, TTL: time.Minute}
}

func mark(name, owner string) libdns.Record {
	return rr(name, "TXT", ownershipText(owner))
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestNormalize(t *testing.T) {
	good := Request{Owner: testOwner, Records: []string{"WWW", "@", "www", ""}, Addresses: addrs("192.0.2.2", "::ffff:192.0.2.1", "192.0.2.2", "2001:db8::1")}
	req, err := good.normalize(true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"@", "www"}; !slices.Equal(req.Records, want) {
		t.Errorf("records = %v, want %v", req.Records, want)
	}
	if want := addrs("192.0.2.1", "192.0.2.2", "2001:db8::1"); !slices.Equal(req.Addresses, want) {
		t.Errorf("addresses = %v, want %v", req.Addresses, want)
	}
	if req.TTL != defaultTTL {
		t.Errorf("TTL = %v, want %v", req.TTL, defaultTTL)
	}

	bad := map[string]Request{
		"no owner":          {Records: []string{"www"}, Addresses: addrs("192.0.2.1")},
		"owner with comma":  {Owner: "a,owner=b", Records: []string{"www"}, Addresses: addrs("192.0.2.1")},
		"no records":        {Owner: testOwner, Addresses: addrs("192.0.2.1")},
		"no addresses":      {Owner: testOwner, Records: []string{"www"}},
		"absolute name":     {Owner: testOwner, Records: []string{"www.example.com."}, Addresses: addrs("192.0.2.1")},
		"ownership name":    {Owner: testOwner, Records: []string{"_lifeboat.www"}, Addresses: addrs("192.0.2.1")},
		"unspecified addr":  {Owner: testOwner, Records: []string{"www"}, Addresses: addrs("0.0.0.0")},
		"zero address":      {Owner: testOwner, Records: []string{"www"}, Addresses: []netip.Addr{{}}},
		"wildcard not kept": {Owner: testOwner, Records: []string{"*.www"}, Addresses: addrs("192.0.2.1")},
	}
	for name, r := range bad {
		if _, err := r.normalize(true); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", name, err)
		}
	}
	if _, err := (Request{Owner: testOwner, Records: []string{"www"}}).normalize(false); err != nil {
		t.Errorf("Release needs no addresses: %v", err)
	}
}

func TestOwnershipText(t *testing.T) {
	owner, ok := parseOwnership(ownershipText("lifeboat/www"))
	if !ok || owner != "lifeboat/www" {
		t.Fatalf("round trip: %q %v", owner, ok)
	}
	for _, text := range []string{"v=spf1 -all", "heritage=external-dns,external-dns/owner=default", ""} {
		if _, ok := parseOwnership(text); ok {
			t.Errorf("%q read as a lifeboat mark", text)
		}
	}
}

func TestPlanZone(t *testing.T) {
	soa := rr("@", "SOA", "ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60")
	cases := []struct {
		name    string
		zone    []libdns.Record
		records []string
		addrs   []netip.Addr
		adopt   bool
		changed []string
		set     []string // "name type data" of the SetRecords address writes
		errs    []string // substrings, one per refused record
	}{
		{
			name:    "new record is created and marked",
			zone:    []libdns.Record{soa, soa},
			records: []string{"www"}, addrs: addrs("192.0.2.1", "2001:db8::1"),
			changed: []string{"_lifeboat.www TXT", "www A", "www AAAA"},
			set:     []string{"www A 192.0.2.1", "www AAAA 2001:db8::1"},
		},
		{
			name:    "apex mark lives at _lifeboat",
			records: []string{"@"}, addrs: addrs("192.0.2.1"),
			changed: []string{"@ A", "_lifeboat TXT"},
			set:     []string{"@ A 192.0.2.1"},
		},
		{
			name:    "owned record already right: nothing to do",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.1"), rr("www", "A", "192.0.2.2"), mark("_lifeboat.www", testOwner)},
			records: []string{"www"}, addrs: addrs("192.0.2.2", "192.0.2.1"),
		},
		{
			name:    "owned record with other addresses is replaced",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.9"), mark("_lifeboat.www", testOwner)},
			records: []string{"www"}, addrs: addrs("192.0.2.1"),
			changed: []string{"www A"},
			set:     []string{"www A 192.0.2.1"},
		},
		{
			name:    "a different TTL is a change",
			zone:    []libdns.Record{libdns.RR{Name: "www", Type: "A", Data: "192.0.2.1", TTL: time.Hour}, mark("_lifeboat.www", testOwner)},
			records: []string{"www"}, addrs: addrs("192.0.2.1"),
			changed: []string{"www A"},
			set:     []string{"www A 192.0.2.1"},
		},
		{
			name:    "an address family not wanted any more is dropped",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.1"), rr("www", "AAAA", "2001:db8::9"), mark("_lifeboat.www", testOwner)},
			records: []string{"www"}, addrs: addrs("192.0.2.1"),
			changed: []string{"www AAAA"},
		},
		{
			name:    "unowned record is refused",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.9")},
			records: []string{"www"}, addrs: addrs("192.0.2.1"),
			errs: []string{`"www": record is not owned by lifeboat: it exists without an ownership record`},
		},
		{
			name:    "unowned record is adopted",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.9")},
			records: []string{"www"}, addrs: addrs("192.0.2.1"), adopt: true,
			changed: []string{"_lifeboat.www TXT", "www A"},
			set:     []string{"www A 192.0.2.1"},
		},
		{
			name:    "another owner's mark is refused even without data",
			zone:    []libdns.Record{mark("_lifeboat.www", "lifeboat/api")},
			records: []string{"www"}, addrs: addrs("192.0.2.1"),
			errs: []string{`marked for owner "lifeboat/api"`},
		},
		{
			name:    "adopting replaces another owner's mark",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.1"), mark("_lifeboat.www", "lifeboat/api")},
			records: []string{"www"}, addrs: addrs("192.0.2.1"), adopt: true,
			changed: []string{"_lifeboat.www TXT"},
		},
		{
			name:    "an unowned CNAME is refused",
			zone:    []libdns.Record{rr("www", "CNAME", "elsewhere.example.net.")},
			records: []string{"www"}, addrs: addrs("192.0.2.1"),
			errs: []string{"not owned"},
		},
		{
			name:    "an adopted CNAME is removed",
			zone:    []libdns.Record{rr("www", "CNAME", "elsewhere.example.net.")},
			records: []string{"www"}, addrs: addrs("192.0.2.1"), adopt: true,
			changed: []string{"_lifeboat.www TXT", "www A", "www CNAME"},
			set:     []string{"www A 192.0.2.1"},
		},
		{
			name:    "other TXT at the name do not count as ownership",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.9"), rr("www", "TXT", ownershipText(testOwner)), rr("_lifeboat.www", "TXT", "hello")},
			records: []string{"www"}, addrs: addrs("192.0.2.1"),
			errs: []string{"not owned"},
		},
		{
			name:    "one refused record does not stop the others",
			zone:    []libdns.Record{rr("www", "A", "192.0.2.9"), rr("API", "A", "192.0.2.9"), mark("_LIFEBOAT.API", testOwner)},
			records: []string{"www", "api"}, addrs: addrs("192.0.2.1"),
			changed: []string{"api A"},
			set:     []string{"api A 192.0.2.1"},
			errs:    []string{`"www"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := Request{Owner: testOwner, Records: tc.records, Addresses: tc.addrs, Adopt: tc.adopt}.normalize(true)
			if err != nil {
				t.Fatal(err)
			}
			c, errs := planZone(tc.zone, req)
			if diff := cmp.Diff(tc.changed, c.changed()); diff != "" {
				t.Errorf("changed (-want +got):\n%s", diff)
			}
			var set []string
			for _, r := range c.set.recs {
				x := r.RR()
				set = append(set, x.Name+" "+x.Type+" "+x.Data)
				if x.TTL != defaultTTL {
					t.Errorf("%v: TTL %v, want %v", x, x.TTL, defaultTTL)
				}
			}
			if diff := cmp.Diff(tc.set, set); diff != "" {
				t.Errorf("address writes (-want +got):\n%s", diff)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors = %v, want %d", errs, len(tc.errs))
			}
			for i, e := range errs {
				if !errors.Is(e, ErrNotOwned) || !strings.Contains(e.Error(), tc.errs[i]) {
					t.Errorf("error %q: want ErrNotOwned containing %q", e, tc.errs[i])
				}
			}
			for _, r := range c.owners.recs {
				if txt, ok := r.(libdns.TXT); !ok || txt.Text != ownershipText(testOwner) {
					t.Errorf("ownership write %#v", r)
				}
			}
		})
	}
}

func TestPlanRelease(t *testing.T) {
	req, _ := Request{Owner: testOwner, Records: []string{"drill-www", "www", "gone"}}.normalize(false)
	zone := []libdns.Record{
		rr("drill-www", "A", "192.0.2.1"), rr("drill-www", "AAAA", "2001:db8::1"), mark("_lifeboat.drill-www", testOwner),
		rr("www", "A", "192.0.2.1"),
	}
	c, errs := planEach(zone, req, planRelease)
	if want := []string{"_lifeboat.drill-www TXT", "drill-www A", "drill-www AAAA"}; !slices.Equal(c.changed(), want) {
		t.Errorf("changed = %v, want %v", c.changed(), want)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrNotOwned) || !strings.Contains(errs[0].Error(), `"www"`) {
		t.Errorf("errs = %v, want one ErrNotOwned for www", errs)
	}
}

package zonesync

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// zone parses "name ttl type value" lines into records.
func zone(t *testing.T, lines ...string) []libdns.Record {
	t.Helper()
	var out []libdns.Record
	for _, l := range lines {
		f := strings.SplitN(l, " ", 4)
		if len(f) != 4 {
			t.Fatalf("bad line %q", l)
		}
		ttl, err := time.ParseDuration(f[1] + "s")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, libdns.RR{Name: f[0], TTL: ttl, Type: f[2], Data: f[3]})
	}
	return out
}

const syncMark = "heritage=lifeboat,owner=lifeboat/sync"

func TestDiffGolden(t *testing.T) {
	source := []string{
		"@ 3600 SOA ns1.a.test. h.a.test. 7 3600 600 86400 60",
		"@ 3600 NS ns1.a.test.",
		"@ 300 MX 10 mail.example.test.",
		"www 60 A 127.0.0.11",
		"_lifeboat.www 60 TXT heritage=lifeboat,owner=lifeboat/www",
		"api 60 A 127.0.0.12",
		"api 60 A 127.0.0.13",
		"docs 300 CNAME www.example.test.",
		"legacy 300 A 127.0.0.30",
	}
	for _, tc := range []struct {
		name   string
		target []string
		opts   Options
	}{
		{"empty-target", []string{"@ 3600 SOA ns1.b.test. h.b.test. 1 3600 600 86400 60", "@ 3600 NS ns1.b.test."}, Options{}},
		{"in-sync", append(source[2:], "_lifeboat.api 300 TXT "+syncMark, "_lifeboat.docs 300 TXT "+syncMark, "_lifeboat.legacy 300 TXT "+syncMark, "_lifeboat 300 TXT "+syncMark, "www 60 A 127.0.0.11"), Options{}},
		{"create-change-delete", []string{
			"@ 3600 NS ns1.b.test.",
			"@ 300 MX 10 mail.example.test.",
			"_lifeboat 300 TXT " + syncMark,
			"www 60 A 127.0.0.99",
			"_lifeboat.www 60 TXT heritage=lifeboat,owner=lifeboat/www",
			"_lifeboat.www 60 TXT " + syncMark,
			"api 60 A 127.0.0.12",
			"_lifeboat.api 300 TXT " + syncMark,
			"old 60 A 127.0.0.40",
			"_lifeboat.old 300 TXT " + syncMark,
		}, Options{}},
		{"not-owned", []string{
			"@ 3600 NS ns1.b.test.",
			"@ 300 MX 20 other-mail.example.test.",
			"www 60 A 127.0.0.11",
			"_lifeboat.www 60 TXT heritage=lifeboat,owner=lifeboat/www",
			"api 60 A 127.0.0.77",
			"manual 60 A 127.0.0.50",
			"_lifeboat.manual 60 TXT heritage=lifeboat,owner=lifeboat/other",
		}, Options{}},
		{"not-owned-adopt", []string{
			"@ 3600 NS ns1.b.test.",
			"@ 300 MX 20 other-mail.example.test.",
			"api 60 A 127.0.0.77",
			"manual 60 A 127.0.0.50",
		}, Options{Adopt: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Diff(zone(t, source...), zone(t, tc.target...), tc.opts)
			var buf bytes.Buffer
			if err := p.WriteText(&buf, "ns2"); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if buf.String() != string(want) {
				t.Errorf("plan differs from %s:\n--- got\n%s--- want\n%s", golden, buf.String(), want)
			}
		})
	}
}

// Applying a plan's changes to the target yields a target that plans
// nothing more, and what the sync did not write stays as it was.
func TestDiffConverges(t *testing.T) {
	source := zone(t, "www 60 A 127.0.0.11", "api 60 A 127.0.0.12", "@ 300 TXT v=spf1 -all")
	target := zone(t, "www 60 A 127.0.0.99", "manual 60 A 127.0.0.50", "old 60 A 127.0.0.40", "_lifeboat.old 60 TXT "+syncMark, "_lifeboat.www 60 TXT "+syncMark)
	p := Diff(source, target, Options{})
	after := apply(rrsets(target), p)
	var recs []libdns.Record
	for _, r := range after {
		for _, v := range r.Values {
			recs = append(recs, libdns.RR{Name: r.Name, TTL: r.TTL, Type: r.Type, Data: v})
		}
	}
	again := Diff(source, recs, Options{})
	if !again.Empty() {
		var buf bytes.Buffer
		_ = again.WriteText(&buf, "target")
		t.Fatalf("a second plan after applying the first still writes:\n%s", buf.String())
	}
	if _, ok := after["manual A"]; !ok {
		t.Error("the sync deleted a record it did not write")
	}
	if _, ok := after["old A"]; ok {
		t.Error("the sync kept a record it wrote and the source no longer has")
	}
}

func apply(m map[string]RRset, p Plan) map[string]RRset {
	for _, c := range p.Delete {
		delete(m, c.From.key())
	}
	for _, cs := range [][]Change{p.Create, p.Change} {
		for _, c := range cs {
			m[c.To.key()] = *c.To
		}
	}
	return m
}

// A source of truth that was down during a failover comes back with the
// old addresses: the sync must not put them back at the provider the
// failover wrote, whether it created the name there or not, adopt or not.
func TestSyncNeverRevertsAFailover(t *testing.T) {
	source := zone(t,
		"www 60 A 127.0.0.11",
		"www 60 AAAA ::11",
		"_lifeboat.www 60 TXT heritage=lifeboat,owner=lifeboat/www",
	)
	target := zone(t,
		"www 60 A 127.0.0.22",
		"_lifeboat.www 60 TXT heritage=lifeboat,owner=lifeboat/www",
		"_lifeboat.www 60 TXT "+syncMark,
	)
	for _, opts := range []Options{{}, {Adopt: true}} {
		p := Diff(source, target, opts)
		for _, c := range append(append(p.Create, p.Change...), p.Delete...) {
			if c.Name == "www" {
				t.Errorf("adopt %v: the sync writes www %s over the failover's addresses", opts.Adopt, c.Type)
			}
		}
		var left []string
		for _, l := range p.Left {
			left = append(left, l.Name+" "+l.Type)
		}
		if strings.Join(left, ",") != "www A,www AAAA" {
			t.Errorf("adopt %v: left alone %q, want www A and www AAAA", opts.Adopt, left)
		}
	}
}

// A source whose mark names another owner (a service renamed there, say)
// must not take the name from the service whose mark the target holds:
// with its mark gone, that service's failovers could no longer write the
// name at this provider.
func TestSyncKeepsAServicesMark(t *testing.T) {
	source := zone(t,
		"www 60 A 127.0.0.11",
		"_lifeboat.www 60 TXT heritage=lifeboat,owner=lifeboat/web",
	)
	target := zone(t,
		"www 60 A 127.0.0.22",
		"_lifeboat.www 60 TXT heritage=lifeboat,owner=lifeboat/www",
	)
	for _, opts := range []Options{{}, {Adopt: true}} {
		p := Diff(source, target, opts)
		for _, c := range append(append(p.Create, p.Change...), p.Delete...) {
			if c.Name == "_lifeboat.www" || c.Name == "www" {
				t.Errorf("adopt %v: the sync writes %s %s, the service's", opts.Adopt, c.Name, c.Type)
			}
		}
		var left []string
		for _, l := range p.Left {
			left = append(left, l.Name+" "+l.Type)
		}
		if strings.Join(left, ",") != "www A,_lifeboat.www TXT" {
			t.Errorf("adopt %v: left alone %q, want www A and _lifeboat.www TXT", opts.Adopt, left)
		}
	}
}

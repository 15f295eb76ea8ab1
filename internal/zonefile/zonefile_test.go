package zonefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

func write(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "example.test.zone")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRead(t *testing.T) {
	path := write(t, `$TTL 300
@       IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60
@       IN NS  ns1.example.test.
@       IN MX  10 mail
WWW  60 IN A   127.0.0.11
www  60 IN AAAA ::1
@       IN TXT "v=spf1" " -all"
$ORIGIN sub.example.test.
api     IN A   127.0.0.12
`)
	got, err := Read(path, "Example.Test")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range got {
		rr := r.RR()
		lines = append(lines, rr.Name+" "+rr.TTL.String()+" "+rr.Type+" "+rr.Data)
	}
	want := []string{
		"@ 5m0s SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60",
		"@ 5m0s NS ns1.example.test.",
		"@ 5m0s MX 10 mail.example.test.",
		"www 1m0s A 127.0.0.11",
		"www 1m0s AAAA ::1",
		"@ 5m0s TXT v=spf1 -all",
		"api.sub 5m0s A 127.0.0.12",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// The same records as the rfc2136 provider would give: names relative,
	// TTLs in seconds.
	if rr := got[3].RR(); rr != (libdns.RR{Name: "www", TTL: time.Minute, Type: "A", Data: "127.0.0.11"}) {
		t.Errorf("www A: %+v", rr)
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"syntax", "$TTL 300\nwww IN A 127.0.0.1\nbad IN A not-an-address\n", []string{"example.test.zone", "line: 3:", "not-an-address"}},
		{"outside the zone", "$TTL 300\nwww.other.test. IN A 127.0.0.1\n", []string{"the A record of www.other.test. is outside zone example.test."}},
		{"include refused", "$INCLUDE /etc/passwd\n", []string{"example.test.zone", "$INCLUDE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(write(t, tc.text), "example.test.")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.zone"), "example.test."); err == nil || !strings.Contains(err.Error(), "missing.zone") {
		t.Errorf("a missing file: %v", err)
	}
}

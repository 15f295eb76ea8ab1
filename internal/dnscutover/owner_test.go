package dnscutover

import (
	"errors"
	"strings"
	"testing"

	"github.com/libdns/libdns"
)

// The one ownership rule, as the drill's check and the cutover read it.
func TestClaimable(t *testing.T) {
	mark := func(name, owner string) libdns.Record {
		return libdns.TXT{Name: OwnerName(name), Text: OwnershipText(owner)}
	}
	a := func(name string) libdns.Record { return libdns.RR{Name: name, Type: "A", Data: "192.0.2.1"} }
	drill := DrillOwner("www")
	cases := []struct {
		name      string
		records   []libdns.Record
		record    string
		owner     string
		exclusive bool
		want      string // "" for claimable, else a fragment of the error
	}{
		{"free", []libdns.Record{a("www"), mark("www", "lifeboat/www")}, "drill-www", drill, true, ""},
		{"ours", []libdns.Record{a("drill-www"), mark("drill-www", drill)}, "drill-www", drill, true, ""},
		{"ours in another case", []libdns.Record{a("Drill-WWW"), mark("drill-www", drill)}, "DRILL-www", drill, true, ""},
		{"the service's, to the drill", []libdns.Record{a("www"), mark("www", "lifeboat/www")}, "www", drill, true, `marked for owner "lifeboat/www", not "lifeboat-drill/www"`},
		{"the drill's, to the service", []libdns.Record{a("drill-www"), mark("drill-www", drill)}, "drill-www", ServiceOwner("www"), false, `marked for owner "lifeboat-drill/www"`},
		{"unowned addresses", []libdns.Record{a("legacy")}, "legacy", drill, false, "exists without an ownership record"},
		{"unowned CNAME", []libdns.Record{libdns.RR{Name: "shop", Type: "CNAME", Data: "x.example."}}, "shop", drill, false, "exists without"},
		{"a mark without records", []libdns.Record{mark("old", "lifeboat/api")}, "old", drill, true, `marked for owner "lifeboat/api"`},
		{"only MX, cutover rule", []libdns.Record{libdns.RR{Name: "mail", Type: "MX", Data: "10 mx.example."}}, "mail", ServiceOwner("www"), false, ""},
		{"only MX, exclusive", []libdns.Record{libdns.RR{Name: "mail", Type: "MX", Data: "10 mx.example."}}, "mail", drill, true, "it exists (MX)"},
		{"a user's TXT, exclusive", []libdns.Record{libdns.TXT{Name: "drill-www", Text: "v=spf1 -all"}}, "drill-www", drill, true, "it exists (TXT)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Claimable(tc.records, tc.record, tc.owner, tc.exclusive)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Claimable: %v, want nil", err)
			case tc.want != "" && (!errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Claimable: %v, want ErrNotOwned saying %s", err, tc.want)
			}
		})
	}
}

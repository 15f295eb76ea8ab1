package engine

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// Notify blocks get a test event only when asked, each answer reported
// (a refusal a failure naming the block, its URL's secret hidden); a
// check runs once at the service's placement.
func TestDoctorNotifyAndChecks(t *testing.T) {
	good := newHookServer(t, nil)
	bad := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(bad.Close)
	healthy := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(healthy.Close)
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(healthy.URL, "http://"))
	const token = "secret-token-8817"
	cfg := notifyConfig(t, fmt.Sprintf(`
state {
  path = %q
}
provider "alpha" {
  addresses = [%q]
}
service "www" {
  records    = ["www"]
  candidates = ["alpha"]
  check "http" {
    http {
      port = %s
    }
  }
}
notify "good" {
  webhook {
    url = env("GOOD")
  }
  events = ["drill"]
}
notify "bad" {
  webhook {
    url = env("BAD")
  }
}
`, filepath.Join(t.TempDir(), "lifeboat.db"), host, port), map[string]string{"GOOD": good.URL, "BAD": bad.URL + "/hook/" + token})
	e := New(cfg, nil)
	t.Cleanup(func() { e.Close() })

	rep := e.Doctor(context.Background(), DoctorOptions{})
	if !rep.OK || rep.Failures != 0 {
		t.Fatalf("without --send-test: %+v", rep)
	}
	want := []wire.DoctorRow{
		{Part: "check www/http", Check: cfg.Redact(healthy.URL + "/"), Result: wire.DoctorOK},
		{Part: "notify bad", Check: "test event", Result: wire.DoctorNote, Detail: "not sent (use --send-test)"},
		{Part: "notify good", Check: "test event", Result: wire.DoctorNote, Detail: "not sent (use --send-test)"},
	}
	if len(rep.Rows) == len(want) && strings.HasPrefix(rep.Rows[0].Detail, "passed at alpha in ") {
		want[0].Detail = rep.Rows[0].Detail // the latency varies
	}
	if fmt.Sprint(rep.Rows) != fmt.Sprint(want) {
		t.Fatalf("rows:\n%+v\nwant\n%+v", rep.Rows, want)
	}
	if n := len(good.received()); n != 0 {
		t.Fatalf("sent %d events without --send-test", n)
	}

	rep = e.Doctor(context.Background(), DoctorOptions{SendTest: true})
	if rep.OK || rep.Failures != 1 {
		t.Fatalf("with a refusing receiver: ok %v, failures %d", rep.OK, rep.Failures)
	}
	var badRow, goodRow wire.DoctorRow
	for _, r := range rep.Rows {
		switch r.Part {
		case "notify bad":
			badRow = r
		case "notify good":
			goodRow = r
		}
		if strings.Contains(r.Detail+r.Fix, token) {
			t.Fatalf("the URL's secret is in row %+v", r)
		}
	}
	if goodRow.Result != wire.DoctorOK {
		t.Fatalf("good: %+v", goodRow)
	}
	// The block's events filter does not hold a test back: it is asked for.
	if got := good.received(); len(got) != 1 || got[0]["event"] != "doctor.test" {
		t.Fatalf("good received %v", got)
	}
	if badRow.Result != wire.DoctorFail || !strings.Contains(badRow.Detail, "500") || !strings.Contains(badRow.Fix, `notify "bad"`) {
		t.Fatalf("bad: %+v", badRow)
	}
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// An operator in a hurry types `lifeboat failover --yes` and nothing else:
// the loss must be seen and confirmed without --from, and a second run must
// change nothing and succeed.
func TestFailoverWithoutFlagsThenAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{})
	w.startAlpha()
	w.cutOffAlpha()

	r := w.lifeboat(nil, "failover", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "moved from alpha to bravo") {
		t.Fatalf("failover with no flags: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// fail_after is 3: the first round alone is not a loss.
	if !strings.Contains(r.stderr, "checking again") || !strings.Contains(r.stdout, "consecutive rounds") {
		t.Fatalf("the loss was not confirmed over more rounds, or the plan does not name the evidence:\n%s%s", r.stdout, r.stderr)
	}
	// How long the confirmation may take is said before it starts, and
	// each round says why alpha is failing.
	if !strings.Contains(r.stderr, "confirming over up to 2 more rounds (policy.fail_after 3)") || !strings.Contains(r.stderr, "  alpha: ") {
		t.Fatalf("the confirmation did not say how long, or why alpha fails:\n%s", r.stderr)
	}
	wantA(t, w.dns[0], w.bravoIP)

	for _, args := range [][]string{{"failover", "--yes"}, {"failover", "--yes", "--service", "www"}, {"failover", "-y"}} {
		r = w.lifeboat(nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Already done") {
			t.Fatalf("%v after success: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "apply") {
			t.Fatalf("%v after success ran steps:\n%s%s", args, r.stdout, r.stderr)
		}
	}
	wantA(t, w.dns[0], w.bravoIP)
	if ops := w.history(); len(ops) != 1 {
		t.Fatalf("want exactly one operation, got %d: %+v", len(ops), ops)
	}
	// plan agrees: nothing to move.
	if p := w.lifeboat(nil, "plan", "--service", "www"); p.code != 0 || !strings.Contains(p.stdout, "www already runs on bravo") {
		t.Fatalf("plan --service www after success: exit %d\n%s%s", p.code, p.stdout, p.stderr)
	}
}

// A provider whose API says the account is suspended is left even while
// its hosts still answer, with no flag naming it.
func TestFailoverOnAccountLost(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(rw, `{"error": "account suspended"}`)
	}))
	defer api.Close()
	w := newWorld(t, worldOptions{alphaAPI: api.URL + "/v1/account"})
	w.startAlpha()

	r := w.lifeboat(nil, "failover", "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc struct {
		Executed bool
		Evidence []string
		Plan     struct {
			Lost []struct{ Name, State string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, r.stdout)
	}
	if !doc.Executed || len(doc.Plan.Lost) != 1 || doc.Plan.Lost[0].State != "account_lost" || len(doc.Evidence) != 1 || !strings.Contains(doc.Evidence[0], "alpha") {
		t.Fatalf("want alpha left as account_lost with the evidence named: %+v", doc)
	}
	wantA(t, w.dns[0], w.bravoIP)
}

// A DNS provider that refuses every update (a wrong key) keeps the
// operation unfinished; the operator can drop it, or abort, and later
// operations are not held hostage.
func TestFailoverWrongKeyDropAndAbort(t *testing.T) {
	t.Parallel()
	for _, way := range []string{"drop", "abort"} {
		t.Run(way, func(t *testing.T) {
			t.Parallel() // a world of its own
			w := newWorld(t, worldOptions{dnsServers: 2})
			w.startAlpha()
			w.cutOffAlpha()
			// ns2's key is wrong: a valid key, not the server's.
			w.extraEnv = []string{"E2E_TSIG_2=" + "c2VjcmV0LW5vdC10aGUtc2VydmVycy1rZXktMTIzNDU2Nzg="}

			r := w.lifeboat(nil, "failover", "--yes")
			if r.code != 1 || !strings.Contains(r.stdout, "DNS provider ns2 was not updated") {
				t.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			wantA(t, w.dns[0], w.bravoIP)
			// Again: it resumes, fails the same way, and says what to do.
			r = w.lifeboat(nil, "failover", "--yes")
			if r.code != 1 || !strings.Contains(r.stderr, "--drop-dns") || !strings.Contains(r.stderr, "lifeboat abort") {
				t.Fatalf("second failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			id := w.history()[0].ID
			switch way {
			case "drop":
				// A typo is refused, naming it, and gives up on nothing.
				r = w.lifeboat(nil, "resume", "--drop-dns", "nss2")
				if r.code != 2 || !strings.Contains(r.stderr, `"nss2"`) || !strings.Contains(r.stderr, "ns2") {
					t.Fatalf("resume --drop-dns nss2: want exit 2 naming the typo, got %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				if op := w.history()[0]; op.Status == journal.StatusSucceeded || op.Status == journal.StatusAborted {
					t.Fatalf("a refused --drop-dns changed the operation: %s", op.Status)
				}
				r = w.lifeboat(nil, "resume", "--drop-dns", "ns2")
				if r.code != 0 {
					t.Fatalf("resume --drop-dns ns2: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
			case "abort":
				r = w.lifeboat(nil, "abort", id, "--reason", "ns2 gone for good")
				if r.code != 0 || !strings.Contains(r.stdout, "aborted") {
					t.Fatalf("abort: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				if r := w.lifeboat(nil, "abort"); r.code != 1 || !strings.Contains(r.stderr, "no unfinished operation") {
					t.Fatalf("abort twice: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
			}
			ops := w.history()
			want := map[string]journal.Status{"drop": journal.StatusSucceeded, "abort": journal.StatusAborted}[way]
			if len(ops) != 1 || ops[0].Status != want {
				t.Fatalf("want one %s operation, got %+v", want, ops)
			}
			if way == "abort" && ops[0].Summary != "ns2 gone for good" {
				t.Fatalf("abort reason not journaled: %q", ops[0].Summary)
			}
			// Nothing is held up any more: the next run is settled, since
			// DNS (ns1) already sends users to bravo.
			r = w.lifeboat(nil, "failover", "--yes")
			if r.code != 0 || !strings.Contains(r.stdout, "Already done") {
				t.Fatalf("failover after %s: exit %d\n%s%s", way, r.code, r.stdout, r.stderr)
			}
			if len(w.history()) != 1 {
				t.Fatal("a settled failover started an operation")
			}
		})
	}
}

// A failover that fails tells the notify webhooks, not only one that works.
func TestFailoverFailureIsNotified(t *testing.T) {
	t.Parallel()
	got := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var n map[string]any
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &n) == nil && n["event"] != "operation.started" {
			got <- n
		}
	}))
	defer hook.Close()
	w := newWorld(t, worldOptions{waitHealthy: "3s", webhook: true})
	rewriteBravoPort(t, w, freePortOnBoth(t, w.alphaIP, w.bravoIP))
	w.startAlpha()
	w.cutOffAlpha()
	w.extraEnv = []string{"E2E_WEBHOOK=" + hook.URL + "/hook"}

	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code != 1 {
		t.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	select {
	case n := <-got:
		if n["event"] != "operation.failed" || n["ok"] != false || n["service"] != "www" || !strings.Contains(n["error"].(string), "did not become healthy") {
			t.Fatalf("notification: %v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification for the failed failover")
	}
}

package main

import (
	"strings"
	"testing"
)

// An operator in a hurry mistypes a name while alpha is failing: the
// answer names the typo at once (exit 2), without first confirming the
// loss over more rounds of checks, and nothing is started.
func TestFailoverTypoAnsweredAtOnce(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.startAlpha()
	w.cutOffAlpha()
	for _, tc := range []struct {
		args  []string
		meant string
	}{
		{[]string{"failover", "--yes", "--service", "wwww"}, "www"},
		{[]string{"failover", "--yes", "--from", "alfa"}, "alpha"},
		{[]string{"plan", "--to", "brav"}, "bravo"},
	} {
		args := tc.args
		r := w.lifeboat(nil, args...)
		typo := args[len(args)-1]
		if r.code != 2 || !strings.Contains(r.stderr, `"`+typo+`"`) {
			t.Fatalf("%v: want exit 2 naming %q, got %d\n%s%s", args, typo, r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, `(did you mean "`+tc.meant+`"?)`) {
			t.Errorf("%v: no suggestion of %q:\n%s", args, tc.meant, r.stderr)
		}
		if strings.Contains(r.stderr, "checking again") || strings.Contains(r.stderr, "checking every provider") {
			t.Errorf("%v: checked the providers before answering a typo:\n%s", args, r.stderr)
		}
	}
	if ops := w.history(); len(ops) != 0 {
		t.Fatalf("a mistyped command started an operation: %+v", ops)
	}
	wantA(t, w.dns[0], w.alphaIP)
}

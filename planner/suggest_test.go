package planner

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"www", "www", 0}, {"wwww", "www", 1}, {"alfa", "alpha", 2},
		{"hetnzer", "hetzner", 2}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"é", "e", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	names := []string{"aws", "hetzner", "digitalocean"}
	for typed, want := range map[string]string{
		"hetnzer":     ` (did you mean "hetzner"?)`,
		"aws2":        ` (did you mean "aws"?)`,
		"digitalocen": ` (did you mean "digitalocean"?)`,
		"ovh":         "", // three edits from aws: nothing close
		"a":           "", // one letter is not worth a guess at "aws"
	} {
		if got := didYouMean(typed, names); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", typed, got, want)
		}
	}
}

// A mistyped --service, --from or --to is answered with the name meant.
func TestCheckRequestSuggests(t *testing.T) {
	cfg := &config.Config{
		Providers: []*config.Provider{{Name: "alpha"}, {Name: "bravo"}},
		Services:  []*config.Service{{Name: "www", Candidates: []string{"alpha", "bravo"}}},
	}
	for _, tc := range []struct {
		req  Request
		is   error
		want string
	}{
		{Request{Kind: KindManual, Service: "wwww"}, ErrUnknownService, `"wwww" is not a service in the configuration (did you mean "www"?)`},
		{Request{Kind: KindManual, From: "alfa"}, ErrUnknownProvider, `"alfa" is not a provider in the configuration (did you mean "alpha"?)`},
		{Request{Kind: KindManual, To: "brav"}, ErrUnknownProvider, `(did you mean "bravo"?)`},
		{Request{Kind: KindManual, To: "zulu"}, ErrUnknownProvider, `"zulu" is not a provider in the configuration`},
	} {
		err := CheckRequest(cfg, tc.req)
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %v containing %q", tc.req, err, tc.is, tc.want)
		}
		if tc.req.To == "zulu" && strings.Contains(err.Error(), "did you mean") {
			t.Errorf("zulu: a guess where no name is close: %v", err)
		}
	}
}

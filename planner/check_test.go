package planner

import (
	"errors"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// CheckRequest refuses what Plan refuses about the request itself, and
// accepts what Plan accepts, without any observation.
func TestCheckRequest(t *testing.T) {
	cfg := &config.Config{
		Providers: []*config.Provider{{Name: "alpha"}, {Name: "bravo"}},
		Services:  []*config.Service{{Name: "www", Candidates: []string{"alpha", "bravo"}}},
	}
	for _, tc := range []struct {
		name string
		req  Request
		want error
	}{
		{"every name known", Request{Kind: KindManual, Service: "www", From: "alpha", To: "bravo"}, nil},
		{"no names", Request{Kind: KindFailback}, nil},
		{"unknown service", Request{Kind: KindManual, Service: "wwww"}, ErrUnknownService},
		{"unknown from", Request{Kind: KindManual, From: "alfa"}, ErrUnknownProvider},
		{"unknown to", Request{Kind: KindManual, To: "brav"}, ErrUnknownProvider},
		{"failback with to", Request{Kind: KindFailback, To: "bravo"}, ErrInvalidRequest},
		{"automatic accepting data loss", Request{Kind: KindAutomatic, AcceptDataLoss: true}, ErrInvalidRequest},
		{"manual accepting data loss", Request{Kind: KindManual, Service: "www", AcceptDataLoss: true}, nil},
		{"failback accepting data loss", Request{Kind: KindFailback, AcceptDataLoss: true}, nil},
		{"drill accepting data loss, ignored", Request{Kind: KindDrill, Service: "www", AcceptDataLoss: true}, nil},
	} {
		err := CheckRequest(cfg, tc.req)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: CheckRequest = %v, want %v", tc.name, err, tc.want)
		}
	}
}

package control

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// The CLI prints the plan of a sync whose write failed at one provider:
// the daemon's document and its error both come back, in one answer. A
// plan that could not be made comes back as the error alone, with its
// sentinel (a zone nobody serves is bad usage).
func TestSyncCarriesTheFlagsAndThePlanWithTheError(t *testing.T) {
	path := serve(t, fakeHandler{func(_ context.Context, req Request, _ *Conv) (any, error) {
		switch {
		case req.Op != OpSync || req.Sync == nil:
			return nil, errors.New("not a sync request")
		case req.Sync.Zone == "other.test":
			return nil, errors.Join(engine.ErrInvalidRequest, errors.New(`no dns block serves zone "other.test"`))
		case req.Sync.Zone != "example.test" || !req.Sync.Adopt:
			return nil, errors.New("the flags did not arrive")
		}
		return engine.SyncDoc{Targets: []engine.SyncTarget{
			{Zone: "example.test.", Provider: "knot", Applied: true},
			{Zone: "example.test.", Provider: "desec", Error: "write refused"},
		}}, errors.New("the sync failed at 1 DNS provider(s); the rest were written")
	}})
	c, err := Dial(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := c.Sync(context.Background(), SyncRequest{Zone: "example.test", Adopt: true})
	if err == nil || err.Error() != "the sync failed at 1 DNS provider(s); the rest were written" {
		t.Fatalf("err = %v", err)
	}
	if len(doc.Targets) != 2 || !doc.Targets[0].Applied || doc.Targets[1].Error != "write refused" {
		t.Fatalf("doc = %+v", doc)
	}
	doc, err = c.Sync(context.Background(), SyncRequest{Zone: "other.test"})
	if !errors.Is(err, engine.ErrInvalidRequest) || len(doc.Targets) != 0 {
		t.Fatalf("a zone nobody serves: doc %+v, err %v", doc, err)
	}
}

// The backend change crosses the socket; a workspace's failure comes back
// in its entry's Error.
func TestPrepareResultsCrossTheSocket(t *testing.T) {
	path := serve(t, fakeHandler{func(_ context.Context, req Request, _ *Conv) (any, error) {
		if req.Op != OpPrepare || req.Backend != engine.BackendMigrate {
			return nil, fmt.Errorf("not a prepare request migrating the state: %+v", req)
		}
		return []engine.PrepareResult{{Provider: "alpha", Dir: "infra/alpha", Already: true}, {Provider: "bravo", Dir: "infra/bravo", Error: "init: exit 1"}}, nil
	}})
	c, err := Dial(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Prepare(context.Background(), engine.BackendMigrate)
	if err != nil || len(res) != 2 || !res[0].Already || res[1].Error != "init: exit 1" || res[1].Provider != "bravo" {
		t.Fatalf("results %+v, err %v", res, err)
	}
}

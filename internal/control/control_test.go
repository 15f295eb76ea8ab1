package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

type fakeHandler struct {
	handle func(ctx context.Context, req Request, conv *Conv) (any, error)
}

func (f fakeHandler) Handle(ctx context.Context, req Request, conv *Conv) (any, error) {
	return f.handle(ctx, req, conv)
}

func serve(t *testing.T, h Handler) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lifeboat.sock")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, h, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return path
}

func TestRunConfirmProgressAndResult(t *testing.T) {
	path := serve(t, fakeHandler{func(ctx context.Context, req Request, conv *Conv) (any, error) {
		if req.Op != OpRun || req.Run.Service != "www" || !req.Confirm {
			return nil, fmt.Errorf("%w: unexpected request %+v", engine.ErrInvalidRequest, req)
		}
		conv.Progress(wire.Event{Message: "checking"})
		if err := conv.Confirm(ctx, planner.Result{Notes: []string{"the plan"}}); err != nil {
			return nil, err
		}
		return wire.Outcome{Executed: true, Message: "moved"}, nil
	}})
	c, err := Dial(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	var asked []string
	hooks := engine.Hooks{
		Progress: func(ev wire.Event) { events = append(events, ev.Message) },
		Confirm: func(_ context.Context, p planner.Result) error {
			asked = append(asked, p.Notes...)
			return nil
		},
	}
	out, err := c.Run(context.Background(), wire.Request{Kind: planner.KindManual, Service: "www"}, hooks)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Executed || out.Message != "moved" || len(events) != 1 || events[0] != "checking" || len(asked) != 1 || asked[0] != "the plan" {
		t.Fatalf("outcome %+v, events %q, asked %q", out, events, asked)
	}

	// A "no" at the prompt reaches the daemon as a cancellation.
	hooks.Confirm = func(context.Context, planner.Result) error { return engine.ErrCancelled }
	if _, err := c.Run(context.Background(), wire.Request{Kind: planner.KindManual, Service: "www"}, hooks); !errors.Is(err, engine.ErrCancelled) {
		t.Fatalf("refused confirmation: got %v, want ErrCancelled", err)
	}
}

func TestSentinelErrorsCrossTheSocket(t *testing.T) {
	for _, want := range []error{engine.ErrBlocked, engine.ErrInvalidRequest, engine.ErrNoOperation, ErrBusy} {
		path := serve(t, fakeHandler{func(context.Context, Request, *Conv) (any, error) {
			return nil, fmt.Errorf("something: %w", want)
		}})
		c, err := Dial(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Plan(context.Background(), wire.Request{Kind: planner.KindManual}, engine.Hooks{})
		if !errors.Is(err, want) || err.Error() != "something: "+want.Error() {
			t.Errorf("got %v, want it to wrap %v with the daemon's message", err, want)
		}
	}
}

func TestClientGoingAwayCancelsTheRequest(t *testing.T) {
	cancelled := make(chan error, 1)
	path := serve(t, fakeHandler{func(ctx context.Context, req Request, conv *Conv) (any, error) {
		conv.Progress(wire.Event{Message: "started"})
		select {
		case <-ctx.Done():
			cancelled <- context.Cause(ctx)
		case <-time.After(10 * time.Second):
			cancelled <- nil
		}
		return nil, ctx.Err()
	}})
	c, err := Dial(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err = c.Run(ctx, wire.Request{Kind: planner.KindManual}, engine.Hooks{Progress: func(wire.Event) { cancel() }})
	if err == nil {
		t.Fatal("a cancelled call returned no error")
	}
	select {
	case cause := <-cancelled:
		if cause == nil {
			t.Fatal("the daemon's request was not cancelled when the client went away")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never returned")
	}
}

func TestSocketIsOwnerOnlyAndStaleOneReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "j.sock")
	// A socket left behind by a daemon that died.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := Dial(context.Background(), path); !errors.Is(err, ErrNoDaemon) {
		t.Fatalf("dial a dead socket: got %v, want ErrNoDaemon", err)
	}
	l2, err := Listen(path)
	if err != nil {
		t.Fatalf("a stale socket must be replaced: %v", err)
	}
	defer l2.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("socket mode %o, want 600", perm)
	}
	if _, err := Listen(path); err == nil {
		t.Fatal("a second listener took over a live socket")
	}
	if _, err := Dial(context.Background(), filepath.Join(dir, "none.sock")); !errors.Is(err, ErrNoDaemon) {
		t.Fatalf("dial a missing socket: got %v, want ErrNoDaemon", err)
	}
}

func TestSocketPath(t *testing.T) {
	for in, want := range map[string]string{"run/lifeboat.db": "run/lifeboat.sock", "/var/lib/lb/state": "/var/lib/lb/state.sock", "a.b/c.bolt": "a.b/c.sock"} {
		if got := SocketPath(in); got != want {
			t.Errorf("SocketPath(%q) = %q, want %q", in, got, want)
		}
	}
}

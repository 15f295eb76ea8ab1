package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// maxLine bounds one message: a plan or a status document of a large
// configuration fits many times over.
const maxLine = 64 << 20

// Client reaches a running daemon. Each call is one connection.
type Client struct {
	path string
}

// Dial finds the daemon listening at path. It returns ErrNoDaemon when
// there is no socket or nothing accepts on it (a daemon that died leaves
// its socket behind).
func Dial(ctx context.Context, path string) (*Client, error) {
	c := &Client{path: path}
	conn, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	conn.Close()
	return c, nil
}

func (c *Client) connect(ctx context.Context) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "unix", c.path)
	switch {
	case err == nil:
		return conn, nil
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENOTSOCK):
		return nil, ErrNoDaemon
	case errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("the daemon's socket %s belongs to another user: %w", c.path, err)
	}
	return nil, fmt.Errorf("reach the daemon at %s: %w", c.path, err)
}

// Call sends req, passes progress and the confirmation question to hooks,
// and decodes the final result into result (when non-nil).
func (c *Client) Call(ctx context.Context, req Request, hooks engine.Hooks, result any) error {
	conn, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Cancelling ctx (the operator's Ctrl-C) closes the connection, which
	// the daemon takes as the request being cancelled.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	enc := json.NewEncoder(conn)
	if err := enc.Encode(req); err != nil {
		return c.wireErr(ctx, err)
	}
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return fmt.Errorf("the daemon sent a message that does not decode: %w", err)
		}
		switch {
		case m.Event != nil:
			if hooks.Progress != nil {
				hooks.Progress(*m.Event)
			}
		case m.Confirm != nil:
			// A confirmation goes only to a daemon run by this user or
			// root: whoever else holds the socket's path (a stale
			// directory, a shared one) must not get an operator's yes.
			if err := daemonTrusted(conn); err != nil {
				return err
			}
			ans := Answer{Confirm: true}
			if hooks.Confirm != nil {
				if err := hooks.Confirm(ctx, *m.Confirm); err != nil {
					ans = Answer{Error: err.Error()}
					_ = enc.Encode(ans)
					return err
				}
			}
			if err := enc.Encode(ans); err != nil {
				return c.wireErr(ctx, err)
			}
		case m.Done:
			if len(m.Result) > 0 && result != nil {
				if err := json.Unmarshal(m.Result, result); err != nil {
					return fmt.Errorf("the daemon's result does not decode: %w", err)
				}
			}
			if m.Error != "" {
				return &RemoteError{Msg: m.Error, code: m.Code}
			}
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return c.wireErr(ctx, err)
	}
	return c.wireErr(ctx, io.ErrUnexpectedEOF)
}

// ErrUntrustedDaemon: the process answering on the socket runs as
// another user (not this one, not root); nothing is confirmed to it.
var ErrUntrustedDaemon = errors.New("the process on the control socket is not a daemon of this user")

func daemonTrusted(conn net.Conn) error {
	cred, err := peerCred(conn)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUntrustedDaemon, err)
	}
	if !trustedUID(cred.Uid) {
		return fmt.Errorf("%w: it runs as uid %d (pid %d), this command as uid %d; the confirmation was not sent",
			ErrUntrustedDaemon, cred.Uid, cred.Pid, os.Getuid())
	}
	return nil
}

func (c *Client) wireErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (the daemon was told to stop)", context.Cause(ctx))
	}
	return fmt.Errorf("the daemon closed the connection before answering (did it stop?): %w", err)
}

// Status is the daemon's live view.
func (c *Client) Status(ctx context.Context) (*wire.StatusDoc, error) {
	var doc wire.StatusDoc
	if err := c.Call(ctx, Request{Op: OpStatus}, engine.Hooks{}, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// Plan asks the daemon to plan req from its live view.
func (c *Client) Plan(ctx context.Context, req wire.Request, hooks engine.Hooks) (wire.Outcome, error) {
	var out wire.Outcome
	err := c.Call(ctx, Request{Op: OpPlan, Run: &req}, hooks, &out)
	return out, err
}

// Run asks the daemon to run req; hooks.Confirm, when set, is asked
// before anything changes.
func (c *Client) Run(ctx context.Context, req wire.Request, hooks engine.Hooks) (wire.Outcome, error) {
	var out wire.Outcome
	err := c.Call(ctx, Request{Op: OpRun, Run: &req, Confirm: hooks.Confirm != nil}, hooks, &out)
	return out, err
}

// Resume asks the daemon to finish its unfinished operations now,
// giving up on the DNS providers in dropDNS.
func (c *Client) Resume(ctx context.Context, dropDNS []string, hooks engine.Hooks) (wire.Outcome, error) {
	var out wire.Outcome
	err := c.Call(ctx, Request{Op: OpResume, DropDNS: dropDNS}, hooks, &out)
	return out, err
}

// Sync asks the daemon to write the zone sync's plan in its operation
// slot. The plan comes back with each target's outcome, also when the
// error says a target failed.
func (c *Client) Sync(ctx context.Context, req SyncRequest) (engine.SyncDoc, error) {
	var doc engine.SyncDoc
	err := c.Call(ctx, Request{Op: OpSync, Sync: &req}, engine.Hooks{}, &doc)
	return doc, err
}

// Prepare asks the daemon to initialise its workspaces in its operation
// slot. A workspace's failure is in its entry's Error (its Err is nil on
// this side of the socket).
func (c *Client) Prepare(ctx context.Context, change engine.BackendChange) ([]engine.PrepareResult, error) {
	var res []engine.PrepareResult
	err := c.Call(ctx, Request{Op: OpPrepare, Backend: change}, engine.Hooks{}, &res)
	return res, err
}

// History lists past operations, newest first.
func (c *Client) History(ctx context.Context, limit int) (wire.HistoryDoc, error) {
	var doc wire.HistoryDoc
	err := c.Call(ctx, Request{Op: OpHistory, Limit: limit}, engine.Hooks{}, &doc)
	return doc, err
}

// Hold reads the hold switch, or changes it when change is non-nil.
func (c *Client) Hold(ctx context.Context, change *HoldChange) (HoldState, error) {
	var st HoldState
	err := c.Call(ctx, Request{Op: OpHold, Hold: change}, engine.Hooks{}, &st)
	return st, err
}

// Drill runs the named drill in the daemon now.
func (c *Client) Drill(ctx context.Context, name string, hooks engine.Hooks) (wire.DrillReport, error) {
	var rep wire.DrillReport
	err := c.Call(ctx, Request{Op: OpDrill, Name: name}, hooks, &rep)
	return rep, err
}

// DrillReports lists drill reports, newest first.
func (c *Client) DrillReports(ctx context.Context, limit int) ([]wire.DrillReport, error) {
	var doc wire.DrillsDoc
	err := c.Call(ctx, Request{Op: OpHistory, Drills: true, Limit: limit}, engine.Hooks{}, &doc)
	return doc.Drills, err
}

// Decisions lists the daemon's decisions, newest first.
func (c *Client) Decisions(ctx context.Context, limit int) (wire.DecisionsDoc, error) {
	var doc wire.DecisionsDoc
	err := c.Call(ctx, Request{Op: OpHistory, Decisions: true, Limit: limit}, engine.Hooks{}, &doc)
	return doc, err
}

// Package control is how the CLI talks to a running daemon: JSON lines
// over a Unix socket beside the journal, which only the journal's owner
// may open. The daemon holds the journal, so while it runs the commands
// that read or change it go through it, and the same executor runs a
// manual failover as an automatic one.
//
// One connection carries one request. The client sends a Request line;
// the daemon answers with Message lines: progress events, at most one
// confirmation question (the client answers with an Answer line), and a
// final message with the result or the error.
package control

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Ops a Request may name.
const (
	OpStatus  = "status"
	OpPlan    = "plan"
	OpRun     = "run"
	OpHistory = "history"
	OpHold    = "hold"
	OpDrill   = "drill"
	OpAbort   = "abort"
	OpResume  = "resume"
	// OpSync writes the zone sync's plan (`lifeboat sync --yes`); the
	// dry run reads only and stays in the command.
	OpSync = "sync"
	// OpPrepare initialises the daemon's workspaces (`lifeboat prepare`).
	OpPrepare = "prepare"
)

// Request is the first line a client sends.
type Request struct {
	Op string `json:"op"`
	// Run is the operation to plan or run (OpPlan, OpRun).
	Run *wire.Request `json:"run,omitempty"`
	// Confirm asks the daemon to send the plan and wait for an Answer
	// before it changes anything (OpRun).
	Confirm bool `json:"confirm,omitempty"`
	// Limit bounds OpHistory; 0 means all.
	Limit int `json:"limit,omitempty"`
	// Drills asks OpHistory for drill reports instead of operations.
	Drills bool `json:"drills,omitempty"`
	// Decisions asks OpHistory for the daemon's decisions instead.
	Decisions bool `json:"decisions,omitempty"`
	// Hold turns the hold switch on or off (OpHold); nil only reads it.
	Hold *HoldChange `json:"hold,omitempty"`
	// Name is the drill to run (OpDrill) or the operation to abort (OpAbort).
	Name string `json:"name,omitempty"`
	// Reason goes to the journal (OpAbort).
	Reason string `json:"reason,omitempty"`
	// DropDNS are the DNS providers an unfinished operation gives up on
	// (OpResume).
	DropDNS []string `json:"drop_dns,omitempty"`
	// Sync is what OpSync writes.
	Sync *SyncRequest `json:"sync,omitempty"`
	// Backend is what OpPrepare's init does where a workspace's backend
	// configuration changed.
	Backend engine.BackendChange `json:"backend,omitempty"`
}

// SyncRequest is `lifeboat sync --yes` and its flags.
type SyncRequest struct {
	// Zone is the one zone to sync; empty, every zone.
	Zone string `json:"zone,omitempty"`
	// Adopt also changes records that differ and that the sync did not write.
	Adopt bool `json:"adopt,omitempty"`
}

// HoldChange turns the hold switch on or off.
type HoldChange struct {
	On     bool   `json:"on"`
	Reason string `json:"reason,omitempty"`
}

// HoldState is the hold switch: while on, the daemon takes no automatic
// action (it still watches, journals what it would have done, and runs
// what an operator asks).
type HoldState struct {
	On     bool      `json:"on"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	By     string    `json:"by,omitempty"`
}

// Message is one line from the daemon.
type Message struct {
	Event   *wire.Event     `json:"event,omitempty"`
	Confirm *planner.Result `json:"confirm,omitempty"`
	// Done marks the last message, with Result or Error.
	Done   bool            `json:"done,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
	Code   string          `json:"code,omitempty"`
}

// Answer is the client's reply to a Confirm message.
type Answer struct {
	Confirm bool   `json:"confirm"`
	Error   string `json:"error,omitempty"`
}

// ErrBusy: the daemon is running another operation and the request
// cannot wait for it (a drill never queues behind one).
var ErrBusy = errors.New("the daemon is running another operation")

// ErrNoDaemon: no daemon listens on the socket.
var ErrNoDaemon = errors.New("no lifeboat daemon is running")

// codes name the sentinel errors a client must be able to branch on.
var codes = []struct {
	code string
	err  error
}{
	{"blocked", engine.ErrBlocked},
	{"cancelled", engine.ErrCancelled},
	{"invalid", engine.ErrInvalidRequest},
	{"no_operation", engine.ErrNoOperation},
	{"busy", ErrBusy},
	{"drill_aborted", engine.ErrDrillAborted},
}

// Code names err's sentinel for the wire ("" when it has none).
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// RemoteError is an error the daemon reported; it unwraps to the sentinel
// its code names, so errors.Is works across the socket.
type RemoteError struct {
	Msg  string
	code string
}

func (e *RemoteError) Error() string { return e.Msg }

// Unwrap returns the sentinel of the error's code, or nil.
func (e *RemoteError) Unwrap() error {
	for _, c := range codes {
		if c.code == e.code {
			return c.err
		}
	}
	return nil
}

// SocketPath is the daemon's socket for a journal file: beside it, with
// the extension .sock ("run/lifeboat.db" -> "run/lifeboat.sock").
func SocketPath(journal string) string {
	return strings.TrimSuffix(journal, filepath.Ext(journal)) + ".sock"
}

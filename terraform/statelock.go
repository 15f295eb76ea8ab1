package terraform

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// DefaultLockTimeout is how long an apply waits for the state lock a
// backend (s3, gcs, http, ...) holds for another command before it fails
// with ErrStateLocked: a briefly held lock is waited out.
const DefaultLockTimeout = config.DefaultTerraformLockTimeout

// ErrStateLocked: the backend's state lock is held by another command (or
// was left behind by one that died), and was not released within the
// lock timeout. The error is a *LockedError naming the holder.
var ErrStateLocked = errors.New("the workspace's state is locked")

// StateLock is a backend's state lock as the CLI reports it.
type StateLock struct {
	ID        string
	Operation string // OperationTypeApply, OperationTypePlan, ...
	Who       string // user@host of the command that took it
	Version   string
	Created   time.Time
}

// LockedError is a command refused because the state lock is held.
type LockedError struct {
	Lock StateLock
	Err  *Error
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v (state lock %s held by %s since %s, by %s)", ErrStateLocked, e.Lock.ID, e.Lock.Who,
		e.Lock.Created.UTC().Format(time.RFC3339), e.Lock.Operation)
}

func (e *LockedError) Unwrap() []error { return []error{ErrStateLocked, e.Err} }

// lockInfoRE matches the CLI's "Lock Info:" block once its whitespace is
// folded to single spaces (as in the JSON diagnostics).
var lockInfoRE = regexp.MustCompile(`Lock Info: ID: (\S+) Path: ?(.*?) Operation: (\S+) Who: (\S+) Version: (\S*) ?Created: (\S+ \S+ \S+ \S+)`)

// parseStateLock finds the lock the CLI reports in its error text.
func parseStateLock(text string) (StateLock, bool) {
	if !strings.Contains(text, "Error acquiring the state lock") {
		return StateLock{}, false
	}
	folded := strings.Join(strings.Fields(strings.ReplaceAll(text, "│", " ")), " ")
	m := lockInfoRE.FindStringSubmatch(folded)
	if m == nil {
		return StateLock{}, false
	}
	l := StateLock{ID: m[1], Operation: m[3], Who: m[4], Version: m[5]}
	// Go's time.Time.String layout, which the CLI prints.
	created, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", m[6])
	if err != nil {
		return StateLock{}, false
	}
	l.Created = created
	return l, true
}

// lockedOr is err as a *LockedError when it reports a held state lock.
func lockedOr(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	if l, ok := parseStateLock(e.Output); ok {
		return &LockedError{Lock: l, Err: e}
	}
	return err
}

// ForceUnlock releases the state lock id, held by a command that can no
// longer release it itself. The caller decides that it is safe.
func (w *Workspace) ForceUnlock(ctx context.Context, id string) error {
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := w.prepare(ctx, BackendKeep); err != nil {
		return err
	}
	return w.run(ctx, "force-unlock", func(ctx context.Context) error {
		return w.tf.ForceUnlock(ctx, id)
	}, nil)
}

func (w *Workspace) lockTimeout() tfexec.ApplyOption {
	d := w.opts.LockTimeout
	if d <= 0 {
		d = DefaultLockTimeout
	}
	return tfexec.LockTimeout(fmt.Sprintf("%ds", int((d+time.Second-1)/time.Second)))
}

package terraform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockFileName lives in the data directory (.terraform), which Terraform
// users already keep out of version control.
const lockFileName = "lifeboat.lock"

// lock takes the Workspace's in-process mutex, then an exclusive flock on
// the lock file, waiting until ctx ends. The mutex keeps goroutines sharing
// this Workspace apart; the flock keeps other Workspace values and other
// processes apart (flock locks belong to an open file, so two opens in one
// process exclude each other too). The kernel drops the flock if the
// process dies, so a crash never leaves a stale lock behind.
func (w *Workspace) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case w.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for workspace %s: %w", w.dir, ctx.Err())
	}
	release := func() { <-w.sem }

	if err := os.MkdirAll(w.dataDir, 0o755); err != nil {
		release()
		return nil, fmt.Errorf("lock workspace: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(w.dataDir, lockFileName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		release()
		return nil, fmt.Errorf("lock workspace: %w", err)
	}
	if err := flockWait(ctx, f); err != nil {
		f.Close()
		release()
		return nil, fmt.Errorf("lock workspace %s: %w", w.dir, err)
	}
	return func() {
		// Closing the file releases the flock.
		f.Close()
		release()
	}, nil
}

// flockWait polls a non-blocking flock so that waiting honours ctx; a
// blocking flock cannot be interrupted.
func flockWait(ctx context.Context, f *os.File) error {
	delay := 5 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("held by another command: %w", ctx.Err())
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}

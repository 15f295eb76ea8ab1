package terraform

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// The CLI's lock report, as its JSON diagnostic folds it and as its
// terminal output boxes it.
func TestParseStateLock(t *testing.T) {
	created := time.Date(2026, 12, 7, 16, 8, 12, 622080188, time.UTC)
	for _, tc := range []struct {
		name, text string
		ok         bool
	}{
		{"json diagnostic", "Error: Error acquiring the state lock: Error message: HTTP remote state already locked: ID=11111111-2222 Lock Info: ID: 11111111-2222 Path: Operation: OperationTypeApply Who: root@deadnode Version: 1.10.6 Created: 2026-12-07 16:08:12.622080188 +0000 UTC Info: OpenTofu acquires a state lock", true},
		{"terminal", "│ Error: Error acquiring the state lock\n│ Lock Info:\n│   ID:        11111111-2222\n│   Path:      bucket/key\n│   Operation: OperationTypeApply\n│   Who:       root@deadnode\n│   Version:   1.10.6\n│   Created:   2026-12-07 16:08:12.622080188 +0000 UTC\n│   Info:      \n", true},
		{"another error", "Error: Invalid reference", false},
		{"no lock info", "Error: Error acquiring the state lock: Error message: connection refused", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := parseStateLock(tc.text)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, l)
			}
			if ok && (l.ID != "11111111-2222" || l.Who != "root@deadnode" || l.Operation != "OperationTypeApply" || !l.Created.Equal(created)) {
				t.Errorf("lock = %+v", l)
			}
		})
	}
}

func openOnStateServer(t *testing.T, s *testharness.StateServer, opts Options) *Workspace {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "infra")
	copyModule(t, "testdata/basic", dir)
	if err := os.WriteFile(filepath.Join(dir, "backend.tf"), []byte(s.Backend()), 0o644); err != nil {
		t.Fatal(err)
	}
	return openTofuDir(t, dir, "", opts)
}

// On a backend that keeps a lock (here the http backend, as the CLI
// speaks it): a lock held longer than the lock timeout fails the apply
// with ErrStateLocked naming its ID and holder; ForceUnlock releases it;
// a lock released within the timeout is waited out.
func TestTofuApplyOnALockedState(t *testing.T) {
	s := testharness.StartStateServer(t)
	w := openOnStateServer(t, s, Options{LockTimeout: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	vars := map[string]string{"active": "true"}
	if err := w.Apply(ctx, vars, nil); err != nil {
		t.Fatalf("first apply: %v", err)
	}
	created := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	id := "0b6a2f5e-7e4c-4f55-9d6b-3c1f0c2d9a11"
	s.Plant(map[string]any{"ID": id, "Operation": "OperationTypeApply", "Who": "lifeboat@dead-node", "Version": "1.10.6", "Created": created.Format(time.RFC3339Nano)})

	began := time.Now()
	err := w.Apply(ctx, vars, nil)
	var locked *LockedError
	if !errors.Is(err, ErrStateLocked) || !errors.As(err, &locked) {
		t.Fatalf("apply on a locked state: %v, want ErrStateLocked", err)
	}
	if took := time.Since(began); took < 2*time.Second {
		t.Errorf("the apply gave up after %s, before its lock timeout", took)
	}
	if l := locked.Lock; l.ID != id || l.Who != "lifeboat@dead-node" || l.Operation != "OperationTypeApply" || !l.Created.Equal(created) {
		t.Errorf("the lock as reported: %+v", l)
	}
	if !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "lifeboat@dead-node") {
		t.Errorf("the error does not name the lock and its holder: %v", err)
	}

	if err := w.ForceUnlock(ctx, id); err != nil {
		t.Fatalf("force-unlock: %v", err)
	}
	if h := s.Holder(); h != nil {
		t.Fatalf("the lock is still held after force-unlock: %v", h)
	}

	// A lock held for a moment only is waited out.
	s.Plant(map[string]any{"ID": "short", "Operation": "OperationTypePlan", "Who": "someone@else", "Created": time.Now().UTC().Format(time.RFC3339Nano)})
	time.AfterFunc(700*time.Millisecond, s.Release)
	if err := w.Apply(ctx, vars, nil); err != nil {
		t.Fatalf("apply while a lock is held for a moment: %v", err)
	}
	if h := s.Holder(); h != nil {
		t.Errorf("the apply left its lock behind: %v", h)
	}
}

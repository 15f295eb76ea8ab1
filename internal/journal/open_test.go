package journal_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// Without an etcd block, Open is the bbolt file at the state path, taken
// relative to the configuration's directory.
func TestOpenBoltRelativeToDir(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(context.Background(), config.State{Path: "state/j.db"}, dir, journal.OpenOptions{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, ok := j.(*journal.Bolt); !ok {
		t.Errorf("Open without etcd gave %T, want *journal.Bolt", j)
	}
	must(t, j.Close())
	if _, err := os.Stat(filepath.Join(dir, "state", "j.db")); err != nil {
		t.Errorf("the journal is not at the state path under dir: %v", err)
	}
	// The default path, read-only: nothing there yet.
	_, err = journal.Open(context.Background(), config.State{}, dir, journal.OpenOptions{ReadOnly: true})
	if !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("Open read-only of a missing %s: %v, want ErrNotFound", config.DefaultStatePath, err)
	}
	if _, err := os.Stat(filepath.Join(dir, config.DefaultStatePath)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only Open created %s: %v", config.DefaultStatePath, err)
	}
}

// With an etcd block, Open is etcd under its prefix, and the file is not
// touched.
func TestOpenEtcdFromStateBlock(t *testing.T) {
	ctx := testCtx(t)
	endpoint, prefix := etcdEndpoint(t), freshPrefix(t)
	dir := t.TempDir()
	st := config.State{Path: "lifeboat.db", Etcd: &config.Etcd{Endpoints: []string{endpoint}, Prefix: prefix}}
	j, err := journal.Open(ctx, st, dir, journal.OpenOptions{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer j.Close()
	if _, ok := j.(*journal.Etcd); !ok {
		t.Fatalf("Open with etcd gave %T, want *journal.Etcd", j)
	}
	_, err = j.Begin(ctx, journal.Operation{Kind: "drill", Started: t0})
	must(t, err)
	resp, err := rawClient(t, endpoint).Get(ctx, prefix+"meta/seq")
	if err != nil || len(resp.Kvs) != 1 {
		t.Errorf("Begin through Open wrote nothing under %s: %v", prefix, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "lifeboat.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open with etcd created the local file: %v", err)
	}
	ro, err := journal.Open(ctx, st, dir, journal.OpenOptions{ReadOnly: true})
	must(t, err)
	defer ro.Close()
	_, err = ro.Append(ctx, journal.Record{Kind: journal.RecordHold, At: t0})
	if !errors.Is(err, journal.ErrInvalid) {
		t.Errorf("Append through a read-only Open: %v, want ErrInvalid", err)
	}
}

func TestOpenEtcdTLSFiles(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		e    config.Etcd
		want string
	}{
		"missing CA file":  {config.Etcd{CAFile: filepath.Join(dir, "missing.pem")}, "state.etcd.ca_file: open " + filepath.Join(dir, "missing.pem")},
		"CA file not PEM":  {config.Etcd{CAFile: notPEM}, "state.etcd.ca_file: " + notPEM + " holds no PEM certificate"},
		"missing key pair": {config.Etcd{CertFile: filepath.Join(dir, "c.pem"), KeyFile: filepath.Join(dir, "k.pem")}, "state.etcd.cert_file and key_file"},
	} {
		t.Run(name, func(t *testing.T) {
			e := tc.e
			e.Endpoints = []string{"http://127.0.0.1:1"}
			_, err := journal.Open(context.Background(), config.State{Etcd: &e}, dir, journal.OpenOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

package journal_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	st := config.State{Path: "lifeboat.db", Etcd: &config.Etcd{Endpoints: []string{endpoint}, Prefix: prefix, MaxRecords: testRecordsPerKind}}
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
	// state.etcd.max_records bounds the event log.
	for i := range testRecordsPerKind + 2 {
		_, err := j.Append(ctx, journal.Record{Kind: journal.RecordHold, At: t0, Summary: fmt.Sprint("hold ", i)})
		must(t, err)
	}
	if recs, err := j.Records(ctx, journal.RecordHold, 0); err != nil || len(recs) != testRecordsPerKind {
		t.Errorf("after %d appends with max_records %d, Records kept %d (%v)", testRecordsPerKind+2, testRecordsPerKind, len(recs), err)
	}
	ro, err := journal.Open(ctx, st, dir, journal.OpenOptions{ReadOnly: true})
	must(t, err)
	defer ro.Close()
	_, err = ro.Append(ctx, journal.Record{Kind: journal.RecordHold, At: t0})
	if !errors.Is(err, journal.ErrInvalid) {
		t.Errorf("Append through a read-only Open: %v, want ErrInvalid", err)
	}
}

// The TLS files are read before etcd is dialled: a bad file is a clear
// error naming it, and a key's content never shows.
func TestOpenEtcdTLSFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const keyContent = "-----BEGIN PRIVATE KEY-----\nS3CR3T-KEY-MATERIAL\n-----END PRIVATE KEY-----\n"
	notPEM := write("ca.pem", "not a certificate\n")
	cert := write("cert.pem", selfSignedPEM(t))
	badKey := write("key.pem", keyContent)
	missing := filepath.Join(dir, "missing.pem")
	for name, tc := range map[string]struct {
		e    config.Etcd
		want string
	}{
		"missing CA file":  {config.Etcd{CAFile: missing}, "state.etcd.ca_file: open " + missing},
		"CA file not PEM":  {config.Etcd{CAFile: notPEM}, "state.etcd.ca_file: " + notPEM + " holds no PEM certificate"},
		"missing key pair": {config.Etcd{CertFile: filepath.Join(dir, "c.pem"), KeyFile: filepath.Join(dir, "k.pem")}, "state.etcd.cert_file and key_file"},
		"key not a key":    {config.Etcd{CertFile: cert, KeyFile: badKey}, "state.etcd.cert_file and key_file (" + cert + ", " + badKey + "): tls:"},
		"key without cert": {config.Etcd{KeyFile: badKey}, "state.etcd: cert_file and key_file go together"},
	} {
		t.Run(name, func(t *testing.T) {
			e := tc.e
			e.Endpoints = []string{"http://127.0.0.1:1"}
			_, err := journal.Open(context.Background(), config.State{Etcd: &e}, dir, journal.OpenOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "S3CR3T") {
				t.Errorf("the error shows the key's content: %v", err)
			}
		})
	}
}

// selfSignedPEM is a throwaway certificate, PEM-encoded.
func selfSignedPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "etcd-client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

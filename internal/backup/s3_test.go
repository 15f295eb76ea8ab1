package backup

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func s3Block(srv *testharness.S3, bucket, prefix string) *config.Backup {
	return &config.Backup{Name: "offsite", Vendor: "seaweed", Prefix: prefix, S3: &config.S3Backup{
		Endpoint: srv.Endpoint(), Bucket: bucket, AccessKey: srv.AccessKey(), SecretKey: srv.SecretKey(),
	}}
}

func openS3(t *testing.T, b *config.Backup) Store {
	t.Helper()
	s, err := Open(b, &config.Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// nextSecond sleeps past the next whole second: SeaweedFS's LastModified
// has one-second resolution, and these tests need objects apart in time.
func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
}

// One SeaweedFS for all the cases (it takes about 10 s to start); each
// case has its own bucket.
func TestS3(t *testing.T) {
	srv := testharness.StartS3(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("EmptyBucket", func(t *testing.T) {
		srv.MakeBucket(t, "empty")
		_, err := openS3(t, s3Block(srv, "empty", "")).Newest(ctx)
		if !errors.Is(err, ErrNoBackup) {
			t.Fatalf("empty bucket: %v, want ErrNoBackup", err)
		}
	})

	t.Run("MissingBucket", func(t *testing.T) {
		_, err := openS3(t, s3Block(srv, "no-such-bucket", "")).Newest(ctx)
		if err == nil || errors.Is(err, ErrNoBackup) {
			t.Fatalf("missing bucket: %v, want an error other than ErrNoBackup", err)
		}
	})

	// Put in the order c, b, a, a second apart: the newest by time is a,
	// although c is the greatest name.
	srv.MakeBucket(t, "dumps")
	bodies := map[string][]byte{
		"pg/db-c.dump": []byte("oldest"),
		"pg/db-b.dump": []byte("middle one"),
		"pg/db-a.dump": []byte("the newest dump"),
	}
	start := time.Now()
	for i, k := range []string{"pg/db-c.dump", "pg/db-b.dump", "pg/db-a.dump"} {
		if i > 0 {
			nextSecond()
		}
		srv.Put(t, "dumps", k, bodies[k])
	}
	nextSecond()
	// Another service's files, newer still, outside the prefix.
	srv.Put(t, "dumps", "files/site.tar", []byte("files"))
	srv.Put(t, "dumps", "pg-other/x.dump", []byte("x"))

	t.Run("Newest", func(t *testing.T) {
		s := openS3(t, s3Block(srv, "dumps", "pg/"))
		got, err := s.Newest(ctx)
		if err != nil {
			t.Fatalf("Newest: %v", err)
		}
		if got.Name != "pg/db-a.dump" || got.Size != int64(len(bodies["pg/db-a.dump"])) {
			t.Fatalf("Newest = %+v, want pg/db-a.dump of %d bytes", got, len(bodies["pg/db-a.dump"]))
		}
		if got.Modified.Before(start.Add(-2*time.Second)) || got.Modified.After(time.Now().Add(2*time.Second)) {
			t.Errorf("Modified %v, want between the test's start and now", got.Modified)
		}
		var buf bytes.Buffer
		if err := s.Fetch(ctx, got.Name, &buf); err != nil || !bytes.Equal(buf.Bytes(), bodies[got.Name]) {
			t.Fatalf("Fetch(%q) = %q, %v; want %q", got.Name, buf.Bytes(), err, bodies[got.Name])
		}
		buf.Reset()
		if err := s.Fetch(ctx, "pg/db-c.dump", &buf); err != nil || buf.String() != "oldest" {
			t.Fatalf("Fetch(pg/db-c.dump) = %q, %v", buf.String(), err)
		}
		if err := s.Fetch(ctx, "pg/absent.dump", &buf); !errors.Is(err, ErrNotFound) {
			t.Errorf("Fetch(absent) = %v, want ErrNotFound", err)
		}
		if err := s.Fetch(ctx, "files/site.tar", &buf); !errors.Is(err, ErrNotFound) {
			t.Errorf("Fetch outside the prefix = %v, want ErrNotFound", err)
		}
	})

	t.Run("Prefix", func(t *testing.T) {
		for prefix, want := range map[string]string{
			"":          "pg-other/x.dump", // everything: the last put (same second as files/site.tar, greater name)
			"files/":    "files/site.tar",
			"pg/db-b":   "pg/db-b.dump",
			"pg/db-c.d": "pg/db-c.dump",
		} {
			got, err := openS3(t, s3Block(srv, "dumps", prefix)).Newest(ctx)
			if err != nil || got.Name != want {
				t.Errorf("prefix %q: Newest = %+v, %v; want %s", prefix, got, err, want)
			}
		}
		if _, err := openS3(t, s3Block(srv, "dumps", "nothing/")).Newest(ctx); !errors.Is(err, ErrNoBackup) {
			t.Errorf("prefix nothing/: %v, want ErrNoBackup", err)
		}
	})

	t.Run("WrongKeys", func(t *testing.T) {
		b := s3Block(srv, "dumps", "pg/")
		b.S3.SecretKey = "Wrong" + srv.SecretKey()
		_, err := openS3(t, b).Newest(ctx)
		if err == nil || errors.Is(err, ErrNoBackup) {
			t.Fatalf("wrong secret key: %v, want the request refused", err)
		}
		if msg := err.Error(); strings.Contains(msg, b.S3.SecretKey) || strings.Contains(msg, srv.SecretKey()) ||
			strings.Contains(msg, srv.AccessKey()) {
			t.Fatalf("the error quotes a key: %s", msg)
		}
		var buf bytes.Buffer
		if err := openS3(t, b).Fetch(ctx, "pg/db-a.dump", &buf); err == nil || buf.Len() != 0 {
			t.Fatalf("Fetch with a wrong secret key = %v, wrote %q", err, buf.String())
		}

		b = s3Block(srv, "dumps", "pg/")
		b.S3.AccessKey = "AKIAWRONGKEY0123"
		_, err = openS3(t, b).Newest(ctx)
		if err == nil {
			t.Fatal("wrong access key: no error")
		}
		if msg := err.Error(); strings.Contains(msg, "AKIAWRONGKEY0123") || strings.Contains(msg, srv.SecretKey()) {
			t.Fatalf("the error quotes a key: %s", msg)
		}
		t.Logf("wrong access key: %v", err)
	})

	t.Run("Cap", func(t *testing.T) {
		old := maxObjects
		maxObjects = 2
		t.Cleanup(func() { maxObjects = old })
		if _, err := openS3(t, s3Block(srv, "dumps", "pg/")).Newest(ctx); !errors.Is(err, ErrTooMany) {
			t.Fatalf("3 objects, cap 2: %v, want ErrTooMany", err)
		}
		if _, err := openS3(t, s3Block(srv, "dumps", "files/")).Newest(ctx); err != nil {
			t.Fatalf("1 object, cap 2: %v", err)
		}
	})

	t.Run("Measure", func(t *testing.T) {
		// Modified times come from the server's clock: measure an hour on.
		now := time.Now().Add(time.Hour)
		cfg := &config.Config{Services: []*config.Service{
			{Name: "dumps", BackupMaxAge: 30 * time.Minute, Backups: []*config.Backup{s3Block(srv, "dumps", "pg/")}},
			{Name: "files", BackupMaxAge: 2 * time.Hour, Backups: []*config.Backup{s3Block(srv, "dumps", "files/")}},
			{Name: "none", Backups: []*config.Backup{s3Block(srv, "empty", "")}},
		}}
		got := Measure(ctx, cfg, "", now)
		if len(got) != 3 {
			t.Fatalf("Measure = %+v, want 3 statuses", got)
		}
		if g := got[0]; g.Service != "dumps" || g.Err != nil || !g.Over || g.Newest.Name != "pg/db-a.dump" || g.Age < time.Hour-5*time.Second {
			t.Errorf("db: %+v, want over its 30m with pg/db-a.dump about an hour old", g)
		}
		if g := got[1]; g.Service != "files" || g.Err != nil || g.Over || g.Newest.Name != "files/site.tar" {
			t.Errorf("files: %+v, want within its 2h", g)
		}
		if g := got[2]; g.Service != "none" || !errors.Is(g.Err, ErrNoBackup) || !g.Over || g.MaxAge != config.DefaultBackupMaxAge {
			t.Errorf("none: %+v, want over with ErrNoBackup and the default max age", g)
		}
	})
}

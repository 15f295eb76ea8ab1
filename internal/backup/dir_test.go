package backup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// base is a fixed instant the tests set modification times around.
var base = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// writeAt writes dir/name with body, modified at mod.
func writeAt(t *testing.T, dir, name, body string, mod time.Time) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
}

func openDir(t *testing.T, dir, prefix string) Store {
	t.Helper()
	s, err := Open(&config.Backup{Name: "files", Vendor: "v", Directory: dir, Prefix: prefix}, &config.Config{Dir: "/nonexistent"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// The newest regular file matching the prefix wins, by modification time;
// links, directories, hidden files in progress and other names do not
// count, however new.
func TestDirNewestSkipsWhatIsNotABackup(t *testing.T) {
	dir := t.TempDir()
	writeAt(t, dir, "db-1.dump", "one", base.Add(-3*time.Hour))
	writeAt(t, dir, "db-3.dump", "three", base.Add(-2*time.Hour))
	writeAt(t, dir, "db-2.dump", "two!", base.Add(-1*time.Hour)) // newest, though not the greatest name
	writeAt(t, dir, ".db-4.dump.partial", "half", base)
	writeAt(t, dir, "other-5.dump", "other", base)
	writeAt(t, dir, "db-dir/inner", "inner", base)
	if err := os.Chtimes(filepath.Join(dir, "db-dir"), base, base); err != nil {
		t.Fatal(err)
	}
	// A link made now: newer than every file, and pointing at the oldest.
	if err := os.Symlink(filepath.Join(dir, "db-1.dump"), filepath.Join(dir, "db-latest")); err != nil {
		t.Fatal(err)
	}

	s := openDir(t, dir, "db-")
	got, err := s.Newest(context.Background())
	if err != nil {
		t.Fatalf("Newest: %v", err)
	}
	want := Object{Name: "db-2.dump", Size: 4, Modified: base.Add(-time.Hour)}
	if got.Name != want.Name || got.Size != want.Size || !got.Modified.Equal(want.Modified) {
		t.Fatalf("Newest = %+v, want %+v", got, want)
	}
	var buf bytes.Buffer
	if err := s.Fetch(context.Background(), got.Name, &buf); err != nil || buf.String() != "two!" {
		t.Fatalf("Fetch(%q) = %q, %v; want %q", got.Name, buf.String(), err, "two!")
	}

	// A prefix starting with "." does look at hidden files.
	got, err = openDir(t, dir, ".db-").Newest(context.Background())
	if err != nil || got.Name != ".db-4.dump.partial" {
		t.Errorf("prefix .db-: Newest = %+v, %v; want the hidden file", got, err)
	}
	// No prefix: every regular file of the directory.
	got, err = openDir(t, dir, "").Newest(context.Background())
	if err != nil || (got.Name != "other-5.dump") {
		t.Errorf("no prefix: Newest = %+v, %v; want other-5.dump (newest non-hidden regular file)", got, err)
	}
}

// Equal modification times: the greater name wins.
func TestDirNewestTieByName(t *testing.T) {
	dir := t.TempDir()
	writeAt(t, dir, "b-20261207T1200.tar", "b", base)
	writeAt(t, dir, "b-20261207T1201.tar", "b2", base)
	writeAt(t, dir, "b-20261207T1159.tar", "b0", base)
	got, err := openDir(t, dir, "b-").Newest(context.Background())
	if err != nil || got.Name != "b-20261207T1201.tar" {
		t.Fatalf("Newest = %+v, %v; want b-20261207T1201.tar", got, err)
	}
}

// A prefix with "/" names a subdirectory and a file name prefix there;
// the subdirectory's own subdirectories are not read.
func TestDirPrefixSubdirectory(t *testing.T) {
	dir := t.TempDir()
	writeAt(t, dir, "nightly/db-1", "n1", base.Add(-2*time.Hour))
	writeAt(t, dir, "nightly/db-2", "n2", base.Add(-time.Hour))
	writeAt(t, dir, "nightly/deeper/db-3", "deep", base)
	writeAt(t, dir, "db-top", "top", base)
	s := openDir(t, dir, "nightly/db-")
	got, err := s.Newest(context.Background())
	if err != nil || got.Name != "nightly/db-2" {
		t.Fatalf("Newest = %+v, %v; want nightly/db-2", got, err)
	}
	var buf bytes.Buffer
	if err := s.Fetch(context.Background(), "nightly/db-2", &buf); err != nil || buf.String() != "n2" {
		t.Fatalf("Fetch = %q, %v", buf.String(), err)
	}
	for _, name := range []string{"db-top", "nightly/deeper/db-3", "nightly/../db-top", "nightly/other", "nightly/db-9"} {
		if err := s.Fetch(context.Background(), name, &buf); !errors.Is(err, ErrNotFound) {
			t.Errorf("Fetch(%q) = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := Open(&config.Backup{Name: "x", Directory: dir, Prefix: "../up/db-"}, nil); err == nil {
		t.Error("Open accepted a prefix leading out of the directory")
	}
}

// Fetch refuses a link even when its name matches, so a backup name never
// leads outside the directory.
func TestDirFetchRefusesLinks(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeAt(t, outside, "secret", "not a backup", base)
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "db-link")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err := openDir(t, dir, "db-").Fetch(context.Background(), "db-link", &buf)
	if !errors.Is(err, ErrNotFound) || buf.Len() != 0 {
		t.Fatalf("Fetch(link) = %v, wrote %q; want ErrNotFound and nothing", err, buf.String())
	}
}

// Nothing matching is ErrNoBackup; a missing directory is another error.
func TestDirEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	writeAt(t, dir, "unrelated", "x", base)
	if _, err := openDir(t, dir, "db-").Newest(context.Background()); !errors.Is(err, ErrNoBackup) {
		t.Errorf("no match: %v, want ErrNoBackup", err)
	}
	_, err := openDir(t, filepath.Join(dir, "absent"), "").Newest(context.Background())
	if err == nil || errors.Is(err, ErrNoBackup) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing directory: %v, want a not-exist error that is not ErrNoBackup", err)
	}
}

// A relative directory resolves against the configuration's directory; an
// absolute one (as the loader leaves it) is used as it is.
func TestDirRelativeToConfig(t *testing.T) {
	root := t.TempDir()
	writeAt(t, filepath.Join(root, "backups"), "db-1", "rel", base)
	for _, d := range []string{"backups", filepath.Join(root, "backups")} {
		s, err := Open(&config.Backup{Name: "b", Directory: d}, &config.Config{Dir: root})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Newest(context.Background())
		if err != nil || got.Name != "db-1" {
			t.Errorf("directory %q: Newest = %+v, %v", d, got, err)
		}
	}
}

// More matching files than the cap: ErrTooMany, not a partial answer.
func TestDirCap(t *testing.T) {
	old := maxObjects
	maxObjects = 2
	t.Cleanup(func() { maxObjects = old })
	dir := t.TempDir()
	for _, n := range []string{"db-1", "db-2", "db-3"} {
		writeAt(t, dir, n, n, base)
	}
	writeAt(t, dir, "other", "x", base)
	if _, err := openDir(t, dir, "db-").Newest(context.Background()); !errors.Is(err, ErrTooMany) {
		t.Fatalf("3 files, cap 2: %v, want ErrTooMany", err)
	}
	if got, err := openDir(t, dir, "db-3").Newest(context.Background()); err != nil || got.Name != "db-3" {
		t.Fatalf("1 file, cap 2: %+v, %v", got, err)
	}
}

// Open refuses a block with neither or both places.
func TestOpenInvalid(t *testing.T) {
	for _, b := range []*config.Backup{
		{Name: "none"},
		{Name: "both", Directory: "/tmp", S3: &config.S3Backup{Endpoint: "http://127.0.0.1:1", Bucket: "b"}},
		{Name: "nobucket", S3: &config.S3Backup{Endpoint: "http://127.0.0.1:1"}},
		{Name: "scheme", S3: &config.S3Backup{Endpoint: "ftp://127.0.0.1:1", Bucket: "b"}},
		{Name: "path", S3: &config.S3Backup{Endpoint: "http://127.0.0.1:1/bucket", Bucket: "b"}},
		{Name: "halfkey", S3: &config.S3Backup{Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKey: "AKIAEXAMPLE"}},
	} {
		if _, err := Open(b, &config.Config{}); err == nil {
			t.Errorf("Open(%s) accepted it", b.Name)
		} else if !strings.Contains(err.Error(), b.Name) {
			t.Errorf("Open(%s): %v does not name the block", b.Name, err)
		}
	}
}

// Package backup finds a service's backups where its `backup` blocks say
// they are (a directory, or a bucket of an S3-compatible object store) and
// says how old the newest one is. It lists and reads; it never writes,
// deletes or restores.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// Object is one backup: a file or an object.
type Object struct {
	// Name is what Fetch takes: the object's key, or the file's path
	// relative to the directory (with the prefix's directory part).
	Name     string
	Size     int64
	Modified time.Time
}

var (
	// ErrNoBackup: nothing matches the prefix (an empty bucket or
	// directory); the place itself was reachable.
	ErrNoBackup = errors.New("no backup matches")
	// ErrTooMany: more than MaxObjects match the prefix; listing stopped
	// there rather than run without bound. Narrow the prefix.
	ErrTooMany = errors.New("too many backups match")
	// ErrNotFound: Fetch was given a name that is not one of the store's
	// backups (missing, outside the prefix, or not a regular file).
	ErrNotFound = errors.New("no such backup")
)

// MaxObjects bounds a listing: a bucket of more matching objects than this
// is refused with ErrTooMany instead of being listed for minutes.
const MaxObjects = 100_000

// maxObjects is MaxObjects, lowered by tests.
var maxObjects = MaxObjects

// Store is where one backup block's backups are.
type Store interface {
	// Newest returns the most recently modified backup (ties: the
	// greatest name), or ErrNoBackup.
	Newest(ctx context.Context) (Object, error)
	// Fetch writes the whole backup name (an Object.Name) to w.
	Fetch(ctx context.Context, name string, w io.Writer) error
}

// Open returns the store of backup block b of a service of cfg: its
// Directory (resolved against cfg.Dir when relative) or its S3 bucket. It
// does not connect; Newest and Fetch do. Errors never quote the S3 keys.
func Open(b *config.Backup, cfg *config.Config) (Store, error) {
	if b == nil {
		return nil, errors.New("backup: no backup block")
	}
	switch {
	case b.S3 != nil && b.Directory != "":
		return nil, fmt.Errorf("backup %q: both directory and s3 are set", b.Name)
	case b.Directory != "":
		dir := b.Directory
		if !filepath.IsAbs(dir) && cfg != nil {
			dir = filepath.Join(cfg.Dir, dir)
		}
		d, err := newDirStore(b.Name, dir, b.Prefix)
		if err != nil {
			return nil, err
		}
		return redacting{d, newScrubber(cfg, nil)}, nil
	case b.S3 != nil:
		scrub := newScrubber(cfg, b.S3)
		s, err := newS3Store(b.Name, b.S3, b.Prefix, scrub)
		if err != nil {
			return nil, err
		}
		return redacting{s, scrub}, nil
	default:
		return nil, fmt.Errorf("backup %q: neither directory nor s3 is set", b.Name)
	}
}

// newer says whether a is the later of two objects: by Modified, ties by the greater
// name (backup names usually carry a timestamp finer than the store's
// one-second LastModified).
func newer(a, b Object) bool {
	if !a.Modified.Equal(b.Modified) {
		return a.Modified.After(b.Modified)
	}
	return a.Name > b.Name
}

// scrubber hides secrets in error text: the S3 keys themselves (known
// here, whether or not they came from env()) and, as the last guard, every
// value the configuration marks secret.
type scrubber struct {
	keys *redact.Redactor
	cfg  *config.Config
}

func newScrubber(cfg *config.Config, s3 *config.S3Backup) *scrubber {
	var vals []string
	if s3 != nil {
		for _, v := range []string{s3.AccessKey, s3.SecretKey} {
			if v != "" {
				vals = append(vals, v)
			}
		}
	}
	return &scrubber{keys: redact.Strict(vals...), cfg: cfg}
}

func (s *scrubber) text(msg string) string {
	if s == nil {
		return msg
	}
	return s.cfg.Redact(s.keys.String(msg))
}

// scrubbedError carries a redacted message; Unwrap keeps errors.Is working
// for the sentinels and context errors it wraps.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// wrap formats "prefix: err" with secrets hidden, keeping err for errors.Is.
func (s *scrubber) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...) + ": " + err.Error()
	return &scrubbedError{msg: s.text(msg), err: err}
}

// redacting is the last guard on a store's errors: whatever a client or
// the file system quotes, a secret of the configuration is hidden.
type redacting struct {
	store Store
	scrub *scrubber
}

func (r redacting) Newest(ctx context.Context) (Object, error) {
	o, err := r.store.Newest(ctx)
	return o, r.scrub.err(err)
}

func (r redacting) Fetch(ctx context.Context, name string, w io.Writer) error {
	return r.scrub.err(r.store.Fetch(ctx, name, w))
}

// err returns e with its text redacted (still unwrapping to e), or e
// itself when its text holds no secret.
func (s *scrubber) err(e error) error {
	if e == nil {
		return nil
	}
	if msg := s.text(e.Error()); msg != e.Error() {
		return &scrubbedError{msg: msg, err: e}
	}
	return e
}

// hasDotDot reports a ".." path element.
func hasDotDot(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

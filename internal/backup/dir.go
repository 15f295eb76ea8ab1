package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// dirStore holds backups as files in one directory.
//
// The rule: the prefix is split at its last "/". The part before it names
// a subdirectory of the backup directory, the part after it is a file name
// prefix there ("db/nightly-" means the files db/nightly-* of the
// directory). Only that one directory is read, never its subdirectories,
// and only regular files count: symbolic links (a "latest" link would
// count a backup twice, or point outside) and other special files are
// skipped, and so are names starting with "." unless the prefix does
// (rsync and most copy tools write a file in progress as a hidden one).
type dirStore struct {
	name    string // the backup block's
	root    string // the backup directory
	sub     string // the prefix's directory part, slash-separated, "" for none
	pattern string // the prefix's file name part
}

func newDirStore(block, root, prefix string) (*dirStore, error) {
	sub, pattern := "", prefix
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		sub, pattern = strings.Trim(prefix[:i], "/"), prefix[i+1:]
	}
	if hasDotDot(sub) || path.IsAbs(prefix) {
		return nil, fmt.Errorf("backup %q: prefix %q must stay inside the directory", block, prefix)
	}
	return &dirStore{name: block, root: root, sub: sub, pattern: pattern}, nil
}

func (d *dirStore) dir() string { return filepath.Join(d.root, filepath.FromSlash(d.sub)) }

// objectName is a file's Object.Name: its path below the backup directory.
func (d *dirStore) objectName(file string) string {
	if d.sub == "" {
		return file
	}
	return d.sub + "/" + file
}

// matches says whether a directory entry's name is one of the backups.
func (d *dirStore) matches(name string) bool {
	if !strings.HasPrefix(name, d.pattern) {
		return false
	}
	return !strings.HasPrefix(name, ".") || strings.HasPrefix(d.pattern, ".")
}

func (d *dirStore) Newest(ctx context.Context) (Object, error) {
	dir := d.dir()
	f, err := os.Open(dir)
	if err != nil {
		return Object{}, fmt.Errorf("backup %q: %w", d.name, err)
	}
	defer f.Close()
	var best Object
	found, seen := false, 0
	// In batches, so a huge directory is neither read whole into memory
	// nor read past the cap, and a cancelled context stops it.
	for {
		if err := ctx.Err(); err != nil {
			return Object{}, fmt.Errorf("backup %q: list %s: %w", d.name, dir, err)
		}
		entries, err := f.ReadDir(1024)
		for _, e := range entries {
			if !e.Type().IsRegular() || !d.matches(e.Name()) {
				continue
			}
			seen++
			if seen > maxObjects {
				return Object{}, fmt.Errorf("backup %q: more than %d files match in %s: %w", d.name, maxObjects, dir, ErrTooMany)
			}
			info, ierr := e.Info()
			if errors.Is(ierr, fs.ErrNotExist) {
				continue // removed since it was listed (rotation)
			}
			if ierr != nil {
				return Object{}, fmt.Errorf("backup %q: %w", d.name, ierr)
			}
			o := Object{Name: d.objectName(e.Name()), Size: info.Size(), Modified: info.ModTime()}
			if !found || newer(o, best) {
				best, found = o, true
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return Object{}, fmt.Errorf("backup %q: list %s: %w", d.name, dir, err)
		}
	}
	if !found {
		return Object{}, fmt.Errorf("backup %q: no file %s* in %s: %w", d.name, d.pattern, dir, ErrNoBackup)
	}
	return best, nil
}

func (d *dirStore) Fetch(ctx context.Context, name string, w io.Writer) error {
	sub, file := "", name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		sub, file = name[:i], name[i+1:]
	}
	// Only the names Newest can return: in the prefix's directory, matching it.
	if sub != d.sub || file == "" || !d.matches(file) || file == "." || file == ".." {
		return fmt.Errorf("backup %q: %q: %w", d.name, name, ErrNotFound)
	}
	p := filepath.Join(d.dir(), file)
	info, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup %q: %q: %w", d.name, name, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("backup %q: %w", d.name, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("backup %q: %q is not a regular file: %w", d.name, name, ErrNotFound)
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("backup %q: %w", d.name, err)
	}
	defer f.Close()
	// The file opened must be the one checked (not a link swapped in since).
	if opened, err := f.Stat(); err != nil || !os.SameFile(info, opened) {
		return fmt.Errorf("backup %q: %q changed while being opened: %w", d.name, name, ErrNotFound)
	}
	if _, err := io.Copy(w, ctxReader{ctx, f}); err != nil {
		return fmt.Errorf("backup %q: read %q: %w", d.name, name, err)
	}
	return nil
}

// ctxReader stops a long copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

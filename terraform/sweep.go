package terraform

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// staleAge is how old a variable file must be before a sweep removes it
// without knowing its writer: one whose name does not parse, or one left
// in the system temporary directory by an older version. A command lasts
// at most Options.Timeout plus KillAfter, far less than this.
const staleAge = 24 * time.Hour

// legacyVarDir matches the per-command directories older versions created
// in the system temporary directory, each holding legacyVarFile.
var legacyVarDir = regexp.MustCompile(`^lifeboat-vars-[0-9]+$`)

const legacyVarFile = "lifeboat.tfvars.json"

// SweepVarFiles removes variable files that a killed process left in dir
// (DefaultVarDir when ""): those whose writer has exited, and any
// unrecognised vars-* file older than a day. A file of a running process is
// never removed. It also removes, from the system temporary directory, the
// variable directories older versions left there more than a day ago. Call
// it at start-up; workspaces also sweep their directory before their first
// command. A missing dir is not an error; one that is not private to this
// user is refused (ErrUnsafeVarDir) and left alone.
func SweepVarFiles(dir string, log *slog.Logger) (removed int, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dir == "" {
		dir = DefaultVarDir()
	}
	n, lerr := sweepLegacy(os.TempDir(), log)
	m, derr := sweepDir(dir, log)
	return n + m, errors.Join(derr, lerr)
}

// sweepDir removes dead processes' variable files from dir.
func sweepDir(dir string, log *slog.Logger) (removed int, err error) {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err := checkVarDir(dir); err != nil {
		return 0, fmt.Errorf("sweep variable files: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("sweep variable files: %w", err)
	}
	var errs []error
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), varFilePrefix) {
			continue
		}
		o, ok := parseVarFileName(e.Name())
		if ok && o.alive() {
			continue
		}
		if !ok {
			fi, err := e.Info()
			if err != nil || time.Since(fi.ModTime()) < staleAge {
				continue
			}
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed++
		if ok {
			log.Info("terraform: removed a variable file left by a process that is gone", "path", p, "pid", o.pid)
		} else {
			log.Info("terraform: removed an old variable file", "path", p)
		}
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("sweep variable files: %w", errors.Join(errs...))
	}
	return removed, nil
}

// sweepLegacy removes the lifeboat-vars-N directories older versions made
// in tmp for each command, when they are ours, hold nothing but the
// variable file and have not changed for staleAge. Those names carry no
// pid, so age is the only sign their command is over.
func sweepLegacy(tmp string, log *slog.Logger) (removed int, err error) {
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return 0, nil // no temporary directory: nothing of ours in it
	}
	var errs []error
	for _, e := range ents {
		if !e.IsDir() || !legacyVarDir.MatchString(e.Name()) {
			continue
		}
		d := filepath.Join(tmp, e.Name())
		if !legacyStale(d) {
			continue
		}
		f := filepath.Join(d, legacyVarFile)
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		if err := os.Remove(d); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
		log.Info("terraform: removed a variable file an older version left in the temporary directory", "path", f)
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("sweep old variable files: %w", errors.Join(errs...))
	}
	return removed, nil
}

func legacyStale(dir string) bool {
	if checkVarDir(dir) != nil {
		return false
	}
	fi, err := os.Lstat(dir)
	if err != nil || time.Since(fi.ModTime()) < staleAge {
		return false
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) > 1 {
		return false
	}
	if len(ents) == 1 {
		e := ents[0]
		fi, err := e.Info()
		if e.Name() != legacyVarFile || !e.Type().IsRegular() || err != nil || time.Since(fi.ModTime()) < staleAge {
			return false
		}
	}
	return true
}

// swept records the directories this process has swept, so each
// workspace's first command sweeps its directory once.
var swept sync.Map

func sweepOnce(dir string, log *slog.Logger) {
	if _, done := swept.LoadOrStore(dir, true); done {
		return
	}
	if _, err := sweepDir(dir, log); err != nil {
		log.Warn("terraform: sweeping variable files", "err", err)
	}
}

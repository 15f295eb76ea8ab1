package terraform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// VarDirName is the directory, next to the journal, where versions that
// passed variables in a file wrote them (see VarDirForState). Variables now
// go through the environment (vars.go); the directory is kept private and
// swept so files a killed older process left there do not stay on disk.
const VarDirName = ".lifeboat-vars"

// ErrUnsafeVarDir means the variable file directory could be read or
// replaced by another user: it is not a directory of ours with mode 0700.
var ErrUnsafeVarDir = errors.New("unsafe directory for variable files")

// VarDirForState returns the variable file directory for a journal file:
// VarDirName in the journal's directory, which already holds private data.
func VarDirForState(statePath string) string {
	return filepath.Join(filepath.Dir(statePath), VarDirName)
}

// DefaultVarDir is the variable file directory when Options.VarDir is
// empty: one per user in the system temporary directory. Another user may
// create it first there; ensureVarDir then refuses it rather than use it.
func DefaultVarDir() string {
	return filepath.Join(os.TempDir(), "lifeboat-vars."+strconv.Itoa(os.Geteuid()))
}

// ensureVarDir creates dir with mode 0700 when missing and checks it.
func ensureVarDir(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrNotExist) {
		// The state directory itself may not exist yet.
		if err = os.MkdirAll(filepath.Dir(dir), 0o700); err == nil {
			err = os.Mkdir(dir, 0o700)
		}
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("variable file directory: %w", err)
	}
	return checkVarDir(dir)
}

// checkVarDir refuses a directory another user could read, write or
// swap: a symbolic link, one owned by someone else, or one with any
// group or other permission bit.
func checkVarDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("variable file directory: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%w: %s is a symbolic link", ErrUnsafeVarDir, dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUnsafeVarDir, dir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: %s is owned by uid %d, not by this process's uid %d", ErrUnsafeVarDir, dir, st.Uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, open to group or others (chmod 700 it)", ErrUnsafeVarDir, dir, perm)
	}
	return nil
}

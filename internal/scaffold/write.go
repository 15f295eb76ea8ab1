package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned when the configuration file exists and force was
// not asked for.
var ErrExists = errors.New("the configuration file exists (--force overwrites it)")

// Result is what Write did, paths as given (relative to the working
// directory when the configuration path is).
type Result struct {
	Config  string
	Written []string // the workspaces' files written
	Kept    []string // the workspaces' files that existed and were left alone
	Secrets []Secret
}

// CheckTarget reports ErrExists when configPath exists and force is false,
// so a terminal session learns it before the questions.
func CheckTarget(configPath string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Lstat(configPath); err == nil {
		return fmt.Errorf("%s: %w", configPath, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check %s: %w", configPath, err)
	}
	return nil
}

// Write writes the configuration of normalized answers at configPath and a
// workspace skeleton per provider beside it (infra/NAME/main.tf). An
// existing configuration is refused unless force; an existing workspace
// file is never overwritten (it may hold the real infrastructure): it is
// kept and listed as such.
func Write(configPath string, a Answers, force bool) (Result, error) {
	res := Result{Config: configPath, Secrets: a.Secrets()}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	if err := writeFile(configPath, Config(a), flags); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Result{}, fmt.Errorf("%s: %w", configPath, ErrExists)
		}
		return Result{}, err
	}
	base := filepath.Dir(configPath)
	for _, p := range a.Providers {
		dir := filepath.Join(base, filepath.FromSlash(WorkspaceDir(p)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return res, fmt.Errorf("create workspace of provider %q: %w", p.Name, err)
		}
		file := filepath.Join(dir, "main.tf")
		err := writeFile(file, Workspace(p), os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		switch {
		case errors.Is(err, fs.ErrExist):
			res.Kept = append(res.Kept, file)
		case err != nil:
			return res, err
		default:
			res.Written = append(res.Written, file)
		}
	}
	return res, nil
}

func writeFile(path string, data []byte, flags int) error {
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

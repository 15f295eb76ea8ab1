package terraform

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// varFileJSON renders variables as a .tfvars.json document. A value is a
// JSON string, except one that is a JSON array or object, which is kept as
// is: that matches -var, where a value for a list, map or object variable
// is parsed as an expression and one for a string, number or bool variable
// is converted from the string.
func varFileJSON(vars map[string]string) ([]byte, error) {
	doc := make(map[string]json.RawMessage, len(vars))
	for k, v := range vars {
		if t := bytes.TrimSpace([]byte(v)); len(t) > 0 && (t[0] == '[' || t[0] == '{') && json.Valid(t) {
			doc[k] = json.RawMessage(t)
			continue
		}
		s, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		doc[k] = s
	}
	return json.MarshalIndent(doc, "", "  ") // map keys sorted: stable files
}

// writeVarFile writes vars to a new file in dir, private to this user
// (see ensureVarDir), named after this process (see owner.go), and returns
// its path and a function that removes it. A file, unlike -var arguments,
// keeps the values out of process listings. No vars: no file, path "".
func writeVarFile(dir string, vars map[string]string) (string, func() error, error) {
	if len(vars) == 0 {
		return "", func() error { return nil }, nil
	}
	data, err := varFileJSON(vars)
	if err != nil {
		return "", nil, fmt.Errorf("variables: %w", err)
	}
	if err := ensureVarDir(dir); err != nil {
		return "", nil, err
	}
	var r [8]byte
	rand.Read(r[:])
	path := filepath.Join(dir, varFileName(hex.EncodeToString(r[:])))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", nil, fmt.Errorf("variables: %w", err)
	}
	cleanup := func() error {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("variables: %w", err)
	}
	return path, cleanup, nil
}

// writeVarFile writes vars into the workspace's variable directory, which
// it sweeps first the first time; the returned function removes the file
// and logs if it cannot.
func (w *Workspace) writeVarFile(vars map[string]string) (string, func(), error) {
	sweepOnce(w.opts.VarDir, w.log)
	path, cleanup, err := writeVarFile(w.opts.VarDir, vars)
	if err != nil {
		return "", nil, err
	}
	return path, func() {
		if err := cleanup(); err != nil {
			w.log.Warn("terraform: removing the variable file", "err", err)
		}
	}, nil
}

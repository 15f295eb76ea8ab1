package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// maxFileSize bounds what file() reads: secrets and small snippets, never
// a device or a log that grows forever.
const maxFileSize = 1 << 20

// evalContext offers the two functions of the language, env() and file().
// Their results may be secrets: each one is handed to secret so the
// loader can scrub it from every message it emits.
func evalContext(dir string, lookup func(string) (string, bool), secret func(string)) *hcl.EvalContext {
	return &hcl.EvalContext{
		Functions: map[string]function.Function{
			"env":  envFunc(lookup, secret),
			"file": fileFunc(dir, secret),
		},
	}
}

func envFunc(lookup func(string) (string, bool), secret func(string)) function.Function {
	return function.New(&function.Spec{
		Description: "The value of an environment variable; an error when it is not set.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			v, ok := lookup(name)
			if !ok {
				return cty.NilVal, fmt.Errorf("environment variable %s is not set", name)
			}
			if !utf8.ValidString(v) {
				return cty.NilVal, fmt.Errorf("environment variable %s is not valid UTF-8", name)
			}
			secret(v)
			return cty.StringVal(v), nil
		},
	})
}

func fileFunc(dir string, secret func(string)) function.Function {
	return function.New(&function.Spec{
		Description: "The contents of a file, relative to the configuration file's directory, without one trailing newline.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			s, err := readSmallFile(dir, p)
			if err != nil {
				return cty.NilVal, fmt.Errorf("cannot read %q: %w", p, err)
			}
			secret(s)
			return cty.StringVal(s), nil
		},
	})
}

// readSmallFile reads a regular file of at most maxFileSize bytes. The
// errors it returns never include the file's contents.
func readSmallFile(dir, p string) (string, error) {
	if p == "" {
		return "", errors.New("empty path")
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	// Stat before opening: opening a FIFO would block.
	st, err := os.Stat(p)
	if err != nil {
		return "", pathErr(err)
	}
	if !st.Mode().IsRegular() {
		return "", errors.New("not a regular file")
	}
	if st.Size() > maxFileSize {
		return "", fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	f, err := os.Open(p)
	if err != nil {
		return "", pathErr(err)
	}
	defer f.Close()
	// Read no more than the size stat reported: kernel pseudo-files
	// report 0 and some of them block forever when read.
	b, err := io.ReadAll(io.LimitReader(f, st.Size()))
	if err != nil {
		return "", pathErr(err)
	}
	if !utf8.Valid(b) {
		return "", errors.New("not valid UTF-8 text")
	}
	s := string(b)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(t, "\r")
	}
	return s, nil
}

// pathErr drops the absolute path an *fs.PathError carries: the message
// already names the path as written.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

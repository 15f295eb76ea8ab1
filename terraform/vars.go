package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// writeVarFile writes vars to a new private file and returns its path and a
// function that removes it. A file, unlike -var arguments, keeps the values
// out of process listings. No vars: no file, path "".
func writeVarFile(vars map[string]string) (string, func(), error) {
	if len(vars) == 0 {
		return "", func() {}, nil
	}
	data, err := varFileJSON(vars)
	if err != nil {
		return "", nil, fmt.Errorf("variables: %w", err)
	}
	dir, err := os.MkdirTemp("", "lifeboat-vars-") // mode 0700
	if err != nil {
		return "", nil, fmt.Errorf("variables: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, "lifeboat.tfvars.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("variables: %w", err)
	}
	return path, cleanup, nil
}

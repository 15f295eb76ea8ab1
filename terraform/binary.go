package terraform

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoBinary means neither the configured binary nor a default (tofu,
// then terraform) could be found.
var ErrNoBinary = errors.New("no terraform or tofu binary found")

// defaultBinaries are tried in order when no binary is configured.
var defaultBinaries = []string{"tofu", "terraform"}

// FindBinary resolves name to an executable path. A name containing a path
// separator is used as is (it must be an executable file); a bare name is
// looked up in PATH; "" tries tofu, then terraform. Errors wrap ErrNoBinary.
func FindBinary(name string) (string, error) {
	if name == "" {
		for _, n := range defaultBinaries {
			if p, err := exec.LookPath(n); err == nil {
				return filepath.Abs(p)
			}
		}
		return "", fmt.Errorf("%w: neither %s in PATH", ErrNoBinary, strings.Join(defaultBinaries, " nor "))
	}
	if strings.ContainsRune(name, filepath.Separator) {
		fi, err := os.Stat(name)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrNoBinary, err)
		}
		if fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%w: %s is not an executable file", ErrNoBinary, name)
		}
		return filepath.Abs(name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoBinary, err)
	}
	return filepath.Abs(p)
}

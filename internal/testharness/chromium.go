package testharness

import (
	"os/exec"
	"testing"
)

// Chromium finds a Chromium-family browser for headless tests, or handles
// its absence as for every real component (Require).
func Chromium(t testing.TB) string {
	t.Helper()
	Real(t, "Chromium")
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Require(t, "chromium (or chromium-browser, google-chrome)", "run scripts/chromium.sh as root to install Debian's chromium package")
	return ""
}

package journal

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// The writer holding the journal leaves a note next to it naming itself,
// since the locked file cannot be read by the process refused the lock.
// The note is informational: failing to write or read it never stops
// lifeboat.

func ownerPath(journalPath string) string { return journalPath + ".owner" }

// writeOwner leaves the note for this process.
func writeOwner(path string) {
	host, _ := os.Hostname() // an unknown host still names the pid
	_ = os.WriteFile(path, fmt.Appendf(nil, "pid %d on %s\n", os.Getpid(), host), 0o600)
}

// holder describes the writer named by the note, or "" when there is no
// note or it names a process of this host that has exited (a writer that
// crashed leaves its note; the lock is then held by a reader).
func holder(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var pid int
	var host string
	if n, _ := fmt.Sscanf(string(data), "pid %d on %s", &pid, &host); n < 1 || pid <= 0 {
		return ""
	}
	if h, err := os.Hostname(); err == nil && h == host && pid != os.Getpid() {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return ""
		}
	}
	return fmt.Sprintf("pid %d on %s", pid, host)
}

package journal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// The writer holding the journal leaves a note next to it naming itself,
// since the locked file cannot be read by the process refused the lock.
// The note is informational: failing to write or read it never stops
// lifeboat.

func ownerPath(journalPath string) string { return journalPath + ".owner" }

// writeOwner leaves the note for this process. Whatever else is at the
// path is left alone: a symbolic link (O_NOFOLLOW), a hard link to another
// file, a FIFO or a device would make the note overwrite or block on
// something that is not the note.
func writeOwner(path string) {
	f, err := openNote(path, os.O_WRONLY|os.O_CREATE)
	if err != nil {
		return
	}
	defer f.Close()
	host, _ := os.Hostname() // an unknown host still names the pid
	if f.Truncate(0) == nil {
		_, _ = f.Write(fmt.Appendf(nil, "pid %d on %s\n", os.Getpid(), host))
	}
}

// openNote opens the note without following a symbolic link and only if
// it is a regular file with no other name.
func openNote(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !fi.Mode().IsRegular() || (ok && st.Nlink > 1) {
			err = fmt.Errorf("%s: %w", path, errNotANote)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

var errNotANote = errors.New("not a plain file: left alone")

// holder describes the writer named by the note, or "" when there is no
// note or it names a process of this host that has exited (a writer that
// crashed leaves its note; the lock is then held by a reader).
func holder(path string) string {
	f, err := openNote(path, os.O_RDONLY)
	if err != nil {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(f, 512))
	f.Close()
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

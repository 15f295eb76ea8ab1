//go:build unix

package healthtest

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit raises the soft limit on open files to the hard one:
// thousands of targets mean thousands of sockets.
func RaiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, fmt.Errorf("open-file limit: %w", err)
	}
	if l.Cur < l.Max {
		was := l.Cur
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return was, fmt.Errorf("raise open-file limit to %d: %w", l.Max, err)
		}
	}
	return l.Cur, nil
}

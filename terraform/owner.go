package terraform

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// A variable file's name says which process wrote it, so a sweep can tell
// a crashed process's file from a running one's:
//
//	vars-<pid>-<start>-<boot>-<random>.tfvars.json
//
// start is the process's start time in clock ticks since boot and boot a
// prefix of the kernel's boot id, both from /proc; they tell a reused pid,
// or one from before a reboot, from the writer. Without /proc both are "0"
// and the pid alone decides.
const (
	varFilePrefix = "vars-"
	varFileSuffix = ".tfvars.json" // the CLI reads JSON only with it
)

// owner identifies the process that wrote a variable file.
type owner struct {
	pid   int
	start string
	boot  string
}

var self = sync.OnceValue(func() owner {
	pid := os.Getpid()
	start, _ := procStart(pid)
	return owner{pid: pid, start: orZero(start), boot: orZero(bootID())}
})

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// varFileName names a new variable file of this process.
func varFileName(random string) string {
	o := self()
	return varFilePrefix + strconv.Itoa(o.pid) + "-" + o.start + "-" + o.boot + "-" + random + varFileSuffix
}

// parseVarFileName returns the owner a variable file's name records; ok is
// false for a name this package did not write.
func parseVarFileName(name string) (o owner, ok bool) {
	rest, ok1 := strings.CutPrefix(name, varFilePrefix)
	rest, ok2 := strings.CutSuffix(rest, varFileSuffix)
	parts := strings.Split(rest, "-")
	if !ok1 || !ok2 || len(parts) != 4 {
		return owner{}, false
	}
	pid, err := strconv.Atoi(parts[0])
	if err != nil || pid <= 0 { // kill(0) and kill(-1) mean groups, not one process
		return owner{}, false
	}
	for _, p := range parts[1:] {
		if p == "" {
			return owner{}, false
		}
	}
	return owner{pid: pid, start: parts[1], boot: parts[2]}, true
}

// alive reports whether the process that wrote a file may still be
// running. When in doubt it says yes: a kept file is cheap, a file pulled
// from under a running command is not.
func (o owner) alive() bool {
	if o.boot != "0" {
		if cur := bootID(); cur != "" && cur != o.boot {
			return false // written before a reboot
		}
	}
	if err := syscall.Kill(o.pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	if o.start != "0" {
		if s, ok := procStart(o.pid); ok && s != o.start {
			return false // the pid now belongs to another process
		}
	}
	return true
}

// procStart returns a process's start time in clock ticks since boot,
// field 22 of /proc/<pid>/stat, counted after the command name, which may
// hold spaces and parentheses.
func procStart(pid int) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): field 22 is f[19].
	if len(f) < 20 {
		return "", false
	}
	if _, err := strconv.ParseUint(f[19], 10, 64); err != nil {
		return "", false
	}
	return f[19], true
}

// bootID returns the first 8 hex digits of the kernel's boot id, or "".
var bootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	id := strings.ReplaceAll(strings.TrimSpace(string(b)), "-", "")
	if err != nil || len(id) < 8 {
		return ""
	}
	return id[:8]
})

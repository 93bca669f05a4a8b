package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// removeStale removes the temporary files that killed runs left beside the
// file base in dir: regular files named exactly .BASE.tmp-PID-RANDOM
// (PID and RANDOM decimal) whose process is gone, or whose PID now belongs
// to a process started after the file was last modified. Errors are
// ignored: a temporary file that stays is harmless.
func removeStale(dir, base string) {
	prefix := "." + base + ".tmp-"
	names, err := filepath.Glob(filepath.Join(dir, globEscape(prefix)+"*"))
	if err != nil {
		return
	}
	for _, name := range names {
		pid, ok := tempPID(filepath.Base(name), prefix)
		if !ok || pid == os.Getpid() {
			continue
		}
		fi, err := os.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if !running(pid) || startedAfter(pid, fi) {
			os.Remove(name)
		}
	}
}

// tempPID returns the PID in name, which must be prefix followed by
// PID-RANDOM, both decimal.
func tempPID(name, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	p, r, ok := strings.Cut(rest, "-")
	if !ok || !decimal(p) || !decimal(r) {
		return 0, false
	}
	pid, err := strconv.Atoi(p)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

func decimal(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// running reports whether a process with the given PID exists.
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// startedAfter reports whether the process pid started after the file fi
// was last modified (with a second's margin), which means the PID was
// reused. The start comes from /proc/PID/stat's starttime (field 22, in
// clock ticks since boot) and /proc/stat's btime; without them it reports
// false.
func startedAfter(pid int, fi os.FileInfo) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The command name, in parentheses, may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return false
	}
	fields := strings.Fields(string(stat[i+1:]))
	const startField = 22 - 3 // fields after the name start at field 3
	if len(fields) <= startField {
		return false
	}
	ticks, err := strconv.ParseInt(fields[startField], 10, 64)
	if err != nil {
		return false
	}
	btime, ok := bootTime()
	if !ok {
		return false
	}
	const clockTicks = 100 // USER_HZ, which Linux fixes at 100 for /proc
	start := time.Unix(btime+ticks/clockTicks, 0)
	return start.After(fi.ModTime().Add(time.Second))
}

// bootTime returns the btime line of /proc/stat: the boot time in seconds
// since the epoch.
func bootTime() (int64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// globEscape quotes the characters filepath.Match treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

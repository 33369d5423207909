package lab

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// CleanupStale deletes the namespaces (and /etc/netns overlays) named
// <prefix>-<pid>-<host> whose pid is no longer a live process: leftovers of
// a run that was killed before Close. Labs of live processes, including
// other test binaries running in parallel, are left alone. It returns the
// names it removed.
func CleanupStale(prefix string) ([]string, error) {
	if !validName.MatchString(prefix) {
		return nil, fmt.Errorf("lab: prefix %q must match %s", prefix, validName)
	}
	seen := map[string]bool{}
	for _, dir := range []string{netnsRunDir, etcRoot} {
		ents, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		for _, e := range ents {
			seen[e.Name()] = true
		}
	}
	var removed []string
	var first error
	for name := range seen {
		pid, ok := labPid(prefix, name)
		if !ok || pidAlive(pid) {
			continue
		}
		if err := deleteNamespace(name); err != nil && first == nil {
			first = err
			continue
		}
		removed = append(removed, name)
	}
	return removed, first
}

// labPid extracts pid from "<prefix>-<pid>-<host>".
func labPid(prefix, name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix+"-")
	if !ok {
		return 0, false
	}
	num, host, ok := strings.Cut(rest, "-")
	if !ok || !validName.MatchString(host) {
		return 0, false
	}
	pid, err := strconv.Atoi(num)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

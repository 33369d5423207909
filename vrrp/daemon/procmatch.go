package daemon

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// TrackProcessSpec is a vrrp_track_process block.
type TrackProcessSpec struct {
	Name    string
	Process string
	Params  []string
	Match   ka.ParamMatch
	// CommandLine: Process and Params are compared with the command line
	// (/proc/PID/cmdline), otherwise Process with the name (/proc/PID/comm).
	CommandLine bool
	Weight      int
	Reverse     bool
	// The tracker is up while Quorum <= matching processes <= QuorumMax.
	Quorum, QuorumMax int
	// ForkDelay, TerminateDelay: fork_delay, terminate_delay.
	ForkDelay, TerminateDelay time.Duration
}

// procInfo is what is read of one process.
type procInfo struct {
	comm string
	argv []string // nil when not read
}

// matches is keepalived 2.2.7's comparison (track_process.c): the exact
// name, or the command line's first word and then its parameters as
// param_match says: exact (the same ones), partial (the given ones first,
// more may follow), initial (as partial, the last given being a prefix).
func (s *TrackProcessSpec) matches(p procInfo) bool {
	if !s.CommandLine {
		return p.comm == s.Process
	}
	if len(p.argv) == 0 || p.argv[0] != s.Process {
		return false
	}
	params, want := p.argv[1:], s.Params
	switch s.Match {
	case ka.ParamNone:
		return true
	case ka.ParamExact:
		return slices.Equal(params, want)
	}
	if len(params) < len(want) {
		return false
	}
	if s.Match == ka.ParamPartial || len(want) == 0 {
		return slices.Equal(params[:len(want)], want)
	}
	n := len(want) - 1
	return slices.Equal(params[:n], want[:n]) && strings.HasPrefix(params[n], want[n])
}

// up says whether count processes make the tracker up.
func (s *TrackProcessSpec) up(count int) bool {
	return count >= s.Quorum && count <= s.QuorumMax
}

// readProc reads a process's name (and, if argv, its command line) from
// procRoot (/proc). ok is false for a process gone or a zombie (keepalived
// does not count zombies: they are not running).
func readProc(procRoot string, pid int, argv bool) (procInfo, bool) {
	dir := procRoot + "/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || len(b) < end+3 || b[end+2] == 'Z' {
		return procInfo{}, false
	}
	info := procInfo{comm: string(b[open+1 : end])}
	if argv {
		c, err := os.ReadFile(dir + "/cmdline")
		if err != nil {
			return procInfo{}, false
		}
		c = bytes.TrimSuffix(c, []byte{0})
		if len(c) > 0 {
			info.argv = strings.Split(string(c), "\x00")
		}
	}
	return info, true
}

// listPIDs lists the processes of procRoot.
func listPIDs(procRoot string) []int {
	ents, err := os.ReadDir(procRoot)
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 && e.IsDir() {
			out = append(out, pid)
		}
	}
	return out
}

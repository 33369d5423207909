package runtimeapi

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// VarReader is a Source that reads process-wide variables (`get var`).
type VarReader interface {
	// ProcVar is a proc.<name> variable's type name and value; false
	// when it is not set.
	ProcVar(name string) (typ, val string, ok bool)
}

// CLISocketLister is a Source that lists its stats sockets as `show cli
// sockets` prints them ("unix@/path", "ipv4@addr:port") with their level.
type CLISocketLister interface {
	CLISockets() (addrs, levels []string)
}

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"get", "var"}, usage: "get var <name>", desc: "retrieve contents of a process-wide variable", level: LevelOperator, run: cmdGetVar},
		{words: []string{"set", "timeout"}, usage: "set timeout [cli] <delay>", desc: "change a timeout setting", run: cmdSetTimeout},
		{words: []string{"show", "cache"}, usage: "show cache", desc: "show cache status", level: LevelAdmin, run: cmdShowCache},
		{words: []string{"show", "cli", "sockets"}, usage: "show cli sockets", desc: "dump list of cli sockets", level: LevelOperator, run: cmdShowCLISockets},
		{words: []string{"show", "env"}, usage: "show env [var]", desc: "dump environment variables known to the process", level: LevelOperator, run: cmdShowEnv},
		{words: []string{"expert-mode"}, run: cmdMode}, // answered, never listed, as HAProxy's
		{words: []string{"experimental-mode"}, run: cmdMode},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

// cmdGetVar prints a process variable; HAProxy 2.6.12 ends this answer
// without the empty line that ends the others.
func cmdGetVar(s *Session, args []string) string {
	name := arg(args, 2)
	if name == "" {
		return "Missing process-wide variable identifier.\n"
	}
	vr, ok := s.src.(VarReader)
	if !ok {
		return "Variable not found.\n"
	}
	typ, val, ok := vr.ProcVar(name)
	if !ok {
		return "Variable not found.\n"
	}
	s.noEnd = true
	return fmt.Sprintf("%s: type=%s value=<%s>\n", name, typ, val)
}

// cmdSetTimeout is `set timeout cli <delay>`: the session's idle limit,
// in seconds unless a unit is given; it applies in prompt mode too.
func cmdSetTimeout(s *Session, args []string) string {
	if arg(args, 2) != "cli" {
		return "'set timeout' only supports 'cli'.\n"
	}
	v := arg(args, 3)
	if v == "" {
		return "Expects an integer value.\n"
	}
	d, ok := parseSeconds(v)
	if !ok || d < time.Millisecond {
		return "Invalid timeout value.\n"
	}
	s.idle = d
	return ""
}

// parseSeconds reads HAProxy's time format with seconds as the default
// unit.
func parseSeconds(v string) (time.Duration, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	unit := map[string]time.Duration{"": time.Second, "us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := unit[v[i:]]
	return time.Duration(n) * u, ok
}

// CacheLister is a Source that runs cache sections (`show cache`).
type CacheLister interface {
	// ShowCache is each cache's lines in HAProxy 2.6's format, in
	// configuration order (proxy/cache Show).
	ShowCache() string
}

// cmdShowCache lists the cache sections and their live entries; nothing
// without one, as HAProxy.
func cmdShowCache(s *Session, _ []string) string {
	if l, ok := s.src.(CacheLister); ok {
		return l.ShowCache()
	}
	return ""
}

func cmdShowCLISockets(s *Session, _ []string) string {
	var b strings.Builder
	b.WriteString("# socket lvl processes\n")
	if l, ok := s.src.(CLISocketLister); ok {
		addrs, levels := l.CLISockets()
		for i := range addrs {
			fmt.Fprintf(&b, "%s %s all\n", addrs[i], levels[i])
		}
	}
	return b.String()
}

// cmdShowEnv prints the process environment, or one variable.
func cmdShowEnv(s *Session, args []string) string {
	if name := arg(args, 2); name != "" {
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); k == name {
				return kv + "\n"
			}
		}
		return "Variable not found\n"
	}
	var b strings.Builder
	for _, kv := range os.Environ() {
		b.WriteString(kv + "\n")
	}
	return b.String()
}

// cmdMode is "expert-mode" and "experimental-mode" [on|off]: admin only;
// alone it tells the mode. The commands they unlock are known and refused
// (expert_cmds.go). A last word "-" (the master CLI's prefix) drops the
// empty line, refusal included, as HAProxy 2.6.12 does.
func cmdMode(s *Session, args []string) string {
	if len(args) > 2 && args[2] == "-" && !s.interactive {
		s.noEnd = true
	}
	if s.level < LevelAdmin {
		return "Permission denied\n"
	}
	mode := &s.expert
	if args[0] == "experimental-mode" {
		mode = &s.experimental
	}
	if len(args) == 1 {
		state := "OFF"
		if *mode {
			state = "ON"
		}
		return args[0] + " is " + state + "\n"
	}
	*mode = args[1] == "on"
	return ""
}

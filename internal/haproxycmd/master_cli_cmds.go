package haproxycmd

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// The master's own CLI: what HAProxy 2.6.12's master answers to the
// commands its CLI proxy (master_cli.go) hands to the master rather than
// to a worker. HAProxy runs each such command in a fresh, non-interactive
// CLI session at admin level, preceded by "operator -" or "user -" when
// the connection lowered its level; mcliApplet is that session.

// mcliKeyword is one command the master knows.
type mcliKeyword struct {
	words []string
	usage string // help's left column; "" = answered, never listed
	desc  string
	run   func(a *mcliApplet, args []string) string
}

// mcliKeywords are the commands HAProxy's master lists or answers, in
// its registration order (runtimeapi's registrationOrder, then mworker.c's),
// which decides which of equally close commands an unknown one is
// shown. Worker commands are unknown here, as in HAProxy (its master
// answers "show env" with the list below).
var mcliKeywords []*mcliKeyword

func init() {
	mcliKeywords = []*mcliKeyword{
		{words: []string{"help"}, run: func(a *mcliApplet, args []string) string { return mcliUsage(args) }},
		{words: []string{"prompt"}, run: func(a *mcliApplet, _ []string) string { a.prompt = !a.prompt; return "" }},
		{words: []string{"quit"}, run: func(a *mcliApplet, _ []string) string { a.quit = true; return "" }},
		{words: []string{"expert-mode"}, run: mcliMode},
		{words: []string{"experimental-mode"}, run: mcliMode},
		{words: []string{"mcli-debug-mode"}, run: mcliMode},
		{words: []string{"show", "cli", "sockets"}, usage: "show cli sockets", desc: "dump list of cli sockets",
			run: func(*mcliApplet, []string) string { return "" }}, // HAProxy's master lists none (measured)
		{words: []string{"show", "cli", "level"}, usage: "show cli level", desc: "display the level of the current CLI session",
			run: func(a *mcliApplet, _ []string) string { return a.level.String() + "\n" }},
		{words: []string{"show", "version"}, usage: "show version", desc: "show version of the current process",
			run: func(*mcliApplet, []string) string { return haproxy.Version + "\n" }},
		{words: []string{"operator"}, usage: "operator", desc: "lower the level of the current CLI session to operator", run: mcliSetLevel},
		{words: []string{"user"}, usage: "user", desc: "lower the level of the current CLI session to user", run: mcliSetLevel},
		{words: []string{"@<relative pid>"}, usage: "@<relative pid>", desc: "send a command to the <relative pid> process",
			run: func(a *mcliApplet, _ []string) string { return a.m.procTable() }}, // HAProxy's row shows the processes
		{words: []string{"@!<pid>"}, usage: "@!<pid>", desc: "send a command to the <pid> process", run: mcliNothing},
		{words: []string{"@master"}, usage: "@master", desc: "send a command to the master process", run: mcliNothing},
		{words: []string{"show", "proc"}, usage: "show proc", desc: "show processes status",
			run: func(a *mcliApplet, _ []string) string { return a.m.procTable() }},
		{words: []string{"reload"}, usage: "reload", desc: "reload haproxy", run: mcliReload},
	}
}

// mcliApplet is one command's session in the master.
type mcliApplet struct {
	m      *master
	level  runtimeapi.Level
	prompt bool // "prompt": the answer ends with HAProxy's "\n> "
	quit   bool // "quit": no answer at all
	noLF   bool // "operator -": no empty line after the answer
	reload bool // "reload" ran: HAProxy's master re-executes, the connection closes
	// expert and experimental are the modes (mcliMode).
	expert, experimental bool
}

func mcliNothing(*mcliApplet, []string) string { return "" }

func mcliSetLevel(a *mcliApplet, args []string) string {
	if args[0] == "operator" && a.level < runtimeapi.LevelOperator {
		return "Permission denied\n" // levels are never raised
	}
	if args[0] == "operator" {
		a.level = runtimeapi.LevelOperator
	} else {
		a.level = runtimeapi.LevelUser
	}
	a.noLF = len(args) > 1 && args[1] == "-"
	return ""
}

// mcliMode: expert and experimental modes unlock worker commands only, so
// the master's own answers never change but for telling the mode; its
// debug mode runs worker commands inside the master, which goha's master
// cannot. "-" drops the empty line, refusal included, as HAProxy's.
func mcliMode(a *mcliApplet, args []string) string {
	a.noLF = len(args) > 2 && args[2] == "-"
	if a.level < runtimeapi.LevelAdmin {
		return "Permission denied\n"
	}
	mode := &a.expert
	switch args[0] {
	case "experimental-mode":
		mode = &a.experimental
	case "mcli-debug-mode":
		if len(args) > 1 && args[1] == "on" {
			return mcliDebugRefused
		}
		mode = new(bool)
	}
	if len(args) == 1 {
		if *mode {
			return args[0] + " is ON\n"
		}
		return args[0] + " is OFF\n"
	}
	*mode = args[1] == "on"
	return ""
}

// mcliDebugRefused answers "mcli-debug-mode on": refused, not pretended.
const mcliDebugRefused = "mcli-debug-mode is not supported by goha.\n"

func mcliReload(a *mcliApplet, _ []string) string {
	if a.level < runtimeapi.LevelOperator {
		return "Permission denied\n"
	}
	done := make(chan struct{})
	a.m.reloadQ <- done
	<-done
	a.reload = true
	return ""
}

// exec runs one forwarded command line and returns the answer.
func (a *mcliApplet) exec(line string) string {
	// A payload ("<<" ending the line) is read by none of these commands.
	args := cliWords(strings.TrimSuffix(line, "<<"))
	var out string
	if kw := mcliFind(args); kw == nil {
		out = mcliUsage(args)
	} else {
		out = kw.run(a, args)
	}
	switch {
	case a.quit || a.reload:
		return out
	case a.prompt:
		return out + "\n> "
	case a.noLF:
		return out
	}
	return out + "\n"
}

// mcliFind is cli_find_kw: the first command whose words start args.
func mcliFind(args []string) *mcliKeyword {
	for _, kw := range mcliKeywords {
		if len(args) < len(kw.words) {
			continue
		}
		ok := true
		for i, w := range kw.words {
			ok = ok && args[i] == w
		}
		if ok {
			return kw
		}
	}
	return nil
}

// cliWords splits a command as HAProxy's CLI does: at spaces and tabs,
// a backslash taking the next byte literally.
func cliWords(line string) []string {
	var args []string
	var cur []byte
	in := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if in {
				args, cur, in = append(args, string(cur)), nil, false
			}
		case c == '\\' && i+1 < len(line):
			i++
			cur, in = append(cur, line[i]), true
		default:
			cur, in = append(cur, c), true
		}
	}
	if in {
		args = append(args, string(cur))
	}
	return args
}

// mcliUsage is the master's help and unknown-command answer
// (runtimeapi.GenUsage over its commands).
func mcliUsage(args []string) string {
	entries := make([]runtimeapi.UsageEntry, len(mcliKeywords))
	for i, kw := range mcliKeywords {
		entries[i].Words = kw.words
		if kw.usage != "" {
			entries[i].Line = fmt.Sprintf("%-40s: %s", kw.usage, kw.desc)
		}
	}
	return runtimeapi.GenUsage(entries, args)
}

// showProc prints HAProxy 2.6's table: the master with its reload and
// failed-reload counts, the current worker, then workers still finishing
// after a reload, then the programs and the former ones still running
// (newest first: fewest reloads, the configuration's order among equals).
func (m *master) showProc(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	row := func(c *child, typ, version string) {
		fmt.Fprintf(w, "%-15d %-15s %-15d %-15s %-15s\n", c.pid, typ, c.reloads, uptime(now.Sub(c.started)), version)
	}
	section := func(title string, list []*child, old bool) {
		var rows []*child
		for _, c := range list {
			if c.old == old {
				rows = append(rows, c)
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].reloads < rows[j].reloads })
		if len(rows) > 0 || !old {
			fmt.Fprintf(w, "# %s\n", title)
		}
		for _, c := range rows {
			if c.prog != "" {
				row(c, c.prog, "-")
			} else {
				row(c, "worker", haproxy.Version)
			}
		}
	}
	fmt.Fprintf(w, "#%-14s %-15s %-15s %-15s %-15s\n", "<PID>", "<type>", "<reloads>", "<uptime>", "<version>")
	fmt.Fprintf(w, "%-15d %-15s %-15s %-15s %-15s\n", m.pid, "master",
		fmt.Sprintf("%d [failed: %d]", m.reloads, m.failed), uptime(now.Sub(m.started)), haproxy.Version)
	section("workers", m.workers, false)
	section("old workers", m.workers, true)
	section("programs", m.programs, false)
	section("old programs", m.programs, true)
}

// uptime is HAProxy's "0d00h00m05s".
func uptime(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%dd%02dh%02dm%02ds", s/86400, s/3600%24, s/60%60, s%60)
}

package runtimeapi

import "strings"

// HAProxy 2.6.12's expert-mode commands (debug dev ..., httpclient) and
// its experimental one (set var): known, so that without the mode they
// get HAProxy's refusal and in it appear in help as HAProxy's do; goha
// runs none of them and says so (fail closed: these developer tools
// crash, stall or alter the process).

type mode int

const (
	modeNone mode = iota
	modeExpert
	modeExperimental
)

func init() {
	var list []*command
	for _, e := range []struct {
		words string
		usage string
		desc  string
		mode  mode
	}{
		{"debug dev bug", "debug dev bug", "call BUG_ON() and crash", modeExpert},
		{"debug dev check", "debug dev check", "call CHECK_IF() and possibly crash", modeExpert},
		{"debug dev close", "debug dev close  <fd>", "close this file descriptor", modeExpert},
		{"debug dev delay", "debug dev delay  [ms]", "sleep this long", modeExpert},
		{"debug dev exit", "debug dev exit   [code]", "immediately exit the process", modeExpert},
		{"debug dev fd", "debug dev fd", "scan for rogue/unhandled FDs", modeExpert},
		{"debug dev hex", "debug dev hex    <addr> [len]", "dump a memory area", modeExpert},
		{"debug dev log", "debug dev log    [msg] ...", "send this msg to global logs", modeExpert},
		{"debug dev loop", "debug dev loop   [ms]", "loop this long", modeExpert},
		{"debug dev panic", "debug dev panic", "immediately trigger a panic", modeExpert},
		{"debug dev sched", "debug dev sched  {task|tasklet} [k=v]*", "stress the scheduler", modeExpert},
		{"debug dev stream", "debug dev stream [k=v]*", "show/manipulate stream flags", modeExpert},
		{"debug dev sym", "debug dev sym    <addr>", "resolve symbol address", modeExpert},
		{"debug dev tkill", "debug dev tkill  [thr] [sig]", "send signal to thread", modeExpert},
		{"debug dev warn", "debug dev warn", "call WARN_ON() and possibly crash", modeExpert},
		{"debug dev write", "debug dev write  [size]", "write that many bytes in return", modeExpert},
		{"httpclient", "httpclient <method> <URI>", "launch an HTTP request", modeExpert},
		{"set var", "set var <name> [fmt|expr] {<fmt>|<expr>}", "set variable from an expression or a format", modeExperimental},
	} {
		name := e.words
		list = append(list, &command{words: strings.Fields(e.words), usage: e.usage, desc: e.desc, mode: e.mode,
			run: func(*Session, []string) string { return "'" + name + "' is not supported by goha.\n" }})
	}
	commands = append(commands[:len(commands)-3:len(commands)-3], append(list, commands[len(commands)-3:]...)...)
}

// modeRefusal is HAProxy's answer to an expert or experimental command
// outside its mode ("" when it may run).
func (s *Session) modeRefusal(c *command) string {
	switch {
	case c.mode == modeExpert && !s.expert:
		return "This command is restricted to expert mode only.\n"
	case c.mode == modeExperimental && !s.experimental:
		return "This command is restricted to experimental mode only.\n"
	}
	return ""
}

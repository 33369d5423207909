package runtimeapi

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Level is a CLI access level (`stats socket ... level`).
type Level int

// Access levels; HAProxy's default for a stats socket is LevelOperator.
const (
	LevelUser Level = iota
	LevelOperator
	LevelAdmin
)

func (l Level) String() string { return [...]string{"user", "operator", "admin"}[l] }

// ParseLevel reads a `level` argument.
func ParseLevel(s string) (Level, bool) {
	switch s {
	case "user":
		return LevelUser, true
	case "operator":
		return LevelOperator, true
	case "admin":
		return LevelAdmin, true
	}
	return 0, false
}

// command is one CLI keyword: its words, help line and handler.
type command struct {
	words []string
	usage string // left column of the help, "" = not listed
	desc  string
	level Level // minimum level
	mode  mode  // expert or experimental mode required (expert_cmds.go)
	run   func(s *Session, args []string) string
}

// commands are the supported keywords in HAProxy's help order
// (alphabetical; help, prompt and quit come last and are always listed).
var commands []*command

func init() {
	commands = []*command{
		{words: []string{"add", "server"}, usage: "add server <bk>/<srv>", desc: "create a new server", level: LevelAdmin, run: cmdAddServer},
		{words: []string{"clear", "counters"}, usage: "clear counters [all]", desc: "clear max statistics counters (or all counters)", level: LevelOperator, run: cmdClearCounters},
		{words: []string{"del", "server"}, usage: "del server <bk>/<srv>", desc: "remove a dynamically added server", level: LevelAdmin, run: cmdDelServer},
		{words: []string{"disable", "agent"}, usage: "disable agent", desc: "disable agent checks", level: LevelAdmin, run: cmdDisableAgent},
		{words: []string{"disable", "frontend"}, usage: "disable frontend <frontend>", desc: "temporarily disable specific frontend", level: LevelAdmin, run: cmdDisableFrontend},
		{words: []string{"disable", "health"}, usage: "disable health", desc: "disable health checks", level: LevelAdmin, run: cmdDisableHealth},
		{words: []string{"disable", "server"}, usage: "disable server (DEPRECATED)", desc: "disable a server for maintenance (use 'set server' instead)", level: LevelAdmin, run: cmdDisableServer},
		{words: []string{"enable", "agent"}, usage: "enable agent", desc: "enable agent checks", level: LevelAdmin, run: cmdEnableAgent},
		{words: []string{"enable", "frontend"}, usage: "enable frontend <frontend>", desc: "re-enable specific frontend", level: LevelAdmin, run: cmdEnableFrontend},
		{words: []string{"enable", "health"}, usage: "enable health", desc: "enable health checks", level: LevelAdmin, run: cmdEnableHealth},
		{words: []string{"enable", "server"}, usage: "enable server  (DEPRECATED)", desc: "enable a disabled server (use 'set server' instead)", level: LevelAdmin, run: cmdEnableServer},
		{words: []string{"get", "weight"}, usage: "get weight <bk>/<srv>", desc: "report a server's current weight", run: cmdGetWeight},
		{words: []string{"operator"}, usage: "operator", desc: "lower the level of the current CLI session to operator", run: cmdOperator},
		{words: []string{"set", "maxconn", "frontend"}, usage: "set maxconn frontend <frontend> <value>", desc: "change a frontend's maxconn setting", level: LevelAdmin, run: cmdSetMaxconn},
		{words: []string{"set", "maxconn", "global"}, usage: "set maxconn global <value>", desc: "change the per-process maxconn setting", level: LevelAdmin, run: cmdSetMaxconn},
		{words: []string{"set", "maxconn", "server"}, usage: "set maxconn server <bk>/<srv>", desc: "change a server's maxconn setting", level: LevelAdmin, run: cmdSetMaxconn},
		{words: []string{"set", "rate-limit"}, usage: "set rate-limit <setting> <value>", desc: "change a rate limiting value", level: LevelAdmin, run: cmdSetRateLimit},
		{words: []string{"set", "server"}, usage: "set server <bk>/<srv> [opts]", desc: "change a server's state, weight, address or ssl", level: LevelAdmin, run: cmdSetServer},
		{words: []string{"set", "weight"}, usage: "set weight <bk>/<srv>  (DEPRECATED)", desc: "change a server's weight (use 'set server' instead)", level: LevelAdmin, run: cmdSetWeight},
		{words: []string{"show", "activity"}, usage: "show activity", desc: "show per-thread activity stats (for support/developers)", run: cmdShowActivity},
		{words: []string{"show", "backend"}, usage: "show backend", desc: "list backends in the current running config", run: cmdShowBackend},
		{words: []string{"show", "cli", "level"}, usage: "show cli level", desc: "display the level of the current CLI session", run: cmdShowCliLevel},
		{words: []string{"show", "info"}, usage: "show info [desc|json|typed|float]*", desc: "report information about the running process", run: cmdShowInfo},
		{words: []string{"show", "pools"}, usage: "show pools", desc: "report information about the memory pools usage", run: cmdShowPools},
		{words: []string{"show", "resolvers"}, usage: "show resolvers [id]", desc: "dumps counters from all resolvers section and associated name servers", run: cmdShowResolvers},
		{words: []string{"show", "schema", "json"}, usage: "show schema json", desc: "report schema used for stats", run: cmdShowSchema},
		{words: []string{"show", "servers", "conn"}, usage: "show servers conn [<backend>]", desc: "dump server connections status (all or for a single backend)", run: cmdShowServersConn},
		{words: []string{"show", "servers", "state"}, usage: "show servers state [<backend>]", desc: "dump volatile server information (all or for a single backend)", run: cmdShowServersState},
		{words: []string{"show", "sess"}, usage: "show sess [id]", desc: "report the list of current sessions or dump this exact session", level: LevelOperator, run: cmdShowSess},
		{words: []string{"show", "stat"}, usage: "show stat [desc|json|no-maint|typed|up]*", desc: "report counters for each proxy and server", run: cmdShowStat},
		{words: []string{"show", "tasks"}, usage: "show tasks", desc: "show running tasks", run: cmdShowTasks},
		{words: []string{"show", "version"}, usage: "show version", desc: "show version of the current process", run: cmdShowVersion},
		{words: []string{"shutdown", "session"}, usage: "shutdown session [id]", desc: "kill a specific session", level: LevelAdmin, run: cmdShutdownSession},
		{words: []string{"shutdown", "sessions", "server"}, usage: "shutdown sessions server <bk>/<srv>", desc: "kill sessions on a server", level: LevelAdmin, run: cmdShutdownServerSessions},
		{words: []string{"user"}, usage: "user", desc: "lower the level of the current CLI session to user", run: cmdUser},
		{words: []string{"help"}, usage: "help [<command>]", desc: "list matching or all commands", run: cmdHelp},
		{words: []string{"prompt"}, usage: "prompt", desc: "toggle interactive mode with prompt", run: cmdPrompt},
		{words: []string{"quit"}, usage: "quit", desc: "disconnect", run: cmdQuit},
	}
}

// always are the entries printed at the end of every usage list.
func isAlways(c *command) bool {
	switch c.words[0] {
	case "help", "prompt", "quit":
		return true
	}
	return false
}

// Session is one CLI connection's state. It is pure: Exec takes a line
// and returns the bytes to write; the listener does the I/O.
type Session struct {
	src         Source
	level       Level
	interactive bool
	quit        bool
	selfID      uint64    // its own stream's `show sess` id (sess_cmds.go)
	started     time.Time // when it was given
	// payload is the text after a line ending with "<<", up to the
	// empty line, for the command running now (nil: none was given).
	payload *string
	// noEnd: the command's answer goes out without the empty line
	// (HAProxy's `get var`).
	noEnd bool
	// idle is `set timeout cli` (0: the socket's stats timeout).
	idle time.Duration
	// sevOut is `set severity-output` (severity.go).
	sevOut severityOutput
	// expert and experimental are "expert-mode on" and
	// "experimental-mode on" (misc_cmds.go).
	expert, experimental bool
}

// Idle is the session's own idle timeout (`set timeout cli`; 0: none).
func (s *Session) Idle() time.Duration { return s.idle }

// NewSession starts a session at the socket's level.
func NewSession(src Source, level Level) *Session {
	return &Session{src: src, level: level}
}

// Interactive reports whether `prompt` mode is on.
func (s *Session) Interactive() bool { return s.interactive }

// Exec runs one input line (several commands separated by ';', "\;"
// for a literal semicolon) and returns the output. done is true when the
// connection must close afterwards: after `quit`, or after any line when
// not in interactive mode.
func (s *Session) Exec(line string) (out []byte, done bool) {
	return s.ExecPayload(line, nil)
}

// ExecPayload is Exec of a line that ended with "<<" (taken off), with
// the lines that followed up to the empty one (joined by "\n"): the
// last command of the line receives them.
func (s *Session) ExecPayload(line string, payload *string) (out []byte, done bool) {
	var b bytes.Buffer
	cmds := splitCommands(strings.TrimRight(line, "\r\n"))
	for i, cmd := range cmds {
		s.payload = nil
		if i == len(cmds)-1 {
			s.payload = payload
		}
		s.noEnd = false
		out := s.run(cmd)
		if s.quit { // quit answers nothing, not even the empty line
			return b.Bytes(), true
		}
		b.WriteString(out)
		if !s.noEnd {
			b.WriteByte('\n')
		}
	}
	if !s.interactive {
		return b.Bytes(), true
	}
	b.WriteString("> ")
	return b.Bytes(), false
}

// splitCommands cuts a line at unescaped ';'.
func splitCommands(line string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == ';':
			cur.WriteByte(';')
			i++
		case line[i] == ';':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(out, cur.String())
}

// run executes one command and returns its output (the caller adds the
// empty line that ends every answer).
func (s *Session) run(cmd string) string {
	args := strings.Fields(cmd)
	if len(args) == 0 { // also in prompt mode, as HAProxy answers an empty line
		return s.withSeverity(sevInfo, GenUsage(s.usageEntries(), nil))
	}
	c := lookup(args)
	if c == nil {
		return s.withSeverity(sevInfo, s.unknown(args))
	}
	if msg := s.modeRefusal(c); msg != "" { // before the level, as HAProxy
		return s.withSeverity(sevErr, msg)
	}
	if s.level < c.level {
		return s.withSeverity(sevErr, "Permission denied\n")
	}
	out := c.run(s, args)
	return s.withSeverity(answerSeverity(c, out), out)
}

// lookup finds the command whose words start the arguments.
func lookup(args []string) *command {
	for _, c := range commands {
		if len(args) < len(c.words) {
			continue
		}
		ok := true
		for i, w := range c.words {
			if args[i] != w {
				ok = false
				break
			}
		}
		if ok {
			return c
		}
	}
	return nil
}

// usageEntries are the commands for GenUsage, in HAProxy's registration
// order; an expert or experimental one only in its mode. HAProxy 2.6
// lists the same commands at every level, so the level plays no part.
func (s *Session) usageEntries() []UsageEntry {
	rank := make(map[string]int, len(registrationOrder))
	for i, k := range registrationOrder {
		rank[k] = i
	}
	ranked := append([]*command(nil), commands...)
	sort.SliceStable(ranked, func(i, j int) bool {
		ri, ok := rank[strings.Join(ranked[i].words, " ")]
		if !ok {
			ri = len(rank)
		}
		rj, ok := rank[strings.Join(ranked[j].words, " ")]
		if !ok {
			rj = len(rank)
		}
		return ri < rj
	})
	var out []UsageEntry
	for _, c := range ranked {
		if c.mode == modeExpert && !s.expert || c.mode == modeExperimental && !s.experimental {
			continue
		}
		e := UsageEntry{Words: c.words}
		// "": answered, not listed; GenUsage ends every list with the
		// always-listed help, prompt and quit
		if c.usage != "" && !isAlways(c) {
			e.Line = fmt.Sprintf("%-40s: %s", c.usage, c.desc)
		}
		out = append(out, e)
	}
	return out
}

// unknown answers a command nobody handles, as HAProxy does.
func (s *Session) unknown(args []string) string { return GenUsage(s.usageEntries(), args) }

func cmdHelp(s *Session, args []string) string { return GenUsage(s.usageEntries(), args) }

func cmdPrompt(s *Session, _ []string) string {
	s.interactive = !s.interactive
	return ""
}

func cmdQuit(s *Session, _ []string) string {
	s.quit = true
	return ""
}

func cmdOperator(s *Session, args []string) string {
	if s.level < LevelOperator { // never raises: HAProxy's cli_has_level
		return "Permission denied\n"
	}
	s.level = LevelOperator
	s.noLF(args)
	return ""
}

func cmdUser(s *Session, args []string) string {
	s.level = LevelUser
	s.noLF(args)
	return ""
}

// noLF: "operator -" and "user -" answer without the empty line outside
// prompt mode (HAProxy's NOLF; its master CLI prefixes the commands it
// forwards with them).
func (s *Session) noLF(args []string) {
	if len(args) > 1 && args[1] == "-" && !s.interactive {
		s.noEnd = true
	}
}

func cmdShowCliLevel(s *Session, _ []string) string { return s.level.String() + "\n" }

func cmdShowVersion(s *Session, _ []string) string { return s.src.Info().Version + "\n" }

func cmdShowBackend(s *Session, _ []string) string {
	var b strings.Builder
	b.WriteString("# name\n")
	for _, p := range s.src.Stats() {
		if p.Backend != nil {
			b.WriteString(p.Name + "\n")
		}
	}
	return b.String()
}

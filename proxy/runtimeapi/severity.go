package runtimeapi

import (
	"fmt"
	"strings"
)

// `set severity-output`: HAProxy prefixes its one-shot CLI messages
// (errors, confirmations, help) with their syslog severity, as a number
// ("[3]: ") or a name ("[err]: "); dumps (show stat, show fd, ...) stay
// bare. goha's handlers return text, so which answers are messages and
// at which severity is decided here from the command, as HAProxy 2.6
// decides it.

type severityOutput int

const (
	sevOutNone severityOutput = iota
	sevOutNumber
	sevOutString
)

// Syslog severities used by HAProxy's CLI messages; sevDump: no prefix.
const (
	sevDump   = -1
	sevErr    = 3
	sevWarn   = 4
	sevNotice = 5
	sevInfo   = 6
)

var severityNames = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// parseSeverityOutput reads none|number|string, the words of both the
// command and the `severity-output` bind option.
func parseSeverityOutput(v string) (severityOutput, bool) {
	switch v {
	case "none":
		return sevOutNone, true
	case "number":
		return sevOutNumber, true
	case "string":
		return sevOutString, true
	}
	return sevOutNone, false
}

func cmdSetSeverityOutput(s *Session, args []string) string {
	out, ok := parseSeverityOutput(arg(args, 2))
	if !ok {
		return "one of 'none', 'number', 'string' is a required argument\n"
	}
	s.sevOut = out
	return ""
}

// withSeverity prefixes a message as the session asks; empty answers
// and dumps go out as they are.
func (s *Session) withSeverity(sev int, out string) string {
	if s.sevOut == sevOutNone || sev == sevDump || out == "" {
		return out
	}
	if s.sevOut == sevOutNumber {
		return fmt.Sprintf("[%d]: %s", sev, out)
	}
	return "[" + severityNames[sev] + "]: " + out
}

// infoCommands answer with an informational message (LOG_INFO).
var infoCommands = map[string]bool{"show cli level": true, "show version": true, "show libs": true,
	"show startup-logs": true, "help": true}

// dumpErrors are the error messages of dump commands (`show ...`,
// `get weight|map|acl`), which HAProxy sends as messages.
var dumpErrors = []string{"Variable not found\n", "No such table\n", "Can't find backend.\n", "No such peers\n",
	"No such event sink\n", "No such trace source\n", "Require 'backend/server'.\n", "Unknown map identifier",
	"Unknown ACL identifier", "Can't display the certificate", "Missing ", "Expects "}

// messageSeverities are the answers HAProxy sends below the error
// level: confirmations (info) and `set server` notes (warning; the
// dotted "agent checks ... server." of `set server agent` is an error).
var messageSeverities = []struct {
	prefix string
	sev    int
}{
	{"New server registered.", sevInfo}, {"Server deleted.", sevInfo},
	{"expert-mode is ", sevInfo}, {"experimental-mode is ", sevInfo},
	{"no need to change the ", sevWarn}, {"IP changed from ", sevWarn}, {"port changed from ", sevWarn},
}

// serverNotes are `set server` answers given whole (without their end
// of line, as HAProxy ends them without the empty line), at warning.
var serverNotes = map[string]bool{"health checks are not enabled on this server": true, "agent checks are not enabled on this server": true}

// answerSeverity is the severity of a command's answer, or sevDump.
func answerSeverity(c *command, out string) int {
	name := strings.Join(c.words, " ")
	switch {
	case infoCommands[name]:
		return sevInfo
	case name == "trace" && out == "All traces now stopped\n":
		return sevNotice
	case name == "show trace" && strings.HasPrefix(out, "Supported"):
		return sevInfo
	case (name == "show events" || name == "trace") && strings.HasPrefix(out, "Supported"):
		return sevWarn
	}
	if serverNotes[out] {
		return sevWarn
	}
	for _, m := range messageSeverities {
		if strings.HasPrefix(out, m.prefix) {
			return m.sev
		}
	}
	dump := c.words[0] == "show" || name == "get weight" || name == "get map" || name == "get acl"
	if !dump {
		return sevErr // other commands answer only to refuse
	}
	for _, e := range dumpErrors {
		if strings.HasPrefix(out, e) {
			return sevErr
		}
	}
	return sevDump
}

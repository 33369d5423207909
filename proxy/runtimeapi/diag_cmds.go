package runtimeapi

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy/sink"
)

// Diagnostic commands answered with goha's own state in HAProxy 2.6's
// shape: goha has no trace sources (its traces list is empty and every
// source name is unknown) and its event sinks are the two standard
// streams and buf0, the ring the debug converter writes to (proxy/sink).

// StartupLogger is a Source that kept the messages of its start.
type StartupLogger interface {
	StartupLogs() string
}

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"show", "events"}, usage: "show events [<sink>] [-w] [-n]", desc: "show event sink state", run: cmdShowEvents},
		{words: []string{"show", "startup-logs"}, usage: "show startup-logs", desc: "report logs emitted during HAProxy startup", level: LevelOperator, run: cmdShowStartupLogs},
		{words: []string{"show", "trace"}, usage: "show trace [<module>]", desc: "show live tracing state", run: cmdShowTrace},
		{words: []string{"trace"}, usage: "trace [<module>|0] [cmd [args...]]", desc: "manage live tracing (empty to list, 0 to stop all)", level: LevelOperator, run: cmdTrace},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

func cmdShowStartupLogs(s *Session, _ []string) string {
	logs := ""
	if sl, ok := s.src.(StartupLogger); ok {
		logs = sl.StartupLogs()
	}
	if logs == "" {
		return "\n" // HAProxy's answer for an empty buffer
	}
	return logs
}

// sinks are goha's event sinks, in HAProxy's order.
var sinks = []struct{ name, desc string }{
	{"stdout", "type=fd, 0 dropped, standard output (fd#1)"},
	{"stderr", "type=fd, 0 dropped, standard output (fd#2)"},
	{"buf0", "type=buffer, 0 dropped, in-memory ring buffer"},
}

func cmdShowEvents(s *Session, args []string) string {
	name := arg(args, 2)
	if name == "" || strings.HasPrefix(name, "-") {
		var b strings.Builder
		b.WriteString("Supported events sinks are listed below. Add -w(wait), -n(new). Any key to stop\n")
		for _, k := range sinks {
			b.WriteString("    " + padRight(k.name, 10) + " : " + k.desc + "\n")
		}
		for _, r := range sink.Rings() { // the ring sections
			b.WriteString("    " + padRight(r.Name, 10) + " : type=buffer, " + strconv.Itoa(r.Dropped()) + " dropped, " + r.Desc + "\n")
		}
		return b.String()
	}
	switch name {
	case "stdout", "stderr":
		s.noEnd = true // as HAProxy 2.6.12, without the empty line
		return "Nothing to report for this sink\n"
	}
	var dump func() string
	if name == "buf0" {
		dump = sink.Buf0.Dump // the debug converter's captures
	} else if r := sink.RingNamed(name); r != nil {
		dump = r.Dump
	}
	if dump != nil {
		seekNew := false
		for _, o := range args[3:] {
			switch o {
			case "-n", "-nw", "-wn":
				seekNew = true
			case "-w": // wait mode: goha answers what the ring holds and ends
			default:
				s.noEnd = true
				return "unknown option\n"
			}
		}
		if seekNew { // only what comes next: nothing, without -w
			return ""
		}
		return dump()
	}
	s.noEnd = true
	return "No such event sink\n"
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

func cmdShowTrace(s *Session, args []string) string {
	if arg(args, 2) != "" {
		s.noEnd = true
		return "No such trace source\n"
	}
	return "Supported trace sources and states (.=stopped, w=waiting, R=running) :\n"
}

func cmdTrace(s *Session, args []string) string {
	switch arg(args, 1) {
	case "":
		return "Supported trace sources and states (.=stopped, w=waiting, R=running) :\n" +
			" [.] 0          : not a source, will immediately stop all traces\n"
	case "0":
		s.noEnd = true
		return "All traces now stopped\n"
	}
	s.noEnd = true
	return "No such trace source\n"
}

// LibLister is a Source that lists its loaded objects (`show libs`):
// the address range and size of each, as HAProxy prints them.
type LibLister interface {
	Libs() []Lib
}

// Lib is one loaded object.
type Lib struct {
	Start, End uint64
	Path       string
}

func cmdShowLibs(s *Session, _ []string) string {
	ll, ok := s.src.(LibLister)
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, l := range ll.Libs() {
		fmt.Fprintf(&b, "0x%012x-0x%012x (0x%07x) %s\n", l.Start, l.End, l.End-l.Start, l.Path)
	}
	return b.String()
}

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"show", "libs"}, usage: "show libs", desc: "show loaded object files and libraries", level: LevelOperator, run: cmdShowLibs},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

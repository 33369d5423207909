package check

import "fmt"

// Severity is the syslog severity HAProxy sends a check message with.
type Severity int

const (
	Emerg  Severity = 0
	Alert  Severity = 1
	Notice Severity = 5
)

// Line is one log message as HAProxy words it (no trailing newline).
// Stderr is the text HAProxy prints on stderr for it, to go after its
// "[WARNING]  (pid) : " or "[ALERT]    (pid) : " prefix (StderrAlert tells
// which); empty when HAProxy prints nothing there.
type Line struct {
	Severity    Severity
	Text        string
	Stderr      string
	StderrAlert bool
}

// BackendCounts is what the transition lines report about the backend
// after the change: usable active and backup servers, the server's current
// sessions, and the queue.
type BackendCounts struct {
	Active, Backup int
	Sessions       int // sessions active on the server
	Requeued       int // sessions moved away from it (always 0 here)
	Queued         int // requests waiting in the server's queue
}

func serverTitle(backup bool) string {
	if backup {
		return "Backup Server"
	}
	return "Server"
}

func runningOnBackup(c BackendCounts) string {
	if c.Backup > 0 && c.Active == 0 {
		return " Running on backup."
	}
	return ""
}

// DownLine is "Server B/S is DOWN, reason: ... N active and M backup
// servers left. ..." With logHealthChecks the reason was already in the
// health-check line and HAProxy leaves it out here.
func DownLine(backend, server string, backup bool, r Result, c BackendCounts, logHealthChecks bool) Line {
	why := ""
	if !logHealthChecks {
		why = ", " + r.describe()
	}
	return downLine(backend, server, backup, why, c)
}

func downLine(backend, server string, backup bool, why string, c BackendCounts) Line {
	text := fmt.Sprintf("%s %s/%s is DOWN%s. %d active and %d backup servers left.%s %d sessions active, %d requeued, %d remaining in queue.",
		serverTitle(backup), backend, server, why, c.Active, c.Backup, runningOnBackup(c), c.Sessions, c.Requeued, c.Queued)
	return Line{Severity: Alert, Text: text, Stderr: text}
}

// UpLine is "Server B/S is UP, reason: ... N active and M backup servers
// online. ..."
func UpLine(backend, server string, backup bool, r Result, c BackendCounts, logHealthChecks bool) Line {
	why := ""
	if !logHealthChecks {
		why = ", " + r.describe()
	}
	return upLine(backend, server, backup, "UP", why, c)
}

// WarmedUpLine is "Server B/S is UP. N active and M backup servers
// online. ...", without a reason: a server's slow start ended.
func WarmedUpLine(backend, server string, backup bool, c BackendCounts) Line {
	return upLine(backend, server, backup, "UP", "", c)
}

// upLine words a server going UP or stopping (state).
func upLine(backend, server string, backup bool, state, why string, c BackendCounts) Line {
	text := fmt.Sprintf("%s %s/%s is %s%s. %d active and %d backup servers online.%s %d sessions requeued, %d total in queue.",
		serverTitle(backup), backend, server, state, why, c.Active, c.Backup, runningOnBackup(c), c.Requeued, c.Queued)
	return Line{Severity: Notice, Text: text, Stderr: text}
}

// ForcedLine is the line of a state forced by `set server B/S
// health|agent` (via "CLI") or the stats page's admin form (via "Web
// interface"): "Server B/S is DOWN, changed from CLI. ..." down is logged
// as an alert unless the server was stopping, as the check's DOWN line.
func ForcedLine(backend, server string, backup bool, up, stopping, wasStopping bool, via string, c BackendCounts) Line {
	why := ", changed from " + via
	switch {
	case up && stopping:
		return upLine(backend, server, backup, "stopping", why, c)
	case up:
		return upLine(backend, server, backup, "UP", why, c)
	}
	l := downLine(backend, server, backup, why, c)
	if wasStopping {
		l.Severity = Notice
	}
	return l
}

// StoppingLine is "Server B/S is stopping, reason: ... N active and M
// backup servers online. ...": an UP server answered 404 under
// `http-check disable-on-404` and now drains.
func StoppingLine(backend, server string, backup bool, r Result, c BackendCounts, logHealthChecks bool) Line {
	why := ""
	if !logHealthChecks {
		why = ", " + r.describe()
	}
	return upLine(backend, server, backup, "stopping", why, c)
}

// NoServerLine is logged when a backend's last usable server goes down.
// HAProxy quotes the name only on stderr.
func NoServerLine(backend string) Line {
	return Line{
		Severity:    Emerg,
		Text:        fmt.Sprintf("backend %s has no server available!", backend),
		Stderr:      fmt.Sprintf("backend '%s' has no server available!", backend),
		StderrAlert: true,
	}
}

// HealthLine is the `option log-health-checks` line logged when a check
// moves the health counter or changes the kind of result.
func HealthLine(backend, server string, backup bool, r Result, h Health) Line {
	kind := "server"
	if backup {
		kind = "backup server"
	}
	verb := "failed"
	switch {
	case r.Status == L7OKC:
		verb = "conditionally succeeded"
	case r.Passed():
		verb = "succeeded"
	}
	text := fmt.Sprintf("Health check for %s %s/%s %s, %s, status: %s.",
		kind, backend, server, verb, r.describe(), h.Status())
	return Line{Severity: Notice, Text: text, Stderr: text}
}

// AgentLine is HealthLine for an agent-check: "Agent check for server
// B/S succeeded, ..., status: 1/1 UP." HAProxy words the kind of server
// the same way for backups ("Agent check for server").
func AgentLine(backend, server string, r Result, h Health) Line {
	verb := "failed"
	if r.Passed() {
		verb = "succeeded"
	}
	text := fmt.Sprintf("Agent check for server %s/%s %s, %s, status: %s.", backend, server, verb, r.describe(), h.Status())
	return Line{Severity: Notice, Text: text, Stderr: text}
}

package check

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"
)

// Status is the outcome class of one check (HAProxy's HCHK_STATUS_*).
type Status int

const (
	L4OK     Status = iota // TCP connection established (tcp check passed)
	L4TOUT                 // connection not established in time
	L4CON                  // connection refused, unreachable, reset...
	L7OK                   // HTTP check passed
	L7TOUT                 // connected, no complete answer in time
	L7RSP                  // invalid or missing HTTP response, content mismatch
	L7STS                  // unexpected HTTP status
	L7OKC                  // 404 with `http-check disable-on-404`: passed, but the server drains
	L6OK                   // TLS hello answered (ssl-hello-chk), or a tcp-check ending on an ssl connect
	L6TOUT                 // no TLS answer in time
	L6RSP                  // not a TLS answer
	SOCKERR                // I/O error after the connection was established
	CHECKED                // an agent answered without a health word: no status change
	PROCERR                // external check: the command exited non-zero
	PROCTOUT               // external check: the command was killed at the end of its interval
	PROCOK                 // external check: the command exited 0
	HANA                   // `observe` saw too many errors in the traffic (on-error)
)

var statusReasons = [...]string{
	L4OK:     "Layer4 check passed",
	L4TOUT:   "Layer4 timeout",
	L4CON:    "Layer4 connection problem",
	L7OK:     "Layer7 check passed",
	L7TOUT:   "Layer7 timeout",
	L7RSP:    "Layer7 invalid response",
	L7STS:    "Layer7 wrong status",
	L7OKC:    "Layer7 check conditionally passed",
	L6OK:     "Layer6 check passed",
	L6TOUT:   "Layer6 timeout",
	L6RSP:    "Layer6 invalid response",
	SOCKERR:  "Socket error",
	CHECKED:  "No status change",
	PROCERR:  "External check error",
	PROCTOUT: "External check timeout",
	PROCOK:   "External check passed",
	HANA:     "Health analyze",
}

var statusNames = [...]string{
	L4OK: "L4OK", L4TOUT: "L4TOUT", L4CON: "L4CON", L7OK: "L7OK", L7TOUT: "L7TOUT", L7RSP: "L7RSP",
	L7STS: "L7STS", L7OKC: "L7OKC", L6OK: "L6OK", L6TOUT: "L6TOUT", L6RSP: "L6RSP", SOCKERR: "SOCKERR",
	CHECKED: "CHECKED", PROCERR: "PROCERR", PROCTOUT: "PROCTOUT", PROCOK: "PROCOK", HANA: "HANA",
}

// Name is HAProxy's short name of the status (`show stat` check_status).
func (s Status) Name() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "UNK"
}

// Reason is the text HAProxy logs after "reason: ".
func (s Status) Reason() string {
	if int(s) < len(statusReasons) {
		return statusReasons[s]
	}
	return fmt.Sprintf("status %d", int(s))
}

// Passed reports whether the status counts as a successful check.
func (s Status) Passed() bool {
	return s == L4OK || s == L7OK || s == L7OKC || s == L6OK || s == PROCOK
}

// hasCode: HAProxy prints a check code for the statuses with layer 7 data
// (HCHK_STATUS_L57DATA and above), even 0.
func (s Status) hasCode() bool {
	return s == L7OK || s == L7STS || s == L7OKC || s == PROCERR || s == PROCTOUT || s == PROCOK
}

// Result is one finished check.
type Result struct {
	Status   Status
	Code     int           // HTTP status, when a status line was read
	Info     string        // HAProxy's "info" (errno text, reason phrase, ...)
	Duration time.Duration // < 0: none (HANA)
	// ShowInfo: Info is HAProxy's check description even on success
	// (tcp-check and protocol checks: "(tcp-check)", "Redis server is
	// ok"); HTTP checks keep none for a passed check.
	ShowInfo bool
	// ShowCode: print the code even when 0 (tcp-check results with layer
	// 7 data always carry one).
	ShowCode bool
	// Agent is an agent check's answer (AgentProbe), applied by the
	// runner before the result counts.
	Agent *AgentReply
	// on404 marks the L7OKC of `http-check disable-on-404`, which counts
	// only for a server that is up; an L7OKC from ok-status or
	// error-status is a conditional pass in any state.
	on404 bool
}

// Passed reports whether the check succeeded.
func (r Result) Passed() bool { return r.Status.Passed() }

// describe is the "reason: ..., code: N, info: \"...\", check duration:
// Nms" fragment shared by HAProxy's check log lines. Successful checks never
// show an info.
func (r Result) describe() string {
	var b strings.Builder
	b.WriteString("reason: ")
	b.WriteString(r.Status.Reason())
	if (r.Code != 0 || r.ShowCode) && r.Status.hasCode() {
		fmt.Fprintf(&b, ", code: %d", r.Code)
	}
	if r.Info != "" && (!r.Passed() || r.ShowInfo) {
		fmt.Fprintf(&b, ", info: \"%s\"", r.Info)
	}
	if r.Duration >= 0 { // a HANA failure comes from no check: none
		fmt.Fprintf(&b, ", check duration: %dms", r.Duration.Milliseconds())
	}
	return b.String()
}

// glibc's strerror texts for the errors a check meets; Go's own texts are
// lower-case versions of (most of) these.
var errnoText = map[syscall.Errno]string{
	syscall.ECONNREFUSED:  "Connection refused",
	syscall.ECONNRESET:    "Connection reset by peer",
	syscall.EHOSTUNREACH:  "No route to host",
	syscall.ENETUNREACH:   "Network is unreachable",
	syscall.ETIMEDOUT:     "Connection timed out",
	syscall.EADDRNOTAVAIL: "Cannot assign requested address",
	syscall.EPIPE:         "Broken pipe",
	syscall.EACCES:        "Permission denied",
	syscall.EPERM:         "Operation not permitted",
}

// errInfo turns a socket error into HAProxy's info text (strerror(errno)).
func errInfo(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		if s, ok := errnoText[en]; ok {
			return s
		}
		s := en.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return ""
}

// StatusNamed is the status whose Name is name (a state file carries the
// last check status over a reload).
func StatusNamed(name string) (Status, bool) {
	for s, n := range statusNames {
		if n == name {
			return Status(s), true
		}
	}
	return 0, false
}

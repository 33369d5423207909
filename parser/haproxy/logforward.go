package haproxy

import "time"

// LogForward is a typed `log-forward` section: syslog listeners (UDP
// `dgram-bind`, TCP `bind`) whose messages are re-emitted to its `log`
// targets.
type LogForward struct {
	Pos        Pos
	Name       string
	Binds      []LogForwardBind // TCP
	DgramBinds []LogForwardBind // UDP
	Logs       []LogTarget
	// MaxConn is the most TCP connections at once (HAProxy's default 10);
	// Backlog the listen queue (0: the system's); TimeoutClient closes
	// an idle TCP connection (0: never).
	MaxConn, Backlog int
	TimeoutClient    time.Duration
}

// LogForwardBind is a bind or dgram-bind line.
type LogForwardBind struct {
	Pos     Pos
	Addr    string   // as written
	Options []string // bind options, which goha refuses
}

// logForwardBegin opens a log-forward section.
func (s *state) logForwardBegin(p Pos, name string) {
	s.curLogForward = &LogForward{Pos: p, Name: name, MaxConn: 10}
	s.cfg.LogForwards = append(s.cfg.LogForwards, s.curLogForward)
}

// logForwardStatement validates and types one statement; true = abort
// (HAProxy's reader then fails: "Could not open configuration file").
func (s *state) logForwardStatement(p Pos, w []string) bool {
	lf := s.curLogForward
	if lf == nil {
		return false
	}
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	switch w[0] {
	case "bind", "dgram-bind":
		b := LogForwardBind{Pos: p, Addr: arg(1)}
		if len(w) > 2 {
			b.Options = w[2:]
		}
		if w[0] == "bind" {
			lf.Binds = append(lf.Binds, b)
		} else {
			lf.DgramBinds = append(lf.DgramBinds, b)
		}
	case "log":
		if t, ok := s.logLine(p, w); ok {
			lf.Logs = append(lf.Logs, t)
		}
	case "maxconn", "backlog":
		if arg(1) == "" {
			s.alert(p, "'%s' expects an integer argument.", w[0])
			return false
		}
		if w[0] == "maxconn" {
			lf.MaxConn = atol(arg(1))
		} else {
			lf.Backlog = atol(arg(1))
		}
	case "timeout":
		if arg(1) != "client" {
			s.alert(p, "unknown keyword 'timeout %s' in log-forward section.", arg(1))
			s.abort, s.readerFailed = true, true
			return true
		}
		if arg(2) == "" {
			s.alert(p, "missing timeout client value.")
			return false
		}
		d, _, err := ParseTime(arg(2))
		if err != nil { // HAProxy 2.6 fails the file without a message
			s.fileFatal, s.abort, s.readerFailed = true, true, true
			return true
		}
		lf.TimeoutClient = d
	}
	return false
}

// logForwardWarnings is HAProxy's warning for a log-forward section
// without a listener (its proxy is a frontend).
func (s *state) logForwardWarnings() {
	for _, lf := range s.cfg.LogForwards {
		if len(lf.Binds) == 0 && len(lf.DgramBinds) == 0 {
			s.d.Raw(Warning, "", 0, "config : frontend '"+lf.Name+"' has no 'bind' directive. Please declare it as a backend if this was intended.")
		}
	}
}

package keepalivedcmd

import (
	"fmt"
	"io"
	"log/syslog"
	"strconv"
	"sync"
	"time"
)

// syslogIdent is the VRRP child's ident in keepalived.
const syslogIdent = "Keepalived_vrrp"

// openSyslog connects to the local syslog daemon; tests replace it.
var openSyslog = func(p syslog.Priority, ident string) (*syslog.Writer, error) { return syslog.New(p, ident) }

// logger writes keepalived's lines to syslog (unless -G) and, with -l, to
// the console prefixed with the local time as keepalived does.
type logger struct {
	mu      sync.Mutex
	sys     *syslog.Writer
	console io.Writer
}

func newLogger(o Options, console io.Writer) (*logger, error) {
	lg := &logger{}
	if o.LogConsole {
		lg.console = console
	}
	if !o.NoSyslog {
		fac := syslog.LOG_DAEMON
		if o.LogFacility != nil {
			s := *o.LogFacility
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 7 {
				return nil, fmt.Errorf("invalid log facility %q (0-7)", s)
			}
			fac = syslog.LOG_LOCAL0 + syslog.Priority(n)<<3
		}
		// No syslog daemon (containers, namespaces): console only, as
		// keepalived silently loses the lines.
		lg.sys, _ = openSyslog(fac|syslog.LOG_INFO, syslogIdent)
	}
	return lg, nil
}

func (l *logger) printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sys != nil {
		l.sys.Info(s)
	}
	if l.console != nil {
		fmt.Fprintf(l.console, "%s: %s\n", time.Now().Format("Mon Jan _2 15:04:05 2006"), s)
	}
}

func (l *logger) close() {
	if l.sys != nil {
		l.sys.Close()
	}
}

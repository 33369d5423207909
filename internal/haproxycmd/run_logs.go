package haproxycmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/logfmt"
	"github.com/goha-lb/goha/proxy/logfwd"
	"github.com/goha-lb/goha/proxy/sink"
)

const (
	levelEmerg   = logfmt.Emerg
	levelAlert   = logfmt.Alert
	levelWarning = logfmt.Warning
	levelNotice  = logfmt.Notice
)

// eventLog sends HAProxy's messages: process events (server up/down, proxy
// stopped) to stderr and to the concerned proxy's log targets, and traffic
// lines (httplog, tcplog, log-format) to the frontend's targets.
type eventLog struct {
	mu      sync.Mutex
	stderr  io.Writer // nil with -q
	global  *logfmt.Logger
	proxies map[string]*proxyLog
	// fcgi are the fcgi-apps' log-stderr loggers, by app name (tagged
	// with it, as HAProxy's).
	fcgi map[string]*logfmt.Logger
	env  logfmt.Env
	opts logfmt.LoggerOptions // the global header parts (log-forward's notices)
}

type proxyLog struct {
	logger *logfmt.Logger
	format *logfmt.Format // nil: the proxy logs no traffic
	opts   logfmt.Options
	// sd is log-format-sd (nil: none), reading the entry's samples
	// from sdOffset on.
	sd       *logfmt.Format
	sdOffset int
	// errFormat is error-log-format (nil: none), for the entries HAProxy
	// logs with a session and no stream (Entry.SessLog).
	errFormat *logfmt.Format
}

func openEventLog(plan *haproxycfg.Plan, stderr io.Writer, quiet bool) (*eventLog, error) {
	l := &eventLog{proxies: map[string]*proxyLog{}, env: logfmt.Env{PID: os.Getpid()}}
	if host, err := os.Hostname(); err == nil {
		l.env.Hostname = host
	}
	if !quiet {
		l.stderr = stderr
	}
	opts := logfmt.LoggerOptions{Stdout: os.Stdout, Stderr: os.Stderr, Tag: plan.LogTag}
	if plan.SendHostname { // log-send-hostname [name]
		if opts.Hostname = plan.Hostname; opts.Hostname == "" {
			opts.Hostname = l.env.Hostname
		}
	}
	l.global = logfmt.NewLogger(targets(plan.GlobalLogs), opts)
	l.opts = opts
	l.fcgi = map[string]*logfmt.Logger{}
	for app, ts := range plan.FCGILogs {
		aopts := opts
		aopts.Tag = app
		l.fcgi[app] = logfmt.NewLogger(targets(ts), aopts)
	}
	http := map[string]bool{}
	for _, sec := range plan.Sections {
		http[sec.Name] = sec.HTTP
	}
	for name, spec := range plan.Logs {
		popts := opts
		if spec.Tag != "" { // the proxy's log-tag
			popts.Tag = spec.Tag
		}
		pl := &proxyLog{logger: logfmt.NewLogger(targets(spec.Targets), popts), opts: logfmt.Options{DontLogNull: spec.DontLogNull,
			DontLogNormal: spec.DontLogNormal, SeparateErrors: spec.SeparateErrors}}
		switch spec.Format {
		case "httplog":
			pl.format = logfmt.HTTPLog
		case "httplog clf":
			pl.format = logfmt.HTTPLogCLF
		case "tcplog":
			pl.format = logfmt.TCPLog
		case "custom":
			f, err := logfmt.CompileFor(spec.Custom, http[name])
			if err != nil {
				return nil, fmt.Errorf("proxy '%s': log-format: %v", name, err)
			}
			pl.format = f
		}
		if spec.Error != "" {
			f, err := logfmt.CompileFor(spec.Error, http[name])
			if err != nil {
				return nil, fmt.Errorf("proxy '%s': error-log-format: %v", name, err)
			}
			pl.errFormat = f
		}
		if spec.SD != "" {
			f, err := logfmt.CompileFor(spec.SD, http[name])
			if err != nil {
				return nil, fmt.Errorf("proxy '%s': log-format-sd: %v", name, err)
			}
			pl.sd, pl.sdOffset = f, spec.SDOffset
		}
		l.proxies[name] = pl
	}
	return l, nil
}

func targets(in []haproxycfg.LogTarget) []logfmt.Target {
	out := make([]logfmt.Target, len(in))
	for i, t := range in {
		out[i] = t.Target
	}
	return out
}

// event logs msg on stderr ("[WARNING]  (pid) : msg") and to the log
// targets of the named proxy ("" = global).
func (l *eventLog) event(proxyName string, level logfmt.Level, msg string) {
	l.stderrOnly(msg, level)
	l.send(proxyName, level, msg)
}

// send logs msg to the named proxy's log targets only ("" = global).
func (l *eventLog) send(proxyName string, level logfmt.Level, msg string) {
	if pl := l.proxies[proxyName]; pl != nil {
		pl.logger.Log(level, []byte(msg))
	} else if proxyName == "" {
		l.global.Log(level, []byte(msg))
	}
}

func (l *eventLog) warning(proxyName, msg string) { l.event(proxyName, levelWarning, msg) }

// fcgiStderr logs a STDERR record of an fcgi-app's application at level
// err, as HAProxy's FastCGI mux does under log-stderr.
func (l *eventLog) fcgiStderr(app string, msg []byte) { l.fcgi[app].Log(logfmt.Err, msg) }

// stderrOnly prints msg with HAProxy's tag for level, when not quiet.
func (l *eventLog) stderrOnly(msg string, level logfmt.Level) {
	if l.stderr == nil {
		return
	}
	sev := haproxy.Notice
	switch {
	case level <= levelAlert:
		sev = haproxy.Alert
	case level <= levelWarning:
		sev = haproxy.Warning
	}
	l.mu.Lock()
	fmt.Fprintf(l.stderr, "%s (%d) : %s\n", sev.Tag(), os.Getpid(), msg)
	l.mu.Unlock()
}

// trafficLogger formats each finished transaction with its frontend's
// format and sends it at the level logfmt.Decide gives (info).
func (l *eventLog) trafficLogger() proxy.LogFunc {
	return func(e *proxy.LogEntry) {
		pl := l.proxies[e.Frontend]
		if pl == nil || pl.format == nil {
			return
		}
		le := (*logfmt.Entry)(e)
		if e.SessLog && pl.errFormat != nil {
			if ok, level := logfmt.Decide(le, pl.opts); ok {
				pl.emitError(level, le, &l.env)
			}
			return
		}
		if ok, level := logfmt.Decide(le, pl.opts); ok {
			if pl.sd != nil {
				pl.logger.EmitSD(level, pl.format, pl.sd, pl.sdOffset, le, &l.env)
				return
			}
			pl.logger.Emit(level, pl.format, le, &l.env)
		}
	}
}

// logsTraffic reports whether a frontend's transactions produce log lines
// (the proxy skips building entries for the others).
func (l *eventLog) logsTraffic(frontend string) bool {
	pl := l.proxies[frontend]
	return pl != nil && pl.format != nil
}

func (l *eventLog) close() {
	if l == nil {
		return
	}
	l.global.Close()
	for _, pl := range l.proxies {
		pl.logger.Close()
	}
	for _, fl := range l.fcgi {
		fl.Close()
	}
}

// containsWord reports whether s contains w followed by a non-name byte
// (so "servers/web1" does not match "servers/web10").
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		end := i + j + len(w)
		if end == len(s) || !isNameByte(s[end]) {
			return true
		}
		i = end
	}
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c == '.' || c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// dropped counts log messages that could not be sent (show info's
// DroppedLogs).
func (l *eventLog) dropped() int64 {
	n := l.global.Dropped()
	for _, pl := range l.proxies {
		n += pl.logger.Dropped()
	}
	return n
}

// setSinks starts the event sinks the debug converter writes to: buf0
// empty, as a new HAProxy process's, and stdout and stderr pointed at
// the process's streams, or nowhere when run quiet: HAProxy -q points
// its standard streams at /dev/null (measured: a debug(x,stdout) line
// is written without -q and not with it).
func (w *worker) setSinks() {
	sink.Buf0.Reset()
	w.startRings()
	if w.o.Quiet {
		sink.SetFDs(io.Discard, io.Discard)
		return
	}
	sink.SetFDs(os.Stdout, w.o.Stderr)
}

// startRings installs the ring sections' buffers for `show events` and
// starts forwarding them to their servers.
func (w *worker) startRings() {
	ctx, cancel := context.WithCancel(context.Background())
	w.stopRings = cancel
	var rs []*sink.MsgRing
	for _, spec := range w.plan.Rings {
		rs = append(rs, spec.Ring)
		for _, f := range spec.Forwards {
			spec.Ring.StartForward(ctx, f)
		}
	}
	sink.SetRings(rs)
}

// startLogForwards opens the log-forward sections' listeners; they stop
// with the rings' forwarding (worker.close).
func (w *worker) startLogForwards(opts logfmt.LoggerOptions) error {
	ctx, cancel := context.WithCancel(context.Background())
	prev := w.stopRings
	w.stopRings = func() {
		cancel()
		if prev != nil {
			prev()
		}
	}
	for _, spec := range w.plan.LogForwards {
		sec := &logfwd.Section{Name: spec.Name, Relay: logfmt.NewRelay(spec.Targets, opts), TCP: spec.TCP, UDP: spec.UDP,
			MaxConn: spec.MaxConn, Backlog: spec.Backlog, Timeout: spec.Timeout}
		if err := logfwd.Start(ctx, sec); err != nil {
			return fmt.Errorf("log-forward '%s': %v", spec.Name, err)
		}
	}
	return nil
}

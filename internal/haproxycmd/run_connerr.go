package haproxycmd

import (
	"strconv"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// connErrorLogger logs each connection refused before its session began
// (a bad PROXY header) as HAProxy 2.6 does, at info level, to the
// frontend's log targets: "<ip>:<port> [<accept date>] <fe>/<bind>:
// <why>". Like HAProxy, only a frontend that logs traffic logs these, and
// `option dontlognull` drops those where the client sent nothing usable.
func (l *eventLog) connErrorLogger() func(e *proxy.ConnError) {
	return func(e *proxy.ConnError) {
		pl := l.proxies[e.Frontend]
		if pl == nil || pl.format == nil || e.Null && pl.opts.DontLogNull {
			return
		}
		level := logfmt.Info
		if pl.opts.SeparateErrors {
			level = logfmt.Err
		}
		if e.Entry != nil && pl.errFormat != nil {
			pl.emitError(level, (*logfmt.Entry)(e.Entry), &l.env)
			return
		}
		b := make([]byte, 0, 160)
		b = append(b, e.Client.Addr().String()...)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(e.Client.Port()), 10)
		b = append(b, " ["...)
		b = e.Accept.AppendFormat(b, "02/Jan/2006:15:04:05.000")
		b = append(b, "] "...)
		b = append(b, e.Frontend...)
		b = append(b, '/')
		b = append(b, e.Bind...)
		b = append(b, ": "...)
		b = append(b, e.Msg...)
		pl.logger.Log(level, b)
	}
}

// emitError logs e with the proxy's error-log-format, whose %[...]
// samples e carries in ErrSamples.
func (pl *proxyLog) emitError(level logfmt.Level, e *logfmt.Entry, env *logfmt.Env) {
	ce := *e
	ce.Samples = e.ErrSamples
	pl.logger.Emit(level, pl.errFormat, &ce, env)
}

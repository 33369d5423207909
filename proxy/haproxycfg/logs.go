package haproxycfg

import (
	"errors"
	"os"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// logSpec is a proxy's logging: its `log` lines (with "log global"
// replaced by the global targets) and the format chosen by log-format,
// option httplog or option tcplog. nil when it has no target.
func (b *builder) logSpec(px *haproxy.Proxy) *LogSpec {
	spec := &LogSpec{DontLogNull: px.Options["dontlognull"], Tag: px.LogTag,
		DontLogNormal: px.Options["dontlog-normal"], SeparateErrors: px.Options["log-separate-errors"]}
	for _, lt := range px.Logs {
		if lt.Global {
			spec.Targets = append(spec.Targets, b.plan.GlobalLogs...)
			continue
		}
		if t, ok := b.logTarget(lt); ok {
			spec.Targets = append(spec.Targets, t)
		}
	}
	if len(spec.Targets) == 0 {
		return nil
	}
	if px.Cap&haproxy.CapFrontend == 0 {
		return spec // backends only log events (server up/down)
	}
	custom, customPos := px.LogFormat, px.LogFormatPos
	if custom == "" && px.Options["httpslog"] && px.Mode == "http" {
		custom, customPos = httpsLogFormat, px.Pos
	}
	switch {
	case custom != "":
		spec.Format, spec.Custom = "custom", custom
		f, err := logfmt.Compile(custom)
		if err == nil {
			spec.samples, err = logSamples(f)
		}
		if err != nil {
			b.unsupported(customPos, "log-format: "+err.Error())
			spec.Format, spec.Custom = "tcplog", ""
			if px.Mode == "http" {
				spec.Format = "httplog" // the closest line HAProxy could print
			}
		}
	case px.Options["httplog"] && px.Mode == "http":
		spec.Format = "httplog"
		if px.Options["httplog clf"] {
			spec.Format = "httplog clf"
		}
	case px.Options["httplog"] || px.Options["tcplog"] || px.Options["httpslog"]:
		// HAProxy falls back to tcplog for httplog and httpslog in a tcp
		// frontend.
		spec.Format = "tcplog"
	case px.Mode == "http":
		// HAProxy logs no traffic for an http frontend without a format.
	default:
		// A tcp frontend without a format logs "Connect from A to B (fe/TCP)"
		// at accept time; the data path reports neither that moment nor the
		// frontend address.
		b.unsupported(px.Pos, "tcp log without option tcplog or log-format ('Connect from' line)")
	}
	if px.LogFormatSD != "" {
		b.logFormatSD(px, spec)
	}
	if px.ErrorLogFormat != "" {
		b.errorLogFormat(px, spec)
	}
	return spec
}

// errorLogFormat compiles error-log-format. Without a traffic format,
// HAProxy 2.6 then logs a legacy "Connect from" line for each connection
// of an http frontend too (measured), which goha does not write: refused.
func (b *builder) errorLogFormat(px *haproxy.Proxy, spec *LogSpec) {
	if spec.Format == "" {
		b.unsupported(px.ErrorLogFormatPos, "error-log-format without a log format ('Connect from' line)")
		return
	}
	if spec.SD != "" {
		// HAProxy adds the structured data to these lines too; goha's
		// entries for them carry the error format's samples only.
		b.unsupported(px.ErrorLogFormatPos, "error-log-format with log-format-sd")
		return
	}
	// HAProxy refuses the HTTP variables in a tcp frontend's format
	// ("failed to parse error-log-format : format variable 'HM' is
	// reserved for HTTP mode."): refused here too, before start.
	f, err := logfmt.CompileFor(px.ErrorLogFormat, px.Mode == "http")
	var samples []func(*proxy.RequestInfo) (string, bool)
	if err == nil {
		samples, err = logSamples(f)
	}
	if err != nil {
		b.unsupported(px.ErrorLogFormatPos, "error-log-format: "+err.Error())
		return
	}
	spec.Error, spec.errSamples = px.ErrorLogFormat, samples
}

// httpsLogFormat is HAProxy 2.6's `option httpslog` format, word for
// word (configuration.txt 8.2.4): the httplog fields, then the client
// connection's error codes and its TLS name, version and cipher.
const httpsLogFormat = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC " +
	"%CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r " +
	"%[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/" +
	"%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc"

// logFormatSD compiles log-format-sd: its %[...] samples are evaluated
// with the log line's, after them (LogSpec.SDOffset says where they start).
func (b *builder) logFormatSD(px *haproxy.Proxy, spec *LogSpec) {
	f, err := logfmt.Compile(px.LogFormatSD)
	var samples []func(*proxy.RequestInfo) (string, bool)
	if err == nil {
		samples, err = logSamples(f)
	}
	if err != nil {
		b.unsupported(px.LogFormatSDPos, "log-format-sd: "+err.Error())
		return
	}
	spec.SD, spec.SDOffset = px.LogFormatSD, len(spec.samples)
	spec.samples = append(spec.samples, samples...)
}

// logTarget makes logfmt's target of a typed `log` line, reporting what
// logfmt cannot send to.
func (b *builder) logTarget(st haproxy.LogTarget) (LogTarget, bool) {
	t, err := logfmt.NewTarget(st)
	if err != nil {
		var ue *logfmt.UnsupportedError
		if errors.As(err, &ue) {
			b.unsupported(st.Pos, ue.Var)
		} else {
			b.unsupported(st.Pos, "log: "+err.Error())
		}
		return LogTarget{}, false
	}
	lt := LogTarget{Pos: st.Pos, Target: t}
	if st.Kind == haproxy.LogRing && !b.ringTarget(st, &lt) {
		return LogTarget{}, false
	}
	return lt, true
}

// logSamples compiles the %[...] samples of a log-format line, refusing
// those HAProxy refuses there (the message's headers are gone when a
// transaction is logged).
func logSamples(f *logfmt.Format) ([]func(*proxy.RequestInfo) (string, bool), error) {
	var out []func(*proxy.RequestInfo) (string, bool)
	for _, expr := range f.Samples() {
		if msg := acl.FormatUnavailable("%["+expr+"]", acl.Log); msg != "" {
			return nil, errors.New(msg)
		}
		e, err := acl.CompileExpr(haproxy.ParseSample(expr))
		if err != nil {
			return nil, err
		}
		out = append(out, e.Text)
	}
	return out, nil
}

// uniqueID compiles a frontend's unique-id-format: a log-format string
// whose %[...] samples read the request (HAProxy makes the id while the
// request is there, or at log time without it), built as a value.
func (b *builder) uniqueID(px *haproxy.Proxy) func(*proxy.RequestInfo, *proxy.LogEntry) string {
	if px.UniqueIDFormat == "" {
		return nil
	}
	f, err := logfmt.CompileFor(px.UniqueIDFormat, px.Mode == "http")
	var samples []func(*proxy.RequestInfo) (string, bool)
	if err == nil {
		for _, expr := range f.Samples() {
			if msg := acl.FormatUnavailable("%["+expr+"]", acl.FrontRequest); msg != "" {
				err = errors.New(msg)
				break
			}
			e, cerr := acl.CompileExpr(haproxy.ParseSample(expr))
			if cerr != nil {
				err = cerr
				break
			}
			samples = append(samples, e.Text)
		}
	}
	if err != nil {
		b.unsupported(px.UniqueIDPos, "unique-id-format: "+err.Error())
		return nil
	}
	var env struct {
		once sync.Once
		logfmt.Env
	}
	return func(r *proxy.RequestInfo, e *proxy.LogEntry) string {
		env.once.Do(func() { env.PID = os.Getpid() }) // the worker's pid
		vals := make([]string, len(samples))
		for i, s := range samples {
			vals[i], _ = s(r)
		}
		e.Samples = vals
		return string(f.AppendValue(nil, (*logfmt.Entry)(e), &env.Env))
	}
}

package wire

import (
	"net"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// logSpec is a frontend's logging: its `log` lines (with "log global"
// replaced by the global targets) and the format chosen by log-format,
// option httplog or option tcplog. nil when it has no target.
func (b *builder) logSpec(px *haproxy.Proxy) *LogSpec {
	spec := &LogSpec{DontLogNull: px.Options["dontlognull"]}
	for _, st := range px.Logs {
		if len(st.Args) == 2 && st.Args[1] == "global" {
			spec.Targets = append(spec.Targets, b.plan.GlobalLogs...)
			continue
		}
		if t, ok := b.logTarget(st); ok {
			spec.Targets = append(spec.Targets, t)
		}
	}
	if len(spec.Targets) == 0 {
		return nil
	}
	switch {
	case px.LogFormat != "":
		spec.Format, spec.Custom = "custom", px.LogFormat
	case px.Options["httplog"] && px.Mode == "http":
		spec.Format = "httplog"
	case px.Options["httplog"] || px.Options["tcplog"]:
		// HAProxy falls back to tcplog for httplog in a tcp frontend.
		spec.Format = "tcplog"
	}
	return spec
}

// logTarget reads "log <addr> [len N] [format F] [sample R:S] <facility>
// [level [minlevel]]" (the parser has checked its shape).
func (b *builder) logTarget(st haproxy.Statement) (LogTarget, bool) {
	w := st.Args
	if len(w) < 3 {
		return LogTarget{}, false
	}
	t := LogTarget{Pos: st.Pos, Format: "rfc3164"}
	addr := w[1]
	i := 2
	for i+1 < len(w) {
		switch w[i] {
		case "len":
			t.Len, _ = strconv.Atoi(w[i+1])
		case "format":
			t.Format = w[i+1]
		case "sample":
			b.unsupported(st.Pos, "log sample")
			return LogTarget{}, false
		default:
			goto facility
		}
		i += 2
	}
facility:
	if i >= len(w) {
		return LogTarget{}, false
	}
	t.Facility = w[i]
	if i+1 < len(w) {
		t.Level = w[i+1]
	}
	if i+2 < len(w) {
		t.MinLevel = w[i+2]
	}
	switch {
	case addr == "stdout" || addr == "stderr" || addr == "fd@1" || addr == "fd@2":
		t.Address = map[string]string{"stdout": "stdout", "stderr": "stderr", "fd@1": "stdout", "fd@2": "stderr"}[addr]
	case strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "unix@"):
		t.Address = strings.TrimPrefix(addr, "unix@")
	case strings.HasPrefix(addr, "ring@") || strings.HasPrefix(addr, "fd@"):
		b.unsupported(st.Pos, "log "+addr)
		return LogTarget{}, false
	default:
		a := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(addr, "udp@"), "ipv4@"), "udp4@")
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			host, port = strings.Trim(a, "[]"), "514"
		}
		t.Address = net.JoinHostPort(host, port)
	}
	return t, true
}

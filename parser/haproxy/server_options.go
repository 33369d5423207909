package haproxy

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// serverLine is one server or default-server line as its option handlers
// see it: the options being built, and the line's context for HAProxy's
// message prefixes.
type serverLine struct {
	s         *state
	px        *Proxy
	p         Pos
	label     string // "server <proxy>/<name>" or "default-server"
	name      string // the server's name in messages: "(null)" on a server-template line
	isDefault bool
	opts      *ServerOptions
	srv       *Server
	// warnedTimer: HAProxy puts the server line's context before the
	// first timer warning of the line only.
	warnedTimer bool
}

// alert is an ALERT with the server parser's prefix.
func (l *serverLine) alert(format string, a ...any) {
	prefix := fmt.Sprintf("config : [%s:%d] : '%s' : ", l.p.File, l.p.Line, l.label)
	if l.isDefault {
		prefix = fmt.Sprintf("config : [%s:%d] : ", l.p.File, l.p.Line)
	}
	l.s.d.Raw(Alert, l.p.File, l.p.Line, prefix+fmt.Sprintf(format, a...))
	l.s.fileFatal = true
}

// timerWarn is HAProxy's warning for text after a time value.
func (l *serverLine) timerWarn(v string) {
	prefix := fmt.Sprintf("[%s:%d] : '%s' : ", l.p.File, l.p.Line, l.label)
	if l.isDefault {
		prefix = fmt.Sprintf("[%s:%d] : ", l.p.File, l.p.Line)
	}
	if l.warnedTimer {
		prefix = ""
	}
	if l.s.timerWarn(l.p, v, prefix) {
		l.warnedTimer = true
	}
}

// delay reads a check delay option's value as HAProxy's server keyword
// parser does (2.6 names 'agent-inter' in its message whatever the
// keyword); false: alerted.
func (l *serverLine) delay(o, v string) (time.Duration, bool) {
	d, bad, err := ParseTime(v)
	if err != nil {
		if bad > 0 && bad < len(v) {
			l.alert("unexpected character '%c' in 'agent-inter' argument of server %s..", v[bad], l.name)
		} else {
			l.alert("'%s' expects a positive delay.", o)
		}
		return 0, false
	}
	l.timerWarn(v)
	return d, true
}

// serverOptionHandler applies option o (value v, "" for a flag) to the
// line's options; false = refused (alerted), the line is dropped.
type serverOptionHandler func(l *serverLine, o, v string) bool

// serverOptionRow is one row of the server option table, HAProxy's
// srv_kws: the option, its argument doc and its handler. The option list
// comes from configuration.txt (serverKeywordNames, keywords_gen.go); an
// option without a row is kept in ServerOptions.Other as written.
type serverOptionRow struct {
	Name    string
	Args    string
	Handler serverOptionHandler
}

var serverOptionTable = []serverOptionRow{
	{"check", "", serverFlag(func(o *ServerOptions) *bool { return &o.Check }, true)},
	{"no-check", "", serverFlag(func(o *ServerOptions) *bool { return &o.Check }, false)},
	{"backup", "", serverFlag(func(o *ServerOptions) *bool { return &o.Backup }, true)},
	{"no-backup", "", serverFlag(func(o *ServerOptions) *bool { return &o.Backup }, false)},
	{"disabled", "", serverFlag(func(o *ServerOptions) *bool { return &o.Disabled }, true)},
	{"enabled", "", serverFlag(func(o *ServerOptions) *bool { return &o.Disabled }, false)},
	{"send-proxy", "", serverFlag(func(o *ServerOptions) *bool { return &o.SendProxy }, true)},
	{"send-proxy-v2", "", serverFlag(func(o *ServerOptions) *bool { return &o.SendProxyV2 }, true)},
	{"no-send-proxy", "", serverFlag(func(o *ServerOptions) *bool { return &o.SendProxy }, false)},
	{"no-send-proxy-v2", "", serverFlag(func(o *ServerOptions) *bool { return &o.SendProxyV2 }, false)},
	{"send-proxy-v2-ssl", "", serverPP2Flag(PP2SSL, true)},
	{"send-proxy-v2-ssl-cn", "", serverPP2Flag(PP2SSL|PP2SSLCN, true)},
	{"no-send-proxy-v2-ssl", "", serverPP2Flag(PP2SSL, false)},
	{"no-send-proxy-v2-ssl-cn", "", serverPP2Flag(PP2SSL|PP2SSLCN, false)},
	{"check-send-proxy", "", serverFlag(func(o *ServerOptions) *bool { return &o.CheckSendProxy }, true)},
	{"no-check-send-proxy", "", serverFlag(func(o *ServerOptions) *bool { return &o.CheckSendProxy }, false)},
	{"ssl", "", serverFlag(func(o *ServerOptions) *bool { return &o.SSL }, true)},
	{"no-ssl", "", serverFlag(func(o *ServerOptions) *bool { return &o.SSL }, false)},
	{"verify", "none|required", serverVerify},
	{"ssl-min-ver", "<version>", serverSSLVersion},
	{"ssl-max-ver", "<version>", serverSSLVersion},
	{"sni", "<expression>", serverSNI},
	{"ca-file", "<cafile>", serverCAFile},
	{"crl-file", "<crlfile>", serverCAFile},
	{"slowstart", "<start_time>", serverSlowstart},
	{"on-error", "<mode>", serverOnError},
	{"proxy-v2-options", "<option>[,<option>]*", serverProxyV2Options},
	{"init-addr", "{last | libc | none | <ip>},[...]*", serverInitAddr},
	{"observe", "<mode>", serverObserve},
	{"error-limit", "<count>", serverErrorLimit},
	{"on-marked-down", "shutdown-sessions", serverOnMarked("shutdown-sessions")},
	{"on-marked-up", "shutdown-backup-sessions", serverOnMarked("shutdown-backup-sessions")},
	{"agent-inter", "<delay>", serverAgentInter},
	{"addr", "<ipv4|ipv6>", func(l *serverLine, o, v string) bool { l.opts.CheckAddr = v; return true }},
	{"cookie", "<value>", func(l *serverLine, o, v string) bool { l.opts.Cookie = v; return true }},
	{"inter", "<delay>", serverInterval},
	{"fastinter", "<delay>", serverInterval},
	{"downinter", "<delay>", serverInterval},
	{"rise", "<count>", serverCount},
	{"fall", "<count>", serverCount},
	{"weight", "<weight>", serverCount},
	{"maxconn", "<maxconn>", serverCount},
	{"maxqueue", "<maxqueue>", serverCount},
	{"minconn", "<minconn>", serverCount},
	{"pool-max-conn", "<count>", serverPoolMaxConn},
	{"max-reuse", "<count>", serverMaxReuse},
	{"resolve-opts", "<option>,<option>,...", serverResolveOpts},
	{"resolve-net", "<network>[,<network[,...]]", serverResolveNet},
	{"pool-purge-delay", "<time>", serverPoolPurgeDelay},
	{"tcp-ut", "<delay>", serverTCPUserTimeout},
	{"ws", "auto|h1|h2", serverWS},
	{"log-proto", "legacy|octet-count", serverLogProto},
	{"namespace", "<name>", serverNamespace},
	{"socks4", "<addr>:<port>", serverSocks4},
	{"port", "<port>", serverCount},
	{"id", "<value>", serverCount},
}

// serverOptionHandlers indexes serverOptionTable by option.
var serverOptionHandlers = func() map[string]serverOptionHandler {
	m := make(map[string]serverOptionHandler, len(serverOptionTable))
	for _, r := range serverOptionTable {
		m[r.Name] = r.Handler
	}
	return m
}()

// serverFlag sets a boolean option to on.
func serverFlag(field func(*ServerOptions) *bool, on bool) serverOptionHandler {
	return func(l *serverLine, o, v string) bool {
		*field(l.opts) = on
		return true
	}
}

func serverVerify(l *serverLine, o, v string) bool {
	if v != "none" && v != "required" {
		l.alert("'verify' : unknown verify method '%s', only 'none' and 'required' are supported.", v)
		return false
	}
	l.opts.Verify = v
	return true
}

// serverWS is `ws auto|h1|h2`, the protocol of WebSocket streams' server
// connections.
func serverWS(l *serverLine, o, v string) bool {
	if v != "auto" && v != "h1" && v != "h2" {
		l.alert("'ws' has to be 'auto', 'h1' or 'h2'.")
		return false
	}
	l.opts.Other[o] = v
	return true
}

// serverLogProto is `log-proto legacy|octet-count`: the framing of the
// messages a ring section's server forwards (ring.go reads its own
// lines). HAProxy accepts it on a proxy's server lines too, where nothing
// reads it: checked, kept, no effect (TestServerLogProtoMatchesHAProxy).
func serverLogProto(l *serverLine, o, v string) bool {
	if v != "legacy" && v != "octet-count" {
		l.alert("'log-proto' expects one of 'legacy' or 'octet-count' but got '%s'.", v)
		return false
	}
	l.opts.Other[o] = v
	return true
}

func serverSlowstart(l *serverLine, o, v string) bool {
	if _, bad, err := ParseTime(v); err != nil && bad < len(v) {
		l.alert("unexpected character '%c' in 'slowstart' argument of server %s..", v[bad], l.name)
		return false
	}
	l.timerWarn(v)
	l.opts.Other[o] = v
	return true
}

func serverOnError(l *serverLine, o, v string) bool {
	switch v {
	case "fastinter", "fail-check", "sudden-death", "mark-down":
	default:
		l.alert("'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '%s'.", v)
		return false
	}
	l.opts.Other[o] = v
	return true
}

func serverInitAddr(l *serverLine, o, v string) bool {
	for _, m := range splitComma(v) {
		if m != "libc" && m != "last" && m != "none" && net.ParseIP(m) == nil {
			l.alert("'init-addr' : unknown init-addr method '%s', supported methods are 'libc', 'last', 'none'..", m)
			return false
		}
	}
	l.opts.Other[o] = v
	return true
}

func serverObserve(l *serverLine, o, v string) bool {
	if v != "none" && v != "layer4" && v != "layer7" {
		l.alert("'observe' expects one of 'none', 'layer4', 'layer7' but got '%s'.", v)
		return false
	}
	l.opts.Other[o] = v
	return true
}

// serverErrorLimit keeps error-limit as a count (atol, as HAProxy reads
// it: "3x" is 3).
func serverErrorLimit(l *serverLine, o, v string) bool {
	n, _, _ := leadingInt(v)
	if n <= 0 {
		l.alert("error-limit has to be > 0..")
		return false
	}
	l.opts.Other[o] = fmt.Sprint(n)
	return true
}

// serverOnMarked is on-marked-down and on-marked-up, which know one
// action each.
func serverOnMarked(action string) serverOptionHandler {
	return func(l *serverLine, o, v string) bool {
		if v != action {
			l.alert("'%s' expects '%s' but got '%s'.", o, action, v)
			return false
		}
		l.opts.Other[o] = v
		return true
	}
}

func serverAgentInter(l *serverLine, o, v string) bool {
	if _, ok := l.delay(o, v); !ok {
		return false
	}
	l.opts.Other[o] = v
	return true
}

// serverInterval is inter, fastinter and downinter.
func serverInterval(l *serverLine, o, v string) bool {
	d, ok := l.delay(o, v)
	if !ok {
		return false
	}
	if d == 0 {
		l.alert("invalid value 0 for argument '%s' of server %s..", o, l.name)
		return false
	}
	switch o {
	case "inter":
		l.opts.Inter = d
	case "fastinter":
		l.opts.FastInter = d
	default:
		l.opts.DownInter = d
	}
	return true
}

// serverPoolMaxConn is `pool-max-conn`, read with atol as HAProxy: -1
// (unlimited) and up.
func serverPoolMaxConn(l *serverLine, o, v string) bool {
	n, _, _ := leadingInt(v)
	if n < -1 {
		l.alert("'%s' must be >= -1", o)
		return false
	}
	l.opts.Other[o] = fmt.Sprint(n)
	return true
}

// serverMaxReuse is `max-reuse`, read with atoi as HAProxy: any
// number, a negative one meaning no limit.
func serverMaxReuse(l *serverLine, o, v string) bool {
	n, _, _ := leadingInt(v)
	l.opts.Other[o] = fmt.Sprint(n)
	return true
}

// serverPoolPurgeDelay is `pool-purge-delay`, a time in milliseconds by
// default; HAProxy refuses anything after its unit.
func serverPoolPurgeDelay(l *serverLine, o, v string) bool {
	if _, bad, err := ParseTime(v); err != nil {
		switch {
		case errors.Is(err, errTimeOverflow):
			l.alert("timer overflow in argument '%s' to '%s' (maximum value is 2147483647 ms or ~24.8 days).", v, o)
		case bad < len(v):
			l.alert("unexpected character '%c' in argument to <%s>..", v[bad], o)
		default:
			l.alert("'%s' expects <value> as argument..", o)
		}
		return false
	}
	l.opts.Other[o] = v
	return true
}

// serverCount is the integer options: rise, fall, weight, maxconn,
// maxqueue, minconn, port and id.
func serverCount(l *serverLine, o, v string) bool {
	opts := l.opts
	n, _, _ := leadingInt(v) // atol(), as HAProxy reads them
	if (o == "rise" || o == "fall") && n <= 0 {
		l.alert("'%s' has to be > 0..", o)
		return false
	}
	switch o {
	case "rise":
		opts.Rise = n
	case "fall":
		opts.Fall = n
	case "weight":
		if n < 0 || n > 256 {
			l.alert("weight of server %s is not within 0 and 256 (%d)..", l.name, n)
			return false
		}
		opts.Weight = n
	case "maxconn":
		opts.Maxconn = n
	case "maxqueue":
		opts.Maxqueue = n
	case "minconn":
		opts.Other[o] = fmt.Sprint(n)
	case "port":
		opts.Port = n
	case "id":
		if n <= 0 {
			l.alert("'id' : custom id has to be > 0.")
			return false
		}
		for _, other := range l.px.Servers {
			if other.ID == n {
				l.alert("'id' : custom id %d already used at %s:%d ('server %s').", n, other.Pos.File, other.Pos.Line, other.Name)
				return false
			}
		}
		opts.ID = n
	}
	return true
}

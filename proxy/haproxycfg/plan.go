package haproxycfg

import (
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/goha-lb/goha/proxy/cache"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/logfmt"
	"github.com/goha-lb/goha/proxy/mailalert"
	"github.com/goha-lb/goha/proxy/promex"
	"github.com/goha-lb/goha/proxy/statspage"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// Plan is everything gohaproxy needs to run one configuration.
type Plan struct {
	Proxy *proxy.Config
	// Binds tells where each listening address came from, for startup
	// errors worded like HAProxy's ("Binding [file:line] for frontend X").
	Binds []BindRef
	// Sections lists the running proxy sections in file order (a listen
	// section is one entry with both halves), for the stats views.
	Sections []Section
	Process  Process
	// Checks lists one entry per server with `check`, in configuration order.
	Checks []CheckSpec
	// Unchecked are the rise and fall of each server without `check`,
	// by "backend/server" (unchecked.go): HAProxy keeps such a server's
	// health at its rise, rise+fall-1 after `set server ... health up`.
	Unchecked map[string]RiseFall
	// Trackers are the servers with `track`, in configuration order.
	Trackers []check.Tracker
	// DynamicChecks are the backends' checks for servers added at run
	// time with `check`, by backend name (dyncheck.go).
	DynamicChecks map[string]DynamicCheck
	// BackendSources are the backends' `source`, by name: servers added
	// at run time connect from it (connsource.go).
	BackendSources map[string]*proxy.ConnSource
	// EmailAlerts are the proxies' `email-alert` settings with their
	// mailers, by proxy name (mailers.go).
	EmailAlerts map[string]*mailalert.Config
	// Caches are the cache sections' stores, in file order (cache.go).
	Caches []*cache.Cache
	// Resolvers are the configuration's resolvers sections, in file order.
	Resolvers []*haproxy.ResolversSection
	// DNS is where the do-resolve rules find the running resolvers: the
	// daemon sets it when it starts them (actions_resolve.go).
	DNS *proxy.DNSHook
	// Logs holds the log settings of each proxy (by name) that has log
	// targets; backends use them for server state changes.
	Logs map[string]*LogSpec
	// FCGILogs are the log-stderr targets of each fcgi-app (by name) a
	// FastCGI server uses ("log-stderr global": the global ones).
	FCGILogs map[string][]LogTarget
	// GlobalLogs are the global section's log targets (startup messages and
	// health-check transitions go there, as in HAProxy).
	GlobalLogs []LogTarget
	// Rings are the ring sections, in configuration order (rings.go).
	Rings []*RingSpec
	// LogForwards are the log-forward sections (logforward.go).
	LogForwards []*LogForwardSpec
	// LogTag is global `log-tag` ("" = "haproxy"); SendHostname and
	// Hostname are `log-send-hostname [name]` (empty name = the host's).
	LogTag       string
	SendHostname bool
	Hostname     string
	StatsSockets []haproxy.StatsSocket
	// ProcVars set the global set-var/set-var-fmt proc variables, in
	// order, when a worker starts (before it serves).
	ProcVars     []func(*proxy.RequestInfo)
	StatsTimeout time.Duration // `stats timeout`, or haproxy.DefaultStatsTimeout
	// StatsPages are the stats page services of the frontend and listen
	// sections; the worker binds them to the running proxy's data.
	StatsPages []*statspage.Service
	// Promex is the prometheus-exporter service every `http-request
	// use-service prometheus-exporter` rule answers with (nil: none); the
	// daemon gives it its figures (promex.Exporter.SetSource).
	Promex *promex.Exporter
	// Certs are the certificates and crt-lists of the TLS binds, which
	// the runtime API's ssl commands read and replace (nil: no TLS bind).
	Certs *tlsconf.Registry
	// Peers are the peers sections to run (peers.go).
	Peers []PeersNode
	// Notices are goha notices for what the runtime does not honour.
	Notices haproxy.Diagnostics
}

// BindRef is one expanded bind address and its origin.
type BindRef struct {
	Addr  string // as in proxy.Frontend.Binds
	Proxy string
	Kind  string // "frontend" or "listen"
	Pos   haproxy.Pos
}

// Section is one running frontend, backend or listen section.
type Section struct {
	Name              string
	Frontend, Backend bool
	HTTP              bool
}

// Process is the global section's process settings.
type Process struct {
	Daemon       bool
	Pidfile      string
	Chroot       string
	User, Group  string
	UID, GID     *int // global uid/gid: numeric ids used as given
	Nbthread     int
	MasterWorker bool
	// ReusePort: listening sockets get SO_REUSEPORT (HAProxy's default;
	// false with global noreuseport).
	ReusePort bool
	// StrictLimits: a file-descriptor limit that cannot be raised to what
	// maxconn needs stops the process (HAProxy's default); false only
	// warns (`no strict-limits`).
	StrictLimits bool
	// UlimitN and FDHardLimit are global ulimit-n and fd-hard-limit (0:
	// not set): the descriptor limit asked for, and the cap on the
	// automatic sizing (internal/haproxycmd run_fdlimit.go).
	UlimitN, FDHardLimit int
	// Grace is global grace: a soft stop keeps the listeners this long.
	Grace time.Duration
	// SpreadChecks is global `spread-checks` (percent, 0..50).
	SpreadChecks int
	// MaxSpreadChecks is global `max-spread-checks` (0: none).
	MaxSpreadChecks time.Duration
	// Node is global `node`, the name `show info` reports ("" = the host
	// name, HAProxy's default).
	Node string
	// MaxSSLConn and MaxSSLRate are global maxsslconn and maxsslrate
	// (0: none), which `show info` shows; without TLS they limit
	// nothing (with TLS they are refused: class table).
	MaxSSLConn, MaxSSLRate int
}

// CheckSpec describes one server's health check, in proxy/check's terms;
// the caller adds the Prober (check.TCPProbe, or check.HTTPProbe with HTTP
// and Expects when HTTP is set).
type CheckSpec struct {
	Target check.Target
	// KeepAlive is the backend's srvtcpka, which HAProxy applies to check
	// connections too (nil: no SO_KEEPALIVE).
	KeepAlive *proxy.TCPKeepAlive
	// Sock are the server's socket options, which HAProxy sets on its
	// checks' and agent's connections too.
	Sock proxy.ServerSock
	// Socks4 is the server's SOCKS4 proxy when it has check-via-socks4
	// (zero: checks connect directly; never for agent checks).
	Socks4 netip.AddrPort
	// HTTP is set by `option httpchk` (with `http-check send` applied).
	HTTP    *check.ProbeRequest
	Expects []check.Expect
	// Connect is a leading `http-check connect [port N] [addr A]`
	// (check.HTTPProbe.Connect); zero = the server's check address.
	Connect check.Connect
	// H2: HTTP checks speak HTTP/2 with prior knowledge (the server's
	// `proto h2`); over TLS, h2 chosen by ALPN does too. H2Settings
	// are the SETTINGS they send (tune.h2.*,
	// h2-workaround-bogus-websocket-clients).
	H2         bool
	H2Settings h2.Settings
	// DisableOn404 is `http-check disable-on-404` (HTTP checks only).
	DisableOn404 bool
	// TCP is set by `option tcp-check` (with its tcp-check rules) and the
	// protocol checks (redis-check, mysql-check, pgsql-check, smtpchk,
	// ldap-check, ssl-hello-chk); nil with HTTP nil = a plain connect.
	TCP *check.TCPCheckProbe
	// External is `option external-check` (its Env is left to the
	// runtime, which knows the ids and the server's connections);
	// HTTPMode tells the HAPROXY_SERVER_PROTO it reports.
	External *check.ExternalProbe
	HTTPMode bool
	// Disabled: the server is `disabled` (maintenance); it is not checked
	// until enabled.
	Disabled bool
	// OwnAddr and OwnPort are the server line's `addr` and `port` for
	// checks ("" and 0 when unset): what `set server ... addr` leaves
	// alone when it moves the server.
	OwnAddr string
	OwnPort int
	// AgentSend is what an agent-check (Target.Agent) sends first
	// (`agent-send`).
	AgentSend []byte
	// SendProxy: each check connection starts with a PROXY header of this
	// version (0: none) carrying the check connection's own addresses
	// (v1), or a LOCAL one (v2), as HAProxy's checks of a send-proxy
	// server on its traffic port.
	SendProxy int
	// SendProxyV2Addrs: global `pp2-never-send-local`: a v2 check header
	// carries the check connection's addresses instead of LOCAL.
	SendProxyV2Addrs bool
	// TLS: the check connection speaks TLS with it once connected
	// (check-ssl, or a server with ssl checked on its traffic port).
	TLS *tls.Config
	// TLSKeys: what TLS checks keep of their handshakes for the
	// ssl_bc_session_id, ssl_bc_session_key and ssl_bc_unique_id their
	// rules read (nil: none read; check_tlskeys.go).
	TLSKeys *check.TLSKeys
	// Source is the server's `source` address checks connect from too
	// (nil: the system's choice).
	Source *proxy.ConnSource
	// Connects is what `connect` check rules with options of their own
	// take from the server line.
	Connects ConnectOptions
}

// LogSpec is one frontend's logging: where to and in which format.
type LogSpec struct {
	Targets []LogTarget
	// Format is "httplog", "httplog clf", "tcplog", "custom" (Custom holds the log-format
	// string) or "" (no traffic lines: HAProxy logs none for an http
	// frontend without a format).
	Format      string
	Custom      string
	DontLogNull bool
	// DontLogNormal and SeparateErrors are `option dontlog-normal` and
	// `option log-separate-errors` (logfmt.Options).
	DontLogNormal, SeparateErrors bool
	// Tag is the proxy's `log-tag` ("" = Plan.LogTag).
	Tag string
	// SD is the frontend's log-format-sd ("" = none): the structured
	// data of its RFC 5424 lines; its %[...] samples are the frontend's
	// LogSamples from SDOffset on.
	SD       string
	SDOffset int
	// samples evaluate the custom format's %[...] samples, then the SD
	// format's (they go to the frontend's LogSamples).
	samples []func(*proxy.RequestInfo) (string, bool)
	// Error is the frontend's error-log-format ("" = none): the format of
	// the lines HAProxy writes with a session and no stream (failed
	// handshakes, requests its HTTP/1 parser refused); errSamples
	// evaluate its %[...] samples.
	Error      string
	errSamples []func(*proxy.RequestInfo) (string, bool)
}

// LogTarget is one `log` line, resolved (never "global").
type LogTarget struct {
	Pos    haproxy.Pos
	Target logfmt.Target
}

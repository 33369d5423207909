package proxy

import (
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/goha-lb/goha/proxy/cache"

	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/internal/bytere"
	"github.com/goha-lb/goha/proxy/persist"
	"github.com/goha-lb/goha/proxy/proxyproto"
	"github.com/goha-lb/goha/proxy/stick"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// Mode is a proxy's `mode`.
type Mode int

const (
	ModeHTTP Mode = iota
	ModeTCP
)

// Config is everything the data path runs.
type Config struct {
	// MaxConn is the global maxconn (0 = unlimited): beyond it listeners
	// stop accepting and new connections wait in the kernel backlog.
	MaxConn int
	// MaxConnRate, MaxSessRate: global maxconnrate, maxsessrate, per second over all listeners (0 = none).
	MaxConnRate, MaxSessRate int
	// MaxSSLConn, MaxSSLRate: global maxsslconn (TLS connections, both
	// sides) and maxsslrate (per second, on ssl binds); 0 = none (ssl_limits.go).
	MaxSSLConn, MaxSSLRate int
	// NoSplice is the global `nosplice`: no proxy splices, whatever its options say.
	NoSplice bool
	// VarLimits are the tune.vars.*-max-size limits (vars_limits.go).
	VarLimits VarLimits
	// CloseSpread is the global `close-spread-time` (close_spread.go).
	CloseSpread CloseSpread
	// H2 are the HTTP/2 settings (tune.h2.*); zero: HAProxy's defaults.
	H2        h2.Settings
	Frontends []*Frontend
	Backends  []*Backend
	// CompMaxLevel is tune.comp.maxlevel, the compression level
	// (HAProxy's default 1; 0 sends the data stored, uncompressed).
	CompMaxLevel int
	// CompRateLimit is global maxcomprate in bytes per second (0: none;
	// comp_rate.go).
	CompRateLimit int64
	HeadLimits    // tune.bufsize, tune.maxrewrite, ... (head_limits.go)
	// H1CaseAdjust is h1-case-adjust(-file): lower-case header name →
	// the case HTTP/1 output gives it where the frontend's
	// H1CaseAdjustClient or the backend's H1CaseAdjustServer asks (h1_case.go).
	H1CaseAdjust map[string]string
	// Tables are the stick tables, in declaration order (track.go).
	Tables []*stick.Table
}

// Timeouts are HAProxy's `timeout` values; zero means unset (no limit).
type Timeouts struct {
	Client, Server, Connect           time.Duration
	HTTPRequest, HTTPKeepAlive, Queue time.Duration
	Tunnel, ClientFin, ServerFin      time.Duration
	// Tarpit is how long http-request tarpit holds a request (`timeout
	// tarpit`, else `timeout connect`, as HAProxy).
	Tarpit time.Duration
}

// HTTPConnMode is the `option http-keep-alive | http-server-close |
// httpclose` choice; HAProxy 2.6 defaults to keep-alive on both sides.
type HTTPConnMode int

const (
	KeepAlive   HTTPConnMode = iota // reuse client and server connections
	ServerClose                     // close the server side after each response
	Close                           // close both sides after each response
)

// Frontend is a `frontend`, or the front half of a `listen` section.
type Frontend struct {
	Name string
	ID   int // HAProxy's proxy id (fe_id)
	// Table is the section's own stick-table (nil: none): the default
	// of src_* fetches and track-sc rules without `table`.
	Table             *stick.Table
	Binds             []string // "host:port" as net.Listen takes it ("127.0.0.1:80", ":80", "[::1]:80")
	Mode              Mode
	MaxConn           int // 0 = unlimited
	SessionSrvConns   int // max-session-srv-conns (session_conns.go): 0 is HAProxy's 5, -1 none
	RateLimitSessions int // `rate-limit sessions` (0: no limit; rate_limit.go)
	Timeouts          Timeouts
	ConnMode          HTTPConnMode
	ForwardFor        ForwardFor
	// OriginalTo is `option originalto` (originalto.go).
	OriginalTo OriginalTo
	// Monitor is `monitor-uri` with its `monitor fail` rules (nil: none).
	Monitor *Monitor
	Splice  SpliceOptions
	// TCPKeepAlive is `option clitcpka` with its probe tuning (nil: no
	// SO_KEEPALIVE on client sockets; tcpka.go).
	TCPKeepAlive *TCPKeepAlive
	// NoLinger is a frontend's `option nolinger`: its client sockets
	// close with a reset (nolinger.go).
	NoLinger bool
	// DefaultBackend names the backend used when no UseBackend rule matches.
	DefaultBackend string
	UseBackends    []UseBackend
	// RequestRules run in order on each HTTP request before routing.
	RequestRules []HeaderRule
	// Services are UseService rules checked after RequestRules (even
	// after an allow) and before Redirects: the section's stats page.
	Services []HeaderRule
	// ResponseRules run on each response before it is sent to the client.
	ResponseRules []HeaderRule
	// AfterResponseRules are the http-after-response rules: they run on
	// every response the client gets, the proxy's own pages included,
	// after the http-response rules (after_response.go).
	AfterResponseRules []HeaderRule
	// TCPConnRules are the `tcp-request connection` rules.
	TCPConnRules []TCPConnRule
	// TCPSessRules are the `tcp-request session` rules (track.go),
	// run once a connection's PROXY header and TLS handshake are done.
	TCPSessRules []TCPConnRule
	// TCPContentRules are the `tcp-request content accept|reject` rules
	// of a tcp-mode frontend, run on the bytes the client sent, waiting
	// for more up to InspectDelay (tcp_content.go).
	TCPContentRules []TCPConnRule
	InspectDelay    time.Duration
	// FirstContentSkip is how many content rules RequestRules starts
	// with: the first request of a connection upgraded per connection
	// skips them, its TCP stream ran TCPContentRules (switch_conn.go).
	FirstContentSkip int
	// Redirects are the legacy `redirect` rules, run after RequestRules.
	Redirects []HeaderRule
	// BufferRequest is `option http-buffer-request`: the request body is
	// waited for (up to the buffer, `timeout http-request`) before the
	// http-request rules run (body_wait.go).
	BufferRequest bool
	// Compression is the frontend's `compression` (nil: none).
	Compression *Compression
	// Listen: a listen section, whose backend half (the backend of the
	// same name) holds its cookie: HAProxy's log shows that cookie's
	// state for requests its rules answer.
	Listen bool
	// ErrorFiles maps a status code to a file holding the full raw HTTP
	// response to send instead of the built-in one (`errorfile`).
	ErrorFiles map[int]string
	// ErrorPages are whole responses replacing the built-in pages, built
	// by the configuration adapter (errorfile, errorloc, errorfiles,
	// http-error, as HAProxy re-emits them); they override ErrorFiles.
	ErrorPages map[int][]byte
	// ErrorPageCloses marks the pages after which HAProxy ends the
	// connection (an errorfile saying "Connection: close", or whose body
	// ends with the connection).
	ErrorPageCloses map[int]bool
	// AcceptInvalidRequest is `option accept-invalid-http-request` (http1.Request).
	AcceptInvalidRequest bool
	RestrictHdrNames     HdrNamePolicy // option http-restrict-req-hdr-names (restrict_hdr_names.go)
	// IgnoreProbes is `option http-ignore-probes`: a connection that
	// ends or times out before its first byte is closed silently (no
	// 408, no log line, no error counted).
	IgnoreProbes bool
	// DisableH2Upgrade is `option disable-h2-upgrade`: an HTTP/1
	// connection whose first bytes are the HTTP/2 preface is refused
	// (400) instead of served as HTTP/2 (h2_upgrade.go).
	DisableH2Upgrade bool
	// H1CaseAdjustClient is `option h1-case-adjust-bogus-client`.
	H1CaseAdjustClient bool
	// IdleCloseOnResponse is `option idle-close-on-response`: a soft stop
	// leaves idle HTTP/1 connections waiting (idle_close.go).
	IdleCloseOnResponse bool
	// LogASAP is `option logasap`: a transaction is logged once the
	// response head is ready to leave (a TCP session once its server
	// connection is up), with what is known then; %Ta, %Tt and %B of
	// every line of the frontend get a '+' (LogEntry.ASAP).
	LogASAP bool
	// ContStats is `option contstats`: HAProxy brings a stream's byte
	// counts up to date on each pass rather than at its end. Here it only
	// gives a logasap line its %U; the option stays unsupported (the
	// parser reports it) because goha's show stat byte counters do not
	// follow it yet: HAProxy shows 0 during a transfer without it, and
	// the frontend's, backend's and server's HTX sizes with it.
	ContStats bool
	// UpgradedFromTCP: a tcp frontend whose streams HAProxy upgrades
	// to HTTP (haproxycfg/switchmode.go), run as an HTTP one: a request
	// refused on its connection's first stream counts twice in ereq.
	// ByBackend: upgraded by its backend's mode, which HAProxy set (and
	// counted a session on) before that request came.
	UpgradedFromTCP, UpgradedByBackend bool
	// UpgradesPerConn: a tcp frontend (Mode ModeTCP) that HAProxy
	// upgrades to HTTP per connection, when its switching rules choose
	// an http backend (switch_conn.go): it reaches backends of both
	// modes, and its HTTP fields are what an upgraded connection runs.
	UpgradesPerConn bool
	// IndependentStreams is a tcp frontend's `option
	// independent-streams`: bytes sent to the client do not restart its
	// read clock (relay.go).
	IndependentStreams bool

	// AcceptProxy holds the Binds entries whose connections must start
	// with a PROXY protocol header (`bind ... accept-proxy`).
	AcceptProxy map[string]bool
	// Transparent: Binds entries with `bind ... transparent` (listen_transparent.go).
	Transparent map[string]bool
	// BindNames names each Binds entry as HAProxy's logs do: the bind
	// line's `name`, else the listener's number in the frontend.
	BindNames map[string]string
	// ReqCaptures and ResCaptures are the frontend's capture slots, in
	// HAProxy's order (%hr, %hs, capture.req.hdr(N), ...).
	ReqCaptures, ResCaptures []CaptureSlot
	// CaptureCookie and CaptureCookieLen are `capture cookie <name> len
	// <n>` ("" = none; persist_session.go).
	CaptureCookie    string
	CaptureCookieLen int
	// UniqueID builds a transaction's unique-id (`unique-id-format`) from
	// the request and an entry holding what the log knows so far; nil
	// without a format. UniqueIDHeader is `unique-id-header`.
	UniqueID       func(r *RequestInfo, e *LogEntry) string
	UniqueIDHeader string
	// LogSamples evaluate the %[...] samples of the frontend's
	// log-format, in order, when a transaction is logged (LogEntry.Samples).
	LogSamples     []func(*RequestInfo) (string, bool)
	ErrorLogConfig // error-log-format (conn_err.go)
	TLSCapture     // tune.ssl.capture-buffer-size (tls_front.go)
	// BindIDs numbers each Binds entry as HAProxy's so_id does: the bind
	// line's `id`, else the listener's number in the frontend.
	BindIDs map[string]int
	// TLS holds the Binds entries that terminate TLS (`bind ... ssl`),
	// with their server configuration.
	TLS map[string]*tls.Config
	// TLSVerify holds the TLS Binds entries with ca-ignore-err or
	// crt-ignore-err: their verifier gives a session the errors of the
	// client certificate it let through (ssl_c_verify, ssl_c_err, ...).
	TLSVerify map[string]*tlsconf.ClientVerify
	// H2 holds the Binds entries whose connections speak HTTP/2 from
	// the first byte (`bind ... proto h2`); over TLS, ALPN h2 does.
	H2          map[string]bool
	BindSockets map[string]BindSocket // per Binds entry: socket options, maxconn, NetScaler CIP (bindsock.go)
}

// UseBackend is `use_backend NAME if|unless COND`.
type UseBackend struct {
	Backend string
	Cond    Condition // nil = always
	// Dynamic, when set, computes the backend's name per request (a
	// log-format name, `use_backend %[req.hdr(x)]`), appended to dst;
	// Backend is then unused. A name that is no backend of the
	// frontend's mode ends the use_backend rules: default_backend
	// applies, as in HAProxy 2.6.
	Dynamic func(dst []byte, r *RequestInfo) []byte
}

// Condition is an ACL expression evaluated against a request; the ACL
// package (or a test) implements it.
type Condition interface {
	Match(r *RequestInfo) bool
}

// ProxyRef names a proxy as the fe_*/be_* fetches read it.
type ProxyRef struct {
	Name string
	ID   int
}

// RuleAction is the verb of an `http-request`/`http-response` rule.
type RuleAction int

const (
	SetHeader RuleAction = iota
	AddHeader
	DelHeader
	Deny      // answers Reply, or the error page for Status (403 when 0)
	Allow     // stops the http-request rules: the request goes on (requests only)
	Return    // answers Reply (requests only)
	Redirect  // answers the 30x Redirect builds (requests only)
	Tarpit    // holds the request for Timeouts.Tarpit, then answers as Deny (requests only)
	SetPath   // replaces the path of the target with Value, query kept (requests only)
	SetMethod // replaces the method with Value (requests only)
	// UseService answers the request with Service (HAProxy's
	// `http-request use-service`; requests only).
	UseService
	// SetVar runs Exec: set-var, set-var-fmt or unset-var.
	SetVar
	// TrackSC, SCIncGPC and SCSetGPT are track-sc<n> (requests only),
	// sc-inc-gpc* and sc-set-gpt*: Stick says how (track.go).
	TrackSC
	SCIncGPC
	SCSetGPT
	// Capture runs Exec: http-request/http-response capture.
	Capture
	// WaitForBody waits for the request body (body_wait.go): Wait long
	// at most, until AtLeast bytes (0: the whole body) are buffered.
	WaitForBody
	// SetTarget rewrites the Part of the request target (set-pathq,
	// set-query, set-uri, replace-path, replace-pathq, replace-uri;
	// requests only; target_rules.go).
	SetTarget
	// ReplaceHeader and ReplaceValue rewrite the fields named Name (each
	// whole value, or each comma-separated element) that Rewrite matches.
	ReplaceHeader
	ReplaceValue
	// CacheUse and CacheStore are http-request cache-use and
	// http-response cache-store on Cache (cache_use.go, cache_store.go).
	CacheUse
	CacheStore
)

// HeaderRule is one http-request/http-response rule.
type HeaderRule struct {
	// (What every rule reads per request comes first, in 64 bytes: the
	// rules of a request touch a cache line each rather than two.)
	Action RuleAction
	Cond   Condition // nil = always
	Name   string
	Value  string
	// AppendFormat, when set, is Format appending the value to dst,
	// which allocates nothing (the set-header/add-header rules' path).
	AppendFormat func(dst []byte, r *RequestInfo) []byte
	// Format, when set, computes the value of a set-header/add-header
	// rule per request (a log-format value with %[...] samples); Value is
	// then unused.
	Format func(*RequestInfo) string
	// Skip is the number of rules after a ContentAccept that it skips:
	// the tcp-request content rules that follow it (actions_content.go).
	Skip int
	// Deny and Return: the response HAProxy builds for the rule, whole
	// (nil: the proxy's error page for Status); Close says the connection
	// ends after it whatever the request (a 400 or 408 page).
	Status int
	Reply  []byte
	Close  bool
	// Dynamic, when set, builds the reply of a deny, tarpit or return per
	// request (log-format payload or header values); Reply is then unused.
	Dynamic *DynamicReply
	// Redirect is the redirect rule's target (Action Redirect).
	Redirect *RedirectRule
	// Service answers the request (Action UseService).
	Service Service
	// Exec runs a set-var, set-var-fmt or unset-var rule (Action SetVar):
	// the sample engine compiled it.
	Exec func(*RequestInfo)
	// Stick is a TrackSC, SCIncGPC or SCSetGPT rule's operands.
	Stick *StickRule
	// Wait and AtLeast are a WaitForBody rule's time and at-least size;
	// Wait is a SetTimeout rule's time, unless Millis computes it per
	// request (an expression, in milliseconds; false: no value).
	Millis  func(*RequestInfo) (int64, bool)
	Wait    time.Duration
	AtLeast int64
	// Part is what a SetTarget rule replaces.
	Part   TargetPart
	Origin RuleOrigin // where it is written (last_rule.go)
	// Regex, when set, makes a SetTarget rule a replace-path, -pathq or
	// -uri, and is a ReplaceHeader/ReplaceValue rule's: what it matches
	// is replaced whole by Value (or Format's result) with \1..\9 the
	// groups of the match (rewrite.go).
	Regex *bytere.Regexp
	// Cache is a CacheUse or CacheStore rule's cache section.
	Cache *cache.Cache
}

// TCPConnRule is `tcp-request connection accept|reject [if|unless cond]`:
// evaluated on each accepted connection before anything is read; the
// first whose condition holds decides.
type TCPConnRule struct {
	Reject bool
	// Silent makes a Reject a silent-drop: the client is not told
	// (actions_drop.go silence) and the frontend counts a denied request.
	Silent bool
	// Close is tcp-response content close: the server connection ends,
	// the rules stop (tcp_response.go). Switch is a per-connection
	// upgrade's switch-mode http: the rules stop, HTTP starts
	// (switch_conn.go); SwitchH1 its proto h1 (no HTTP/2 upgrade).
	Close, Switch, SwitchH1 bool
	Cond                    Condition // sees only Src (nil = always)
	// Track, when set, makes the rule a `track-sc<n>`: it decides
	// nothing, the connection is tracked for its whole life (track.go).
	Track *StickRule
	// Exec, when set, makes the rule a set-var, set-var-fmt or unset-var:
	// it decides nothing either.
	Exec func(*RequestInfo)
	// ExpectProxy makes a connection rule `expect-proxy layer4`: it
	// decides nothing, the connection then starts with a PROXY header
	// as on an accept-proxy bind (tcp_rules.go, proxyhdr.go).
	ExpectProxy bool
	// ExpectCIP is `expect-netscaler-cip layer4`: a NetScaler Client IP
	// header next, with the bind's magic (0 without accept-netscaler-cip).
	ExpectCIP bool
	Origin    RuleOrigin // where it is written (last_rule.go)
	// FromDefaults marks a tcp-mode content rule of the frontend's
	// defaults section: a wait for bytes there resumes at the
	// frontend's own rules (tcp_content.go).
	FromDefaults bool
}

// Backend is a `backend`, or the back half of a `listen` section.
type Backend struct {
	// TCPKeepAlive is `option srvtcpka` with its probe tuning (nil: no
	// SO_KEEPALIVE on server sockets; tcpka.go).
	TCPKeepAlive *TCPKeepAlive
	// FullConn is the backend's `fullconn`, HAProxy's default filled
	// when absent (servers' minconn grows to maxconn up to it).
	FullConn int
	// AfterResponseRules are a backend's http-after-response rules, run
	// before the frontend's (after_response.go).
	AfterResponseRules []HeaderRule
	// RequestRules, Redirects and ResponseRules are a backend's
	// http-request rules and redirect lines, run once a frontend routed
	// the request to it, and its http-response rules, run before the
	// frontend's (backend_rules.go). A listen section's are its
	// frontend half's.
	RequestRules, Redirects, ResponseRules []HeaderRule
	// TCPResponseRules are the `tcp-response content` rules, run once the
	// server connection is up (tcp_response.go), on its bytes (ResInspect).
	TCPResponseRules []TCPConnRule
	ResInspect       ResponseInspect
	// TCPContentRules are a tcp-mode backend's `tcp-request content`
	// rules, run after the frontend's with its own InspectDelay
	// (backend_content_tcp.go).
	TCPContentRules []TCPConnRule
	InspectDelay    time.Duration
	// NoLinger is a tcp backend's `option nolinger` (nolinger.go).
	NoLinger bool
	// FailedSrc: the configuration reads bc_src; a failed connect's
	// local address is kept for it (failed_src.go).
	FailedSrc bool
	// CheckCache is `option checkcache` (check_cache.go).
	CheckCache bool
	// IndependentStreams is a tcp backend's `option independent-streams`:
	// bytes sent to the server do not restart its read clock (relay.go).
	IndependentStreams bool
	// AbortOnClose is `option abortonclose`: a TCP session whose client
	// hangs up while it waits in the queue leaves it (logged CQ). In HTTP
	// mode HAProxy 2.6's H1 side does not read past a complete request
	// until its response, so it sees no hang-up there and neither does
	// goha (measured: the queued request still goes to the server).
	AbortOnClose bool
	// BufferRequest is the backend's `option http-buffer-request`: the
	// body is waited for once the backend is chosen (body_wait.go).
	BufferRequest bool
	// Compression is the backend's `compression` (nil: none).
	Compression *Compression
	Name        string
	ID          int // HAProxy's proxy id (be_id)
	Mode        Mode
	Timeouts    Timeouts
	ConnMode    HTTPConnMode
	ForwardFor  ForwardFor
	OriginalTo  OriginalTo
	// UseServers are the `use-server` rules in order (use_server.go).
	UseServers []UseServer
	// PretendKeepAlive is `option http-pretend-keepalive`: a request
	// sent on a connection closed after its response does not say so.
	PretendKeepAlive bool
	// H1CaseAdjustServer is `option h1-case-adjust-bogus-server`.
	H1CaseAdjustServer bool
	// SendNameHeader is `http-send-name-header`: the request a server
	// gets carries its name in this header, in lower case as HAProxy
	// emits header names ("" = none).
	SendNameHeader string
	Splice         SpliceOptions
	Retries        int       // `retries`, HAProxy default 3
	Reuse          ReuseMode // `http-reuse` (the zero value is HAProxy's default, safe)
	KeepAlivePrefs           // option prefer-last-server, max-keep-alive-queue (prefer_last.go)
	Redispatch     bool      // `option redispatch`: a retry may pick another server (see decideRetry)
	// Balance is `balance` with hash-type and allbackups (New builds the
	// balancer from it; the algorithm must be set).
	Balance         balance.Spec
	Servers         []*Server
	Dispatch        *Server // `dispatch` without balance (nil: none; dispatch.go)
	ErrorFiles      map[int]string
	ErrorPages      map[int][]byte // as Frontend.ErrorPages
	ErrorPageCloses map[int]bool   // as Frontend.ErrorPageCloses

	// RedispatchEvery is `option redispatch <interval>` (HAProxy's default
	// is -1, the last retry; see retryFacts).
	RedispatchEvery int
	// NoConnRetry: `retry-on` without conn-failure (e.g. `retry-on none`):
	// a failed connection is not retried.
	NoConnRetry bool
	// AcceptInvalidResponse is `option accept-invalid-http-response`:
	// the response parser relaxes what HAProxy 2.6's does (http1.Response).
	AcceptInvalidResponse bool
	RestrictHdrNames      HdrNamePolicy // its option http-restrict-req-hdr-names, once routed to it
	// Services are UseService rules checked once a request is routed to
	// the backend, as HAProxy checks a backend's stats URI: the first
	// whose condition holds answers instead of a server.
	Services []HeaderRule

	// Cookie is the persistence cookie (`cookie`; nil: none), run by
	// proxy/persist; Persist is `option persist`; PersistRules are the
	// `force-persist`/`ignore-persist` rules in order (the first whose
	// condition holds decides).
	Cookie       *persist.Cookie
	Persist      bool
	PersistRules []PersistRule
	// StickRules are the `stick on|match|store-request` rules in order
	// (stick_persist.go).
	StickRules []StickOn
	// StoreResponse says whether StickRules hold a store-response rule.
	StoreResponse bool
	// RDPCookie is the cookie name of `persist rdp-cookie` ("" = none;
	// tcp mode, persist_rdp.go).
	RDPCookie string
	// DynamicCookie and DynamicCookieKey are `cookie ... dynamic` and
	// `dynamic-cookie-key`: servers without a `cookie` of their own get
	// one derived from the key and their address (dyncookie.go).
	DynamicCookie    bool
	DynamicCookieKey string
}

// PersistRule is `force-persist` (Force) or `ignore-persist`.
type PersistRule struct {
	Force bool
	Cond  Condition // nil = always
}

// Server is one `server` line.
type Server struct {
	Name string
	Addr string // "host:port"
	// AnyHost: Addr's host is 0.0.0.0 or ::, and each connection goes to
	// the address the client connected to; MapPorts: Addr's port is an
	// offset (0 for none) from the port the client connected to
	// (transparent.go).
	AnyHost, MapPorts bool
	Weight            int // 0..256 as configured (HAProxy's default is 1; 0 = never picked)
	Backup            bool
	Disabled          bool
	MaxConn           int // 0 = unlimited
	MaxQueue          int
	// SendProxy is the PROXY protocol version each connection to the
	// server starts with: 0 none, 1 `send-proxy`, 2 `send-proxy-v2`.
	SendProxy int
	// Cookie is the server's `cookie` value ("" = none); CookieSet says
	// it was given (not derived by dynamic cookies).
	Cookie    string
	CookieSet bool
	// TLS, when set, makes connections to the server speak TLS with it
	// (server ... ssl; proxy/tlsconf.Upstream).
	TLS *tls.Config
	// TLSKeys, set when a rule or format reads ssl_bc_session_key or
	// ssl_bc_unique_id, keeps what its connections' handshakes show of
	// them (TLS's handshakes log there: tlsconf.ClientKeys.Install).
	TLSKeys *tlsconf.ClientKeys
	// SNI computes the server name sent in the ClientHello (server ...
	// sni <expr>); nil or no value: none.
	SNI func(*RequestInfo) (string, bool)
	// ServerDNS is how the server follows DNS (server_dns.go).
	ServerDNS
	// H2 makes connections to the server speak HTTP/2 from the start
	// (server ... proto h2); over TLS, ALPN h2 chosen by the server does
	// too (H2ALPN). WSH1 (`ws h1`): WebSocket upgrades on fresh HTTP/1.1 ones.
	H2, H2ALPN, WSH1 bool
	// FCGI makes connections to the server speak FastCGI for its
	// backend's fcgi-app (server ... proto fcgi; fcgi_upstream.go).
	FCGI *FCGIApp
	// Observe reports this server's traffic outcomes to Options.Observe
	// (`observe layer4|layer7`).
	Observe bool
	// OnMarkedDownShutdown is `on-marked-down shutdown-sessions`;
	// OnMarkedUpShutdownBackup is `on-marked-up shutdown-backup-sessions`.
	OnMarkedDownShutdown, OnMarkedUpShutdownBackup bool
	// Source: where connections come from (`source`, connsource.go; nil: the system's choice).
	Source *ConnSource
	// ID is the server's `id` (0: numbered around the forced ones, as
	// HAProxy numbers them: serverIDs).
	ID int
	// PP2 are the TLVs of its PROXY v2 header (proxy-v2-options).
	PP2 proxyproto.V2Options
	// IdleMax is a positive `pool-max-conn`: the most idle connections
	// kept for reuse (0: no bound of its own, idleCap); NoIdle is
	// `pool-max-conn 0`: every connection closes after its response.
	IdleMax int
	NoIdle  bool
	// StreamLimit is `max-reuse` + 1: the most requests one HTTP/2
	// connection to the server carries before it closes once they end (0:
	// no limit; a negative max-reuse is none). HAProxy 2.6 applies it to
	// HTTP/2 connections only: its H1 mux reuses a connection whatever
	// max-reuse says (measured), and so does goha.
	StreamLimit int
	// PurgeDelay is pool-purge-delay (reuse.go); 0: HAProxy's 5s default,
	// negative: `0`, no idle pool.
	PurgeDelay time.Duration
	// Redir is `redir <prefix>`: GET and HEAD requests assigned to the
	// server are redirected there (http_redir.go); "" = none.
	Redir string
	// MinConn is `minconn`: below MaxConn, the server's limit grows from
	// it with the backend's load up to FullConn (minconn.go); 0 = none.
	MinConn int
	// Slowstart is its weight's ramp-up time after it comes back (slowstart.go; 0: at once).
	Slowstart  time.Duration
	CheckAddrs                // its `addr` and `port`, and its agent's (check_addrs.go)
	ServerSock                // its sockets' options (server_sock.go)
	Socks4     netip.AddrPort // `socks4 <addr>:<port>`: its connections' SOCKS4 proxy (socks4.go)
}

package haproxy

import "time"

// Pos is where a statement came from.
type Pos struct {
	File string
	Line int
}

// Config is the typed configuration the proxy runtime consumes.
type Config struct {
	Global    Global
	Defaults  []*Proxy // every defaults section, in order (named or not)
	Frontends []*Proxy // frontend and listen sections
	Backends  []*Proxy // backend and listen sections
	Proxies   []*Proxy // frontend, backend, listen in file order
	Others    []*Section
	// Caches are the typed cache sections (cache.go).
	Caches []CacheSection
	// Peers are the peers sections that name the local peer (the others
	// are dropped, as HAProxy drops them), typed; their statements are
	// also in Others.
	Peers []*PeersSection
	// Userlists are the typed userlist sections (userlist.go).
	Userlists []Userlist
	// Rings are the typed ring sections (ring.go).
	Rings []*Ring
	// LogForwards are the typed log-forward sections (logforward.go).
	LogForwards []*LogForward
	// Resolvers are the typed resolvers sections (resolvers.go).
	Resolvers []*ResolversSection
	// FCGIApps are the typed fcgi-app sections (fcgi_app.go).
	FCGIApps []*FCGIApp
	// Unsupported lists statements kept raw: known keywords goha does not model.
	Unsupported []Statement
	// TicketKeys are the keys of the tls-ticket-keys files the check
	// read, by path as written, the encrypting one first: the build uses
	// them instead of reading the files again.
	TicketKeys map[string][][]byte
}

// Section is a non-proxy section kept as raw statements (userlist, peers,
// resolvers, mailers, http-errors, cache, program, ring).
type Section struct {
	Kind, Name string
	Pos        Pos
	Statements []Statement
}

// Statement is one raw line: keyword and arguments.
type Statement struct {
	Pos  Pos
	Args []string
}

// Global holds the typed global settings.
type Global struct {
	// SetVars are the global set-var and set-var-fmt lines, in order.
	SetVars              []GlobalSetVar
	Daemon, MasterWorker bool
	// NoReusePort is `noreuseport`: listeners bound without SO_REUSEPORT.
	NoReusePort       bool
	Pidfile, Chroot   string
	User, Group       string
	UID, GID          *int // `uid`/`gid` (nil: not given, or a later user/group)
	Maxconn, Nbthread int
	SpreadChecks      int // `spread-checks` percentage, 0..50
	// MaxSpreadChecks is `max-spread-checks` (0: not set): the first
	// checks are spread over at most this long.
	MaxSpreadChecks time.Duration
	// UnixBind is `unix-bind` (global_unixbind.go).
	UnixBind UnixBind
	NoSplice bool // `nosplice`: no splice(2) whatever the proxies' options
	// H2NoConnectProtocol is h2-workaround-bogus-websocket-clients: HTTP/2
	// clients are not offered extended CONNECT (proxy.Config).
	H2NoConnectProtocol bool
	// CompMaxLevel is tune.comp.maxlevel, 1..9 (0: not set, HAProxy's 1).
	CompMaxLevel int
	// MaxCompRate is maxcomprate in bytes per second (0: none).
	MaxCompRate uint32
	// VarLimits are the tune.vars.*-max-size limits (global_vars.go).
	VarLimits VarLimits
	// ProcNames are the proc variables the configuration names, in the
	// order the parser meets them (procnames.go).
	ProcNames []ProcName
	// BufSize is tune.bufsize rounded up to 16 bytes (0: not set,
	// HAProxy's 16384); MaxRewrite tune.maxrewrite (nil: not set,
	// HAProxy's 1024; the runtime clamps it to half the buffer);
	// MaxHeaders tune.http.maxhdr (0: not set, HAProxy's 101).
	BufSize    int
	MaxRewrite *int
	MaxHeaders int
	// AnyMethodPayload is h1-accept-payload-with-any-method.
	AnyMethodPayload bool
	// H1CaseAdjust maps a lower-case header name to the case HTTP/1
	// output gives it under option h1-case-adjust-bogus-client/-server:
	// the h1-case-adjust pairs, then those of H1CaseAdjustFile
	// (h1-case-adjust-file, read once the configuration is parsed).
	H1CaseAdjust     map[string]string
	H1CaseAdjustFile string
	// LogURILen is tune.http.logurilen plus one (0: not set, 1024).
	LogURILen int
	// CookieLen is tune.http.cookielen plus one (0: not set, 64).
	CookieLen int
	Node      string // `node`: the name `show info` reports
	LogTag    string // `log-tag`: the syslog tag ("" = "haproxy")
	// SendHostname is `log-send-hostname [name]`: syslog headers carry
	// Hostname, or the system's host name when it is empty.
	SendHostname bool
	Hostname     string
	Logs         []LogTarget
	StatsSockets []StatsSocket
	// StatsTimeout is `stats timeout`: how long the runtime API waits for
	// an idle client (0: HAProxy's default, 10s).
	StatsTimeout time.Duration
	// ServerStateBase and ServerStateFile are `server-state-base` and
	// `server-state-file` (the first of each wins, as in HAProxy):
	// where load-server-state-from-file reads (server_state.go).
	ServerStateBase, ServerStateFile string
	// UlimitN and FDHardLimit are `ulimit-n` and `fd-hard-limit` (0: not
	// set): the descriptor limit asked for instead of maxconn's, and the
	// cap on what the automatic sizing may use (global_limits.go).
	UlimitN, FDHardLimit int
	// MaxConnRate and MaxSessRate are `maxconnrate` and `maxsessrate`
	// (0: none), per second over the whole process.
	MaxConnRate, MaxSessRate int
	// Grace is `grace`: how long a soft stop keeps the listeners open.
	Grace time.Duration
	// CloseSpread is `close-spread-time` (global_close_spread.go).
	CloseSpread CloseSpread
	// DefaultPath is `default-path` (global_default_path.go).
	DefaultPath DefaultPath
	// EnvOps are the setenv, presetenv, unsetenv and resetenv lines, in
	// order, as far as HAProxy applied each (global_env.go).
	EnvOps []EnvOp
	// TLS are the global TLS settings of global_tls_tune.go.
	TLS TLSTune
	Raw []Statement
}

// StatsSocket is "stats socket <addr> [options]".
type StatsSocket struct {
	Pos      Pos
	Addr     Address
	Level    string
	Mode     string
	ExposeFD string
	Options  []string          // other bind options, by name, in order
	Values   map[string]string // the values of those Options that take one
}

// Capability says which roles a proxy section has.
type Capability uint8

const (
	CapFrontend Capability = 1 << iota
	CapBackend
)

// Proxy is a defaults, frontend, backend or listen section.
type Proxy struct {
	// UniqueIDFormat and UniqueIDHeader are `unique-id-format` (a
	// log-format string) and `unique-id-header`; UniqueIDPos is the
	// format's line.
	UniqueIDFormat, UniqueIDHeader string
	UniqueIDPos                    Pos
	// Captures are the `capture request|response header` and `declare
	// capture` lines, in file order (capture.go).
	Captures []Capture
	// CaptureCookie is the legacy `capture cookie <name> len <n>` (the
	// last line wins, as in HAProxy); nil without one.
	CaptureCookie *CookieCapture
	Kind          string // "defaults", "frontend", "backend", "listen"
	Name          string
	From          string // "from <defaults>"
	Def           *Proxy // the defaults section it started from (nil: none)
	Disabled      bool   // "disabled": parsed and checked, never started
	Pos           Pos
	Cap           Capability
	ID            int // `id` (0: numbered by file order, around the custom ones)
	// ServerState is `load-server-state-from-file` and
	// `server-state-file-name` (server_state.go).
	ServerState ServerStateSource

	Mode          string // "http", "tcp" (default "tcp")
	Binds         []Bind
	Servers       []*Server
	DefaultServer ServerOptions
	Balance       Balance
	HashType      HashType
	// HashBalanceFactor is `hash-balance-factor` (0 = off, else > 100).
	HashBalanceFactor int
	Timeouts          Timeouts
	Maxconn           int
	Fullconn          int // `fullconn` (0: HAProxy's default, DefaultFullconn)
	Retries           int
	RetriesSet        bool
	Options           map[string]bool // "redispatch", "httplog", ... false = "no option"
	// CliTCPKA and SrvTCPKA tune the keepalive probes of the client and
	// server sockets (proxy_tcpka.go); Options["clitcpka"] and
	// Options["srvtcpka"] turn keepalive on.
	CliTCPKA, SrvTCPKA TCPKeepAlive
	// ExternalCheck is set by `option external-check` (extcheck.go).
	ExternalCheck *ExternalCheck
	Forwardfor    *Forwardfor
	OriginalTo    *OriginalTo // `option originalto` (nil: off)
	// RestrictReqHdrNames is `option http-restrict-req-hdr-names`:
	// "preserve", "delete" or "reject" ("": not set, preserve).
	RestrictReqHdrNames string
	// Monitor is `monitor-uri` and `monitor fail` (proxy_monitor.go).
	Monitor Monitor
	// SendNameHeader is `http-send-name-header` ("" = none).
	SendNameHeader string
	// UseServers are the `use-server` rules in order (proxy_monitor.go).
	UseServers        []UseServer
	HTTPCheck         HTTPCheck
	TCPCheck          TCPCheck
	ACLs              []ACL
	UseBackends       []UseBackend
	DefaultBack       string
	DefaultBackAt     Pos
	HTTPRequestRules  []HTTPRule // `http-request` rules, in order
	HTTPResponseRules []HTTPRule // `http-response` rules, in order
	// HTTPAfterResponseRules are the `http-after-response` rules, in order.
	HTTPAfterResponseRules []HTTPRule
	// TCPResponseRules are the `tcp-response content` accept, reject,
	// close and variable rules of a backend or listen section.
	TCPResponseRules []HTTPRule
	// TCPConnRules are the `tcp-request connection accept|reject` rules
	// (Action "accept" or "reject"); other tcp-request rules stay in Raw.
	TCPConnRules []HTTPRule
	// TCPContentTracks are the `tcp-request content track-sc<n>` rules
	// (Action "track-sc0".."track-sc2"); other content rules stay in Raw.
	TCPContentTracks []HTTPRule
	// TCPSessTracks are the `tcp-request session track-sc<n>` rules.
	TCPSessTracks []HTTPRule
	// TCPContentRules are the `tcp-request content accept|reject` rules,
	// run on the buffered request for up to InspectDelay
	// (`tcp-request inspect-delay`, inherited from defaults).
	TCPContentRules []HTTPRule
	InspectDelay    time.Duration
	// HTTPUpgrade is set by a `tcp-request content switch-mode http`
	// rule (HAProxy's PR_O_HTTP_UPG): the rule is among TCPContentRules
	// (Action "switch-mode", Args "http" [proto <mux>]), and the proxy's
	// HTTP settings are not warned about in tcp mode.
	HTTPUpgrade bool
	// ResInspectDelay is `tcp-response inspect-delay` (inherited from
	// defaults): how long tcp-response content rules wait for response
	// bytes their conditions need (res.payload).
	ResInspectDelay time.Duration
	// Redirects are the legacy `redirect` rules (Action "redirect", Args
	// from location|prefix|scheme on).
	Redirects []HTTPRule
	// StickTable is the proxy's `stick-table` (nil: none).
	StickTable   *StickTable
	Stats        Stats
	Logs         []LogTarget
	LogFormat    string
	LogTag       string // `log-tag` ("" = the global one)
	LogFormatPos Pos
	// LogFormatSD is `log-format-sd`: the structured-data part of the
	// RFC 5424 lines ("" = none).
	LogFormatSD    string
	LogFormatSDPos Pos
	// Dispatch is `dispatch <address>:<port>` ("": none): a backend
	// without a balance algorithm sends every request there.
	Dispatch    Address
	DispatchPos Pos
	// Source is the `source` statement (nil: none): servers without
	// their own `source` connect from it (connsource.go).
	Source *ConnSource
	// RateLimitSessions is `rate-limit sessions <rate>`: new sessions
	// accepted per second at most (0: no limit).
	RateLimitSessions int
	// ErrorLogFormat is `error-log-format`: the format of the lines of
	// connections that fail before their stream ("" = the default line).
	ErrorLogFormat    string
	ErrorLogFormatPos Pos
	ErrorFiles        map[int]string
	ErrorFilesRef     []Statement
	// ErrorReplies are errorfile, errorloc*, errorfiles and http-error in
	// declaration order, the defaults' first (errorpages.go).
	ErrorReplies []ErrorReply
	// Compression is the `compression` statements (nil: none);
	// CompressionFilter is `filter compression` (compression.go).
	Compression       *Compression
	CompressionFilter bool
	// Filters are the proxy's filters in declaration order (cache.go).
	Filters []FilterDecl
	// UseFCGIApp is `use-fcgi-app`'s section name ("" = none), declared
	// at UseFCGIAppPos (fcgi_app.go).
	UseFCGIApp    string
	UseFCGIAppPos Pos
	Raw           []Statement // known but not typed

	// parse-order facts HAProxy warns about
	sawHTTPRequest, sawTCPContent, sawUseBackend, sawRedirect bool
	sawTCPSession                                             bool
	// lfPos is where HAProxy thinks the log format was declared: the line of
	// "option httplog", moved by later rules that parse expressions (HAProxy
	// shares one "current args position" between them).
	lfPos Pos

	// RedispatchEvery is the interval of `option redispatch [<interval>]`
	// (-1 when absent: the last retry).
	RedispatchEvery int
	RetryOn         *RetryOn // the last `retry-on` line; nil: conn-failure only
	// HTTPReuse is `http-reuse`'s mode ("" = absent: safe).
	HTTPReuse string
	// KeepAliveQueue is `max-keep-alive-queue` plus one, as HAProxy
	// stores it: 0 (the default, -1 written) sets no limit.
	KeepAliveQueue int
	// SessionSrvConns is `max-session-srv-conns` (when SessionSrvConnsSet;
	// else HAProxy's default, 5).
	SessionSrvConns    int
	SessionSrvConnsSet bool

	// Persistence (proxy_persist.go): the `cookie` line (nil: none), the
	// `force-persist`/`ignore-persist` rules in order, `dynamic-cookie-key`
	// and the cookie name of `persist rdp-cookie` ("" = none).
	Cookie           *Cookie
	PersistRules     []PersistRule
	DynamicCookieKey string
	PersistRDPCookie string
	PersistRDPPos    Pos
	// StickRules are the `stick on|match|store-request|store-response`
	// rules in order (proxy_stick.go).
	StickRules []StickRule
}

// Bind is one "bind" line; one line may hold several addresses.
type Bind struct {
	Pos     Pos
	Text    string // the address argument as written
	Addrs   []Address
	Options map[string]string // option -> value ("" for flags)
	SSL     bool
	Crts    []string // every crt value in order, under global crt-base
}

// Address is a parsed HAProxy address.
type Address struct {
	Family   string // "ipv4", "ipv6", "unix", "abns", "fd", "sockpair", "" (any)
	Host     string
	PortLow  int
	PortHigh int
	Path     string // unix socket path
	FD       int
	PortSet  bool
	PortRaw  string // the port text as written ("80", "8000-8010", "+1")
	Raw      string // the whole address as written
}

// Server is a "server" line.
type Server struct {
	Pos  Pos
	Name string
	Addr Address
	ServerOptions
}

// ServerOptions are the options server and default-server share.
type ServerOptions struct {
	Check, Backup, Disabled, SendProxy, SendProxyV2, SSL bool
	CheckSendProxy                                       bool    // check-send-proxy
	PP2                                                  PP2Opts // the PROXY v2 TLVs (server_pp2.go)
	Inter, FastInter, DownInter                          time.Duration
	TCPUserTimeout                                       time.Duration // tcp-ut (server_sock.go)
	Rise, Fall, Weight, Maxconn, Maxqueue, Port, ID      int
	CheckAddr, Cookie, Verify                            string
	Set                                                  map[string]bool // which options were given
	Other                                                map[string]string
	// Source is the `source ... [usesrc ...] [interface ...]` option
	// (nil: the backend's, if any).
	Source *ConnSource
	// Socks4 is `socks4 <addr>:<port>` (server_socks4.go; nil: none).
	Socks4 *Address
}

// Forwardfor is "option forwardfor [except net] [header name] [if-none]".
type Forwardfor struct {
	Except string
	Header string
	IfNone bool
}

// HTTPCheck collects option httpchk and http-check lines.
type HTTPCheck struct {
	Enabled bool
	Method  string
	URI     string
	Version string
	Rules   []CheckStep // http-check send/expect/... in order
}

// TCPCheck is a check type other than httpchk (the last of `option
// tcp-check|redis-check|mysql-check|pgsql-check|smtpchk|ldap-check|
// ssl-hello-chk` wins, as does httpchk over them) and the proxy's
// `tcp-check` lines, which an `option tcp-check` runs.
type TCPCheck struct {
	Option *ProtocolCheck // the check option (`option mysql-check user u`); nil = none
	Pos    Pos
	Rules  []CheckStep // tcp-check lines in order
	// ownRules: Rules came from this section (a section's first tcp-check
	// line replaces the ruleset inherited from defaults, as in HAProxy)
	ownRules bool
	// unusedTCP/unusedHTTP: tcp-check (http-check) lines were given while
	// another check type was set and no check option came after them;
	// HAProxy warns that they are ignored.
	unusedTCP, unusedHTTP bool
}

// Condition is an "if"/"unless" clause: OR of ANDs of (possibly negated)
// terms, where a term is an ACL name or an anonymous "{ ... }" ACL.
type Condition struct {
	Unless bool
	Or     [][]CondTerm
}

// CondTerm is one ACL reference inside a condition.
type CondTerm struct {
	Negate bool
	Name   string
	Anon   *ACL
}

// UseBackend is "use_backend <name> [if|unless cond]".
type UseBackend struct {
	Pos     Pos
	Backend string
	Cond    *Condition
}

// HTTPRule is an http-request/http-response rule.
type HTTPRule struct {
	Pos    Pos
	Action string
	Args   []string
	Cond   *Condition
}

// Stats is the proxy's stats page settings.
type Stats struct {
	Pos     Pos // the first stats line
	Enabled bool
	URI     string
	Realm   string
	Auth    []string
	Refresh time.Duration
	Admin   *Condition
	Raw     []Statement
}

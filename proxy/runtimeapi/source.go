package runtimeapi

import "time"

// Source is what the runtime API reads and changes: the running proxy.
// Implementations must be safe for concurrent use; every call is a
// snapshot or a single change.
type Source interface {
	// Info is the process view of `show info`.
	Info() Info
	// Stats lists every proxy section in configuration order.
	Stats() []Proxy
	// SetServerState puts a server in maintenance, drain or back to ready
	// (`disable server`, `enable server`, `set server ... state`). The
	// backend and server exist (checked against Stats first).
	SetServerState(backend, server string, state AdminState) error
	// SetServerWeight sets a server's current (user) weight, 0..256.
	SetServerWeight(backend, server string, weight int) error
}

// AdminState is the administrative state a runtime command asks for.
type AdminState int

// The states of `set server B/S state`.
const (
	StateReady AdminState = iota
	StateDrain
	StateMaint
)

func (s AdminState) String() string {
	return [...]string{"ready", "drain", "maint"}[s]
}

// Info is the data of `show info`. Fields left zero print as 0 (or as
// the HAProxy default noted).
type Info struct {
	Name        string // default "HAProxy"
	Version     string
	ReleaseDate string
	Nbthread    int
	Pid         int
	Uptime      time.Duration
	StartTime   time.Time // Start_time_sec
	UlimitN     int
	Maxsock     int
	Maxconn     int
	HardMaxconn int
	CurrConns   int64
	CumConns    int64
	CumReq      int64
	ConnRate    int64
	MaxConnRate int64
	SessRate    int64
	MaxSessRate int64
	// ConnRateLimit and SessRateLimit are global maxconnrate and
	// maxsessrate (0: none).
	ConnRateLimit, SessRateLimit int64
	Tasks                        int
	RunQueue                     int
	IdlePct                      int // default 100
	Node                         string
	Stopping                     bool
	Jobs                         int
	Listeners                    int
	// ActivePeers and ConnectedPeers count the peer sessions being made
	// or running, and those established.
	ActivePeers, ConnectedPeers int
	DroppedLogs                 int64
	BytesOut                    int64 // TotalBytesOut
	BytesOutRate                int64
	PoolAlloc                   int64 // bytes
	PoolUsed                    int64 // bytes
	// CompressBpsIn and CompressBpsOut are the compressors' input and
	// output rates, CompressBpsRateLim their limit (maxcomprate, `set
	// rate-limit http-compression`), in bytes per second.
	CompressBpsIn, CompressBpsOut, CompressBpsRateLim int64
	TLS                                               TLSInfo
}

// TLSInfo are the TLS fields of `show info` (HAProxy's Ssl* lines).
// SslCacheLookups and SslCacheMisses stay 0: goha resumes sessions by
// tickets only and keeps no server-side session cache.
type TLSInfo struct {
	MaxConns, RateLimit                 int64 // MaxSslConns, SslRateLimit: maxsslconn, maxsslrate
	CurrConns, CumConns                 int64 // CurrSslConns, CumSslConns
	Rate, MaxRate                       int64 // SslRate, MaxSslRate
	FrontendKeyRate, FrontendMaxKeyRate int64
	FrontendSessionReusePct             int64
	BackendKeyRate, BackendMaxKeyRate   int64
}

// Proxy is one frontend, backend or listen section. A listen section
// has both halves and prints FRONTEND, its servers, then BACKEND.
type Proxy struct {
	Name     string
	ID       int       // HAProxy's proxy id (iid column); see Stats docs
	HTTP     bool      // mode http (else tcp)
	Frontend *Frontend // nil for a backend section
	Backend  *Backend  // nil for a frontend section
}

// Counters are the traffic counters shared by every row kind; their names
// are the `show stat` columns.
type Counters struct {
	QCur, QMax                     int64
	SCur, SMax, STot               int64
	BIn, BOut                      int64
	DReq, DResp                    int64
	DCon                           int64 // connections tcp-request connection rules rejected
	DSes                           int64 // sessions tcp-request session rules rejected
	EReq, ECon, EResp              int64
	WRetr, WRedis                  int64
	Rate, RateMax                  int64    // sessions per second
	HRsp                           [6]int64 // 1xx, 2xx, 3xx, 4xx, 5xx, other
	ReqTot                         int64
	ReqRate, ReqRateMax            int64
	CliAbrt, SrvAbrt               int64
	LbTot                          int64 // times the server/backend was picked
	ConnRate, ConnRateMax, ConnTot int64
	Connect, Reuse                 int64
	Intercepted                    int64 // requests answered by a use-service or stats applet (frontends)
	CacheLookups, CacheHits        int64 // cache-use lookups and hits (frontends)
	// Compression: body bytes in and out, bytes passed by identity,
	// responses compressed (comp_in, comp_out, comp_byp, comp_rsp).
	CompIn, CompOut, CompByp, CompRsp int64
	// WRew: failed header rewrites; EInt: internal errors.
	WRew, EInt int64
	// Averages over the last 1024 sessions and maxima, in milliseconds.
	QTime, CTime, RTime, TTime             int64
	QTimeMax, CTimeMax, RTimeMax, TTimeMax int64
	// LastSess is the time since the last session; negative = never.
	LastSess time.Duration
}

// Frontend is a frontend's row.
type Frontend struct {
	Counters
	SLim    int  // maxconn
	RateLim int  // rate-limit sessions (0: none)
	Stopped bool // "shutdown frontend": status STOP instead of OPEN
	Paused  bool // "disable frontend": status PAUSED
}

// Backend is a backend's row and its servers.
type Backend struct {
	Counters
	SLim int    // fullconn
	Algo string // balance algorithm, e.g. "roundrobin"
	// StaticWeights is set for algorithms that cannot change weights at
	// run time (static-rr, map-based hashing): only 0% and 100% apply.
	StaticWeights bool
	LastChange    time.Duration // since the backend last went up or down
	Downs         int64         // chkdown: times the backend went down
	Downtime      time.Duration
	Servers       []Server
	Cookie        string // the persistence cookie's name ("" = none)
}

// Server is a server's row.
type Server struct {
	Counters
	Name           string
	ID             int    // server id in its backend (sid), 1-based
	Addr           string // "host:port"
	Up             bool   // operational state: running (else stopped)
	Maint          bool   // administrative maintenance (disable server, state maint)
	ConfigDisabled bool   // `disabled` on the server line (also Maint)
	// ResolvMaint: no address from its resolvers (MAINT (resolution));
	// FQDN is the server's name ("" = configured by address), Resolved
	// says a resolvers section keeps resolving it.
	ResolvMaint bool
	FQDN        string
	Resolved    bool
	// SRVRecord is the SRV name a server-template slot follows ("" =
	// none); SRVNamed: a record named it once (SRV_ADMF_HMAINT in
	// srv_admin_state, kept by HAProxy 2.6 even after the record goes).
	SRVRecord string
	SRVNamed  bool
	// UseSSL: the server's traffic is TLS (`ssl`), srv_use_ssl in `show
	// servers state` (HAProxy's reading of the file switches TLS off on
	// an ssl server whose line says 0).
	UseSSL        bool
	Drain         bool // administrative drain
	Stopping      bool // up, but its check asks to drain (disable-on-404: NOLB)
	Backup        bool
	Weight        int // current user weight
	InitialWeight int // weight from the configuration
	MaxConn       int // slim; 0 = none
	MaxQueue      int // qlimit; 0 = none
	LastChange    time.Duration
	Downtime      time.Duration
	IdleConns     int
	NeedConns     int // need_conn_est: HAProxy's estimate of the connections the server needs
	UsedMax       int // the peak of connections in use since the idle pool's last purge
	IdleUnsafe    int // of IdleConns, those not yet proven safe (unsafe_nb)
	// PurgeDelayMS is its pool-purge-delay in milliseconds (0: HAProxy's
	// default; negative: 0, no idle pool).
	PurgeDelayMS int64
	Check        *Check // nil: "no check" (unless Tracked)
	// Tracked is the server this one tracks (`track`), "backend/server":
	// it has no check of its own and shows its state as UP or DOWN.
	Tracked string
	// MaintVia: in the maintenance its tracked server passed on ("MAINT
	// (via B/S)"), naming that server.
	MaintVia string
	// MaintForced: with MaintVia, also in its own maintenance.
	MaintForced bool
	// DrainInherited: Drain was passed on by the tracked server.
	DrainInherited bool
	Cookie         string // the server's persistence cookie value ("" = none)
	// Agent is the server's agent-check (Status "CHECKED" for an answer
	// without a health word); nil: none. AgentAddr and AgentPort are
	// where it connects (AgentAddr "" = the server's host).
	Agent     *Check
	AgentAddr string
	AgentPort int
	// AgentOff: the server has an agent-check, turned off (`disable
	// agent`, or `add server ... agent-check` before `enable agent`).
	AgentOff bool
	// TrackRef is, for a tracking server, the server at the end of its
	// chain (its Up, Check and Agent), which HAProxy reads its status from.
	TrackRef *Server
	// UncheckedHealth is the health HAProxy keeps for a server without
	// check once something set it (0 after maintenance or `set server
	// ... health down`, rise+fall-1 after `health up`); nil: never, it
	// sits at UncheckedRise then (0 when `disabled`).
	UncheckedHealth *int
	// UncheckedRise is the configured rise of a server without check (0:
	// HAProxy's default, 2); its agent stopping it leaves the health there.
	UncheckedRise int
	// CheckAddr and CheckPort are the check's own `addr` and `port` (or
	// what `set server ... check-addr|check-port` set): "" and 0 = the
	// server's.
	CheckAddr string
	CheckPort int
	// NeverReady: added by `add server` and never out of maintenance
	// since; HAProxy 2.6 shows such a server's weight as 1 in `show stat`
	// until then, whatever its weight.
	NeverReady bool
	// CheckOff is the state of a health check turned off (`disable
	// health`, or `add server ... check` before `enable health`); Check
	// is nil then.
	CheckOff *Check
	// HanaFail is `show stat` hanafail, the times `observe` saw its error
	// limit; nil for a server without observe.
	HanaFail *int64
	// ForcedID: the server's id came from its `id` option.
	ForcedID bool
	// Warm is a starting server's slow-start factor in sixteenths of its
	// weight (proxy.ServerStatus.Warm); 0: not starting.
	Warm int
}

// Check is a server's health check state, in HAProxy's terms: Health runs
// from 0 to Rise+Fall-1 and the server is up at Health >= Rise.
type Check struct {
	Status             string // "L4OK", "L4CON", "L4TOUT", "L7OK", "L7STS", "L7RSP", "L7TOUT", "SOCKERR", "INI"
	Code               int    // HTTP status for L7 checks, 0 = none
	Duration           time.Duration
	Desc               string // "Layer4 check passed", ...
	Info               string // last_chk: the check's detail, e.g. "Connection refused"
	Rise, Fall, Health int
	Failed             int64 // chkfail
	Downs              int64 // chkdown: UP->DOWN transitions
	// RunsInMaint: maintenance neither pauses the check nor empties its
	// health (a dynamic server's, in the maintenance it was created in).
	RunsInMaint bool
	// Running: a check is under way (HAProxy's CHK_ST_INPROGRESS): `show
	// stat` writes "* " before its status, `show servers state` sets bit 0
	// of its state and shows no result yet; its detail (Info) is empty.
	Running bool
}

// id returns the proxy id; ensure defaultID ran on a zero ID first.
func (p *Proxy) id() int { return p.ID }

// defaultID applies HAProxy's numbering when the source left ID zero.
func (p *Proxy) defaultID(pos int) {
	if p.ID == 0 {
		p.ID = pos + 2
	}
}

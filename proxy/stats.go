package proxy

import (
	"sync/atomic"

	"github.com/goha-lb/goha/proxy/stick"
)

// Counters are the live counters of a frontend, backend or server. All
// fields are updated atomically by the data path; read them with Snapshot.
type Counters struct {
	sessions, curSessions atomic.Int64
	bytesIn, bytesOut     atomic.Int64 // from clients / to clients
	requests              atomic.Int64
	status                [6]atomic.Int64 // index 1..5: 1xx..5xx; 0: other
	connErrors            atomic.Int64
	respErrors            atomic.Int64
	retries, redispatches atomic.Int64
	queue                 atomic.Int64
	intercepted           atomic.Int64 // requests a Service answered
	cacheLookups          atomic.Int64 // cache-use lookups (cache_use.go)
	cacheHits             atomic.Int64 // ... that found an entry
	// deniedReq: requests a rule denied, tarpitted, rejected or dropped
	// (dreq); deniedConn: connections a tcp-request connection rule
	// rejected (dcon).
	deniedReq, deniedConn atomic.Int64
	// deniedSess: sessions a tcp-request session reject refused (dses).
	deniedSess atomic.Int64
	// deniedResp: responses a tcp-response rule refused (dresp).
	deniedResp atomic.Int64
	reqErrors  atomic.Int64 // ereq: requests that failed to arrive or parse
	direct     atomic.Int64 // requests a persistence cookie sent to this server
	// compression (compress_body.go): body bytes compressed in and out,
	// bytes sent uncompressed by identity, compressed responses
	compIn, compOut, compByp, compRsp atomic.Int64
	// sessRate and reqRate are the per-second rates the fe_sess_rate,
	// fe_req_rate, be_sess_rate and srv_sess_rate fetches read
	// (sample_state.go).
	sessRate, reqRate stick.FreqCtr
	redirected        atomic.Int64 // requests a server's `redir` answered (http_redir.go)
	// failedRewrites: header rewrites that found no room (wrew);
	// internalErrors: transactions that ended on HAProxy's internal
	// error path, a failed rewrite in strict mode (eint). See
	// actions_strict.go.
	failedRewrites, internalErrors atomic.Int64
	// cliAbrt and srvAbrt: sessions that ended on the client's or the
	// server's reset or timeout during the data phase (relay.go).
	cliAbrt, srvAbrt atomic.Int64
}

// Stats is a point-in-time copy of Counters, named like HAProxy's `show
// stat` columns.
type Stats struct {
	Sessions     int64 // stot: total sessions (connections for frontends/TCP, requests sent for servers)
	CurSessions  int64 // scur
	BytesIn      int64 // bin
	BytesOut     int64 // bout
	Requests     int64 // req_tot
	HRsp1xx      int64
	HRsp2xx      int64
	HRsp3xx      int64
	HRsp4xx      int64
	HRsp5xx      int64
	HRspOther    int64
	ConnErrors   int64 // econ
	RespErrors   int64 // eresp
	Retries      int64 // wretr
	Redispatches int64 // wredis
	Queue        int64 // qcur
	Intercepted  int64 // intercepted: requests answered by a Service (frontends)
	DeniedReq    int64 // dreq
	DeniedConn   int64 // dcon
	DeniedSess   int64 // dses
	DeniedResp   int64 // dresp
	ReqErrors    int64 // ereq
	// Direct: requests a persistence cookie sent to the server, which
	// HAProxy does not count as balancer picks (lbtot).
	Direct int64
	// CompIn, CompOut, CompByp, CompRsp are comp_in, comp_out, comp_byp
	// and comp_rsp (frontends and backends).
	CompIn, CompOut, CompByp, CompRsp int64
	// Redirected: requests the server's `redir` answered without a
	// connection (among Sessions, not among its requests).
	Redirected int64
	// WRew and EInt are wrew (failed header rewrites) and eint
	// (internal errors: a failed rewrite in strict mode).
	WRew, EInt int64
	// CacheLookups and CacheHits are cache_lookups and cache_hits
	// (frontends: cache-use runs in their rules).
	CacheLookups, CacheHits int64
	// CliAborts and SrvAborts are cli_abrt and srv_abrt (backends and
	// servers): relayed sessions that ended on a C/c or S/s state.
	CliAborts, SrvAborts int64
}

// Snapshot copies the counters.
func (c *Counters) Snapshot() Stats {
	return Stats{
		Sessions: c.sessions.Load(), CurSessions: c.curSessions.Load(),
		BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(), Requests: c.requests.Load(),
		HRspOther: c.status[0].Load(), HRsp1xx: c.status[1].Load(), HRsp2xx: c.status[2].Load(),
		HRsp3xx: c.status[3].Load(), HRsp4xx: c.status[4].Load(), HRsp5xx: c.status[5].Load(),
		ConnErrors: c.connErrors.Load(), RespErrors: c.respErrors.Load(),
		Retries: c.retries.Load(), Redispatches: c.redispatches.Load(), Queue: c.queue.Load(), Direct: c.direct.Load(),
		Intercepted: c.intercepted.Load(), DeniedReq: c.deniedReq.Load(), DeniedConn: c.deniedConn.Load(), DeniedSess: c.deniedSess.Load(), DeniedResp: c.deniedResp.Load(), ReqErrors: c.reqErrors.Load(),
		CompIn: c.compIn.Load(), CompOut: c.compOut.Load(), CompByp: c.compByp.Load(), CompRsp: c.compRsp.Load(),
		Redirected: c.redirected.Load(),
		WRew:       c.failedRewrites.Load(), EInt: c.internalErrors.Load(),
		CacheLookups: c.cacheLookups.Load(), CacheHits: c.cacheHits.Load(),
		CliAborts: c.cliAbrt.Load(), SrvAborts: c.srvAbrt.Load(),
	}
}

func (c *Counters) countStatus(code int) {
	i := code / 100
	if i < 1 || i > 5 {
		i = 0
	}
	c.status[i].Add(1)
}

// FrontendState is the read-only view of one frontend.
type FrontendState struct {
	Name  string
	Stats Stats
}

// ServerState is the read-only view of one server.
type ServerState struct {
	Name   string
	Addr   string
	Up     bool
	Weight int
	Backup bool
	Idle   int // idle connections in the reuse pool
	// UsedMax and NeedEst are the idle pool's peak of connections in use
	// since its last purge and its estimate of the connections needed
	// (HAProxy's max_used_conns and est_need_conns; reuse.go).
	UsedMax, NeedEst int
	// IdleUnsafe counts the idle connections not yet proven safe (they
	// carried only a session's first request; HAProxy's unsafe_nb).
	IdleUnsafe int
	Stats      Stats
	// MaxConn is the current maxconn (`set maxconn server` changes it).
	MaxConn int
	// ID is HAProxy's server id; Config is the server's configuration
	// (from the file, or from `add server`).
	ID     int
	Config *Server
}

// BackendState is the read-only view of one backend and its servers.
type BackendState struct {
	Name    string
	Stats   Stats
	Servers []ServerState
}

// Frontends returns a snapshot of every frontend's counters, in
// configuration order. Safe to call at any time from any goroutine.
func (p *Proxy) Frontends() []FrontendState {
	out := make([]FrontendState, 0, len(p.frontends))
	for _, f := range p.frontends {
		out = append(out, FrontendState{Name: f.cfg.Name, Stats: f.stats.Snapshot()})
	}
	return out
}

// Backends returns a snapshot of every backend and server, in
// configuration order. Safe to call at any time from any goroutine.
func (p *Proxy) Backends() []BackendState {
	out := make([]BackendState, 0, len(p.backendList))
	for _, b := range p.backendList {
		bs := BackendState{Name: b.cfg.Name, Stats: b.stats.Snapshot()}
		// scur is HAProxy's beconn: the requests on its servers and those
		// waiting in its queue, and those HAProxy never takes back
		// (curSessions: mode_mismatch.go)
		bs.Stats.CurSessions += int64(b.queue.n.Load())
		b.mu.Lock()
		for _, s := range b.list() {
			bs.Stats.CurSessions += s.bal.Conns.Load()
			s.mu.Lock()
			idle, need, unsafe := len(s.idle), s.need, 0
			for _, ic := range s.idle {
				if !ic.safe {
					unsafe++
				}
			}
			s.mu.Unlock()
			bs.Servers = append(bs.Servers, ServerState{
				Name: s.cfg.Name, Addr: s.address(), MaxConn: int(s.maxConn.Load()), Up: s.bal.Up, Weight: s.bal.Weight,
				Backup: s.bal.Backup, Idle: idle, Stats: s.stats.Snapshot(), ID: s.id, Config: s.cfg,
				UsedMax: need.maxUsed, NeedEst: need.est, IdleUnsafe: unsafe,
			})
		}
		b.mu.Unlock()
		out = append(out, bs)
	}
	return out
}

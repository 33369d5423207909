package runtimeapi

import (
	"cmp"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// statColumns is the `show stat` header of HAProxy 2.6, in order. The
// header line is "# " + these joined by ',' + ",".
var statColumns = strings.Split("pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out", ",")

var statIndex = func() map[string]int {
	m := make(map[string]int, len(statColumns))
	for i, c := range statColumns {
		m[c] = i
	}
	return m
}()

// StatHeader is the first line of `show stat`.
func StatHeader() string { return "# " + strings.Join(statColumns, ",") + ",\n" }

// row is one `show stat` line being filled. Columns never set stay
// absent: empty in the CSV, left out of the typed output, as HAProxy
// leaves the fields that do not apply to a row kind.
type row struct {
	kind    byte // 'F', 'B' or 'S' (typed output)
	v       []string
	present []bool
}

func newRow(kind byte) *row {
	return &row{kind: kind, v: make([]string, len(statColumns)), present: make([]bool, len(statColumns))}
}

func (r *row) set(col string, v string) {
	i, ok := statIndex[col]
	if !ok {
		panic("runtimeapi: unknown stat column " + col)
	}
	r.v[i], r.present[i] = v, true
}

func (r *row) num(col string, v int64) { r.set(col, strconv.FormatInt(v, 10)) }

// zero sets columns that HAProxy prints as counters gohaproxy does not
// keep (compression, SSL, H2, ...): they read 0, as in an HAProxy that
// does not use the feature.
func (r *row) zero(cols ...string) {
	for _, c := range cols {
		r.set(c, "0")
	}
}

func (r *row) String() string {
	var b strings.Builder
	for _, v := range r.v {
		b.WriteString(csvField(v))
		b.WriteByte(',')
	}
	b.WriteByte('\n')
	return b.String()
}

// csvField quotes a field as HAProxy's csv_enc does when it must: one
// holding a comma, a quote or a line break, quotes doubled.
func csvField(v string) string {
	if !strings.ContainsAny(v, ",\"\r\n") {
		return v
	}
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}

// typed renders the row as `show stat typed` does:
// "F.<iid>.<sid>.<field>.<name>.1:<tags>:<type>:<value>" per present
// field. The "-" column is a CSV separator only, so the fields after it
// are numbered one less.
func (r *row) typed(b *strings.Builder, iid, sid int) {
	pos := 0
	for i, col := range statColumns {
		if col == "-" {
			continue
		}
		if r.present[i] {
			fmt.Fprintf(b, "%c.%d.%d.%d.%s.1:%s:%s\n", r.kind, iid, sid, pos, col, r.tags(col), r.v[i])
		}
		pos++
	}
}

// tags are the typed tags and type of a column in this row kind.
func (r *row) tags(col string) string {
	if tags, ok := statTags[string(r.kind)+"."+col]; ok {
		return tags
	}
	return "MGP:u64" // not seen on haproxy for this row kind
}

var (
	h2Cols  = []string{"h2_headers_rcvd", "h2_data_rcvd", "h2_settings_rcvd", "h2_rst_stream_rcvd", "h2_goaway_rcvd", "h2_detected_conn_protocol_errors", "h2_detected_strm_protocol_errors", "h2_rst_stream_resp", "h2_goaway_resp", "h2_open_connections", "h2_backend_open_streams", "h2_total_connections", "h2_backend_total_streams"}
	h1Cols  = []string{"h1_open_connections", "h1_open_streams", "h1_total_connections", "h1_total_streams", "h1_bytes_in", "h1_bytes_out", "h1_spliced_bytes_in", "h1_spliced_bytes_out"}
	sslCols = []string{"ssl_sess", "ssl_reused_sess", "ssl_failed_handshake"}
)

// comp sets the compression counters of a frontend or backend row.
func (r *row) comp(c *Counters) {
	r.num("comp_in", c.CompIn)
	r.num("comp_out", c.CompOut)
	r.num("comp_byp", c.CompByp)
	r.num("comp_rsp", c.CompRsp)
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

func (r *row) common(px *Proxy, svname string, typ int64, sid int) {
	r.set("pxname", px.Name)
	r.set("svname", svname)
	r.num("pid", 1)
	r.num("iid", int64(px.id()))
	r.num("sid", int64(sid))
	r.num("type", typ)
	if px.HTTP {
		r.set("mode", "http")
	} else {
		r.set("mode", "tcp")
	}
	r.set("-", "-")
	r.zero(sslCols...)
}

func (r *row) httpResponses(c *Counters) {
	for i, col := range []string{"hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"} {
		r.num(col, c.HRsp[i])
	}
}

func (r *row) timers(c *Counters) {
	r.num("qtime", c.QTime)
	r.num("ctime", c.CTime)
	r.num("rtime", c.RTime)
	r.num("ttime", c.TTime)
	r.num("qtime_max", c.QTimeMax)
	r.num("ctime_max", c.CTimeMax)
	r.num("rtime_max", c.RTimeMax)
	r.num("ttime_max", c.TTimeMax)
}

func lastSess(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return secs(d)
}

func frontendRow(px *Proxy) *row {
	f := px.Frontend
	c := &f.Counters
	r := newRow('F')
	r.common(px, "FRONTEND", 0, 0)
	r.num("scur", c.SCur)
	r.num("smax", c.SMax)
	r.num("slim", int64(f.SLim))
	r.num("stot", c.STot)
	r.num("bin", c.BIn)
	r.num("bout", c.BOut)
	r.num("dreq", c.DReq)
	r.num("dresp", c.DResp)
	r.num("ereq", c.EReq)
	switch {
	case f.Stopped:
		r.set("status", "STOP")
	case f.Paused:
		r.set("status", "PAUSED")
	default:
		r.set("status", "OPEN")
	}
	r.num("rate", c.Rate)
	r.num("rate_lim", int64(f.RateLim))
	r.num("rate_max", c.RateMax)
	if px.HTTP {
		r.httpResponses(c)
		r.num("intercepted", c.Intercepted)
		r.num("cache_lookups", c.CacheLookups)
		r.num("cache_hits", c.CacheHits)
	}
	r.num("req_rate", c.ReqRate)
	r.num("req_rate_max", c.ReqRateMax)
	r.num("req_tot", c.ReqTot)
	r.comp(c)
	r.num("conn_rate", c.ConnRate)
	r.num("conn_rate_max", c.ConnRateMax)
	r.num("conn_tot", c.ConnTot)
	r.num("dcon", c.DCon)
	r.num("dses", c.DSes)
	r.num("wrew", c.WRew)
	r.num("eint", c.EInt)
	r.zero(h2Cols...)
	r.zero(h1Cols...)
	return r
}

// usable is a server the balancer may pick: up, not in maintenance or
// drain, with a weight.
func usable(sv *Server) bool {
	return sv.Up && !sv.Maint && !sv.ResolvMaint && !sv.Drain && !sv.Stopping && sv.Weight > 0
}

// serverStatus is HAProxy's status column for a server.
func serverStatus(sv *Server) string {
	if sv.ResolvMaint {
		return "MAINT (resolution)"
	}
	if sv.Maint && sv.MaintVia != "" {
		return "MAINT (via " + sv.MaintVia + ")"
	}
	if sv.Maint {
		return "MAINT"
	}
	if ref := sv.TrackRef; ref != nil && (ref.Agent != nil || sv.Agent != nil) {
		if st, ok := trackerAgentStatus(sv, ref); ok {
			return st
		}
	}
	if ag := sv.Agent; ag != nil {
		switch {
		case sv.Drain:
			return "DRAIN (agent)"
		case !sv.Up && ag.Health == 0:
			return "DOWN (agent)"
		case !sv.Up && sv.Check == nil:
			// stopped otherwise (forced): HAProxy shows the unchecked
			// health against the server's rise
			h := 0
			if sv.UncheckedHealth != nil {
				h = *sv.UncheckedHealth
			}
			return fmt.Sprintf("DOWN %d/%d", h, cmp.Or(sv.UncheckedRise, 2))
		}
	}
	ck := sv.Check
	if sv.Up {
		goingDown := ck != nil && ck.Health < ck.Rise+ck.Fall-1
		switch {
		// HAProxy 2.6 words a stopping server NOLB, drained or not
		case sv.Stopping && goingDown:
			return fmt.Sprintf("NOLB %d/%d", ck.Health-ck.Rise+1, ck.Fall)
		case sv.Stopping:
			return "NOLB"
		case sv.Drain && goingDown:
			return fmt.Sprintf("DRAIN %d/%d", ck.Health-ck.Rise+1, ck.Fall)
		case sv.Drain:
			return "DRAIN"
		case goingDown:
			return fmt.Sprintf("UP %d/%d", ck.Health-ck.Rise+1, ck.Fall)
		case ck == nil && sv.Tracked == "":
			return "no check"
		}
		return "UP"
	}
	if ck != nil && ck.Health > 0 {
		return fmt.Sprintf("DOWN %d/%d", ck.Health, ck.Rise)
	}
	return "DOWN"
}

func serverRow(px *Proxy, sv *Server) *row {
	c := &sv.Counters
	r := newRow('S')
	r.common(px, sv.Name, 2, sv.ID)
	if sv.Cookie != "" {
		r.set("cookie", sv.Cookie)
	}
	r.num("qcur", c.QCur)
	r.num("qmax", c.QMax)
	r.num("scur", c.SCur)
	r.num("smax", c.SMax)
	if sv.MaxConn > 0 {
		r.num("slim", int64(sv.MaxConn))
	}
	r.num("stot", c.STot)
	r.num("bin", c.BIn)
	r.num("bout", c.BOut)
	r.num("dresp", c.DResp)
	r.num("econ", c.ECon)
	r.num("eresp", c.EResp)
	r.num("wretr", c.WRetr)
	r.num("wredis", c.WRedis)
	r.set("status", serverStatus(sv))
	switch {
	case sv.NeverReady:
		r.num("weight", 1)
	case sv.Warm > 0:
		r.num("weight", int64(balance.WarmedWeight(sv.Weight, sv.Warm)))
		r.num("throttle", int64(balance.Throttle(sv.Weight, sv.Warm)))
	default:
		r.num("weight", int64(sv.Weight))
	}
	if sv.Backup {
		r.zero("act")
		r.num("bck", 1)
	} else {
		r.num("act", 1)
		r.zero("bck")
	}
	r.num("lastchg", secs(sv.LastChange))
	if sv.MaxQueue > 0 {
		r.num("qlimit", int64(sv.MaxQueue))
	}
	r.num("lbtot", c.LbTot)
	if sv.Tracked != "" {
		r.set("tracked", sv.Tracked)
	}
	r.num("rate", c.Rate)
	r.num("rate_max", c.RateMax)
	if ck := sv.Check; ck != nil {
		r.num("chkfail", ck.Failed)
		r.num("chkdown", ck.Downs)
		r.num("downtime", secs(sv.Downtime))
	}
	// A check paused by maintenance shows no check columns (HAProxy fills
	// them only for an enabled, unpaused check); a check that never ran
	// has no code or duration yet.
	if ck := sv.Check; ck != nil && (!sv.Maint && !sv.ResolvMaint || ck.RunsInMaint) {
		r.set("check_status", runningMark(ck)+ck.Status)
		// HAProxy shows a code for the statuses with layer 7 data, 0
		// included (a tcp-check's L7OK)
		if ck.Code != 0 || ck.Status == "L7OK" || ck.Status == "L7OKC" || ck.Status == "L7STS" || strings.HasPrefix(ck.Status, "PROC") {
			r.num("check_code", int64(ck.Code))
		}
		switch {
		case ck.Duration < 0:
			// HANA: no check ran, and HAProxy prints its -1 as an unsigned
			r.set("check_duration", "18446744073709551615")
		case ck.Status != "INI":
			r.num("check_duration", int64(ck.Duration/time.Millisecond))
		}
		r.set("last_chk", ck.Info)
		r.set("check_desc", ck.Desc)
		r.num("check_rise", int64(ck.Rise))
		r.num("check_fall", int64(ck.Fall))
		r.num("check_health", int64(ck.Health))
	}
	r.agentColumns(sv.Agent)
	if sv.HanaFail != nil { // only a server with `observe` shows it
		r.num("hanafail", *sv.HanaFail)
	}
	if px.HTTP {
		r.httpResponses(c)
		r.num("req_tot", c.ReqTot)
	}
	r.num("cli_abrt", c.CliAbrt)
	r.num("srv_abrt", c.SrvAbrt)
	r.num("lastsess", lastSess(c.LastSess))
	r.timers(c)
	if host, _, err := net.SplitHostPort(sv.Addr); err != nil || host != "" {
		r.set("addr", sv.Addr) // a server waiting for DNS has none
	}
	r.num("wrew", c.WRew)
	r.num("connect", c.Connect)
	r.num("reuse", c.Reuse)
	r.num("srv_icur", int64(sv.IdleConns))
	r.num("eint", c.EInt)
	r.num("idle_conn_cur", int64(sv.IdleConns))
	r.zero("safe_conn_cur", "used_conn_cur")
	r.num("need_conn_est", int64(sv.NeedConns))
	r.num("uweight", int64(sv.Weight))
	return r
}

func backendRow(px *Proxy, filtered bool) *row {
	b := px.Backend
	c := &b.Counters
	r := newRow('B')
	r.common(px, "BACKEND", 1, 0)
	if b.Cookie != "" {
		r.set("cookie", b.Cookie)
	}
	r.num("qcur", c.QCur)
	r.num("qmax", c.QMax)
	r.num("scur", c.SCur)
	r.num("smax", c.SMax)
	r.num("slim", int64(b.SLim))
	r.num("stot", c.STot)
	r.num("bin", c.BIn)
	r.num("bout", c.BOut)
	r.num("dreq", c.DReq)
	r.num("dresp", c.DResp)
	r.num("econ", c.ECon)
	r.num("eresp", c.EResp)
	r.num("wretr", c.WRetr)
	r.num("wredis", c.WRedis)
	w, act, bck := backendWeights(b)
	status := "DOWN"
	if w > 0 || len(b.Servers) == 0 {
		status = "UP"
	}
	if filtered {
		up := 0
		for i := range b.Servers {
			if b.Servers[i].Up && !b.Servers[i].Maint {
				up++
			}
		}
		status = fmt.Sprintf("%s (%d/%d)", status, up, len(b.Servers))
	}
	r.set("status", status)
	r.num("weight", w)
	r.num("act", act)
	r.num("bck", bck)
	r.num("chkdown", b.Downs)
	r.num("lastchg", secs(b.LastChange))
	r.num("downtime", secs(b.Downtime))
	r.num("lbtot", c.LbTot)
	r.num("rate", c.Rate)
	r.num("rate_max", c.RateMax)
	if px.HTTP {
		r.httpResponses(c)
		r.num("req_tot", c.ReqTot)
		r.zero("cache_lookups", "cache_hits")
	}
	r.num("cli_abrt", c.CliAbrt)
	r.num("srv_abrt", c.SrvAbrt)
	r.comp(c)
	r.num("lastsess", lastSess(c.LastSess))
	r.timers(c)
	r.set("algo", b.Algo)
	r.num("wrew", c.WRew)
	r.num("connect", c.Connect)
	r.num("reuse", c.Reuse)
	r.num("eint", c.EInt)
	r.num("uweight", backendUWeight(b))
	r.zero("agg_server_status", "agg_server_check_status", "agg_check_status")
	r.zero(h2Cols...)
	r.zero(h1Cols...)
	return r
}

// StatFilter selects rows of `show stat`, as its arguments do.
type StatFilter struct {
	Typed   bool   // `typed`: one "F.iid.sid.field.name.1:tags:type:value" line per field
	JSON    bool   // `json`: an array of rows, each an array of typed fields (Typed ignored)
	UpOnly  bool   // `up`: only servers that are up
	NoMaint bool   // `no-maint`: no server in maintenance
	Proxy   string // by name; "" = all (see ProxyID)
	// Bound is set by `show stat <iid> <type> <sid>`: then ProxyID -1 is
	// every proxy, Types is taken as it is (a bitmask, 0 shows nothing,
	// -1 everything) and SID -1 is every server, any other SID only that
	// one (0: none), as in HAProxy. Unbound, 0 means all for the three.
	Bound   bool
	ProxyID int // by id
	Types   int // bitmask: 1 frontends, 2 backends, 4 servers
	SID     int // server id
}

// FormatStat renders `show stat` for the proxies.
func FormatStat(proxies []Proxy, f StatFilter) string {
	var b strings.Builder
	rows := 0
	emit := func(r *row, px *Proxy, sid int) {
		switch {
		case f.JSON:
			if rows > 0 {
				b.WriteByte(',')
			}
			r.json(&b, px.ID, sid)
		case f.Typed:
			r.typed(&b, px.ID, sid)
		default:
			b.WriteString(r.String())
		}
		rows++
	}
	if f.JSON {
		b.WriteByte('[')
	} else if !f.Typed {
		b.WriteString(StatHeader())
	}
	types, sid := f.Types, f.SID
	if !f.Bound && types <= 0 {
		types = 7
	}
	if !f.Bound && sid == 0 {
		sid = -1
	}
	for i := range proxies {
		px := &proxies[i]
		px.defaultID(i)
		if (f.Proxy != "" && px.Name != f.Proxy) || (f.ProxyID > 0 && px.ID != f.ProxyID) {
			continue
		}
		if px.Frontend != nil && types&1 != 0 {
			emit(frontendRow(px), px, 0)
		}
		if px.Backend == nil {
			continue
		}
		for j := range px.Backend.Servers {
			sv := &px.Backend.Servers[j]
			if types&4 == 0 || (sid != -1 && sv.ID != sid) ||
				(f.UpOnly && (!sv.Up || sv.Maint)) || (f.NoMaint && (sv.Maint || sv.ResolvMaint)) {
				continue
			}
			emit(serverRow(px, sv), px, sv.ID)
		}
		if types&2 != 0 {
			emit(backendRow(px, f.UpOnly || f.NoMaint), px, 0)
		}
	}
	if f.JSON {
		b.WriteString("]\n")
	}
	return b.String()
}

// cmdShowStat parses its arguments as HAProxy 2.6 does: when there are at
// least three, the first three are <proxy> <type> <sid> whatever they say
// (a proxy name, else a number read like C's atoi: "show stat json 3 4 -1"
// is "No such proxy."), and every argument is also looked at for the
// options; words that are neither are ignored.
func cmdShowStat(s *Session, args []string) string {
	var f StatFilter
	descWanted := false
	for _, a := range args[2:] {
		switch a {
		case "up":
			f.UpOnly = true
		case "no-maint":
			f.NoMaint = true
		case "typed": // the last of typed and json wins, as in HAProxy
			f.Typed, f.JSON = true, false
		case "json":
			f.Typed, f.JSON = false, true
		case "desc":
			// HAProxy adds its description texts to the typed and json
			// forms and ignores desc in the CSV; goha does not carry them
			descWanted = true
		}
	}
	if descWanted && (f.Typed || f.JSON) {
		return errDesc
	}
	proxies := s.src.Stats()
	if len(args) >= 5 {
		f.Bound = true
		f.ProxyID = atoi(args[2])
		for i := range proxies {
			proxies[i].defaultID(i)
			if proxies[i].Name == args[2] {
				f.ProxyID = proxies[i].ID
				break
			}
		}
		if f.ProxyID == 0 {
			return "No such proxy.\n"
		}
		f.Types, f.SID = atoi(args[3]), atoi(args[4])
	}
	return FormatStat(proxies, f)
}

// atoi reads a number as C's atoi does: an optional sign and the digits
// that follow, 0 when there are none ("12x" is 12, "up" is 0).
func atoi(s string) int {
	i, neg, n := 0, false, 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			n = 1 << 31
		}
	}
	if neg {
		return -n
	}
	return n
}

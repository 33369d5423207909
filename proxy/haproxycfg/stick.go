package haproxycfg

import (
	"strings"

	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/stick"
)

// stickTables builds the stick table of every enabled proxy declaring one.
func (b *builder) stickTables(cfg *haproxy.Config) {
	b.tables = map[string]*stick.Table{}
	stuck := stickRuleTables(cfg)
	for _, px := range cfg.Proxies {
		if px.Disabled || px.StickTable == nil {
			continue
		}
		c, ok := stickConfig(px.Name, px.StickTable)
		if !ok {
			b.unsupported(px.StickTable.Pos, "stick-table type "+px.StickTable.Type)
			continue
		}
		if stuck[px.Name] {
			c = withServerID(c)
		}
		if px.StickTable.SrvKey == "addr" {
			// server_key would hold the server's address: not done
			b.unsupported(px.StickTable.Pos, "stick-table srvkey addr")
		}
		t, err := stick.New(c)
		if err != nil {
			b.unsupported(px.StickTable.Pos, "stick-table: "+err.Error())
			continue
		}
		b.tables[px.Name] = t
		b.plan.Proxy.Tables = append(b.plan.Proxy.Tables, t)
	}
}

// stickConfig maps a parsed stick-table: a string key holds `len` bytes
// (31 without it: HAProxy's 32-byte key keeps one for the NUL), a binary
// key `len` bytes (32 without it).
func stickConfig(name string, st *haproxy.StickTable) (stick.Config, bool) {
	kt, ok := stick.LookupKeyType(st.Type)
	if !ok {
		return stick.Config{}, false
	}
	c := stick.Config{Name: name, Key: kt, Size: int(st.Size), Expire: uint32(st.Expire.Milliseconds()),
		NoPurge: st.NoPurge, Peers: st.Peers}
	switch {
	case kt == stick.KeyString && st.KeyLen == 0:
		c.KeyLen = stick.DefaultKeyLen - 1
	case kt == stick.KeyString || kt == stick.KeyBinary:
		c.KeyLen = max(st.KeyLen, 0)
		if c.KeyLen == 0 {
			c.KeyLen = stick.DefaultKeyLen
		}
	}
	for _, s := range st.Stores {
		d, ok := stick.LookupDataType(s.Name)
		if !ok {
			return stick.Config{}, false
		}
		c.Stores = append(c.Stores, stick.Store{Type: d, Period: uint32(s.Period.Milliseconds()), Count: s.Count})
	}
	return c, true
}

// scRule maps an http-request track-sc, sc-inc-gpc* or sc-set-gpt* rule,
// or an http-response sc-inc-gpc* or sc-set-gpt* one (on the counters
// the request tracked); ok is false when r is not one (reported when it
// is one that cannot run).
func (b *builder) scRule(px *haproxy.Proxy, r haproxy.HTTPRule, kw string) (hr proxy.HeaderRule, isSC, ok bool) {
	a, isSC, msg := haproxy.ParseSCAction(r.Action, r.Args)
	if !isSC {
		return hr, false, false
	}
	if msg != "" || kw != "http-request" && kw != "http-response" {
		b.unsupported(r.Pos, kw+" "+r.Action)
		return hr, true, false
	}
	if a.Verb == "track-sc" {
		sr, ok := b.trackRule(px, a, r.Pos, kw+" "+r.Action)
		if !ok {
			return hr, true, false
		}
		return proxy.HeaderRule{Action: proxy.TrackSC, Stick: sr}, true, true
	}
	sr, ok := b.scCounterRule(a, r.Pos, kw+" "+r.Action, nil)
	if !ok {
		return hr, true, false
	}
	hr.Action = proxy.SCIncGPC
	if strings.HasPrefix(a.Verb, "sc-set-gpt") {
		hr.Action = proxy.SCSetGPT
	}
	hr.Stick = sr
	return hr, true, true
}

// scCounterRule compiles an sc-inc-gpc0/gpc1/gpc or sc-set-gpt0/gpt
// action; what names it in notices. limit, when set, names what an
// sc-set-gpt value reads that its stage cannot evaluate ("": nothing).
func (b *builder) scCounterRule(a haproxy.SCAction, p haproxy.Pos, what string, limit func(haproxy.Sample) string) (*proxy.StickRule, bool) {
	sr := &proxy.StickRule{SC: a.SC}
	switch a.Verb {
	case "sc-inc-gpc0", "sc-inc-gpc1", "sc-inc-gpc":
		sr.Type = map[string]stick.DataType{"sc-inc-gpc0": stick.GPC0, "sc-inc-gpc1": stick.GPC1, "sc-inc-gpc": stick.GPC}[a.Verb]
		sr.Index = a.Index
	case "sc-set-gpt0", "sc-set-gpt":
		sr.Type, sr.Index = stick.GPT0, a.Index
		if a.Verb == "sc-set-gpt" {
			sr.Type = stick.GPT
		}
		if a.Value == "" {
			b.unsupported(p, what+" without a value")
			return nil, false
		}
		if n, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
			sr.Value = func(*proxy.RequestInfo) (int64, bool) { return n, true }
			break
		}
		smp := haproxy.ParseSample(a.Value)
		if limit != nil {
			if bad := limit(smp); bad != "" {
				b.unsupported(p, what+" "+a.Value+": "+bad)
				return nil, false
			}
		}
		e, err := acl.CompileExpr(smp)
		if err != nil {
			b.unsupported(p, what+": "+err.Error())
			return nil, false
		}
		sr.Value = e.Int
	default:
		b.unsupported(p, what)
		return nil, false
	}
	return sr, true
}

// scCounterExec maps an sc-inc-gpc* or sc-set-gpt* rule of the tcp-request
// connection, session or content rules, or of the tcp-response content
// rules: it decides nothing (proxy.SCCounterExec). limit is as for
// scCounterRule.
func (b *builder) scCounterExec(r haproxy.HTTPRule, what string, limit func(haproxy.Sample) string) (func(*proxy.RequestInfo), bool) {
	a, _, msg := haproxy.ParseSCAction(r.Action, r.Args)
	if msg != "" {
		b.unsupported(r.Pos, what+": "+msg)
		return nil, false
	}
	if a.Value == "" && len(r.Args) > 0 || a.Value != "" && len(r.Args) > 1 {
		b.unsupported(r.Pos, what+" "+strings.Join(r.Args, " "))
		return nil, false
	}
	sr, ok := b.scCounterRule(a, r.Pos, what, limit)
	if !ok {
		return nil, false
	}
	return proxy.SCCounterExec(sr, strings.HasPrefix(a.Verb, "sc-set-gpt")), true
}

// layer4Value says why a value read when a connection is accepted is not
// a layer-4 sample ("": it is one).
func layer4Value(s haproxy.Sample) string {
	if acl.Layer4(s) {
		return ""
	}
	return "not a layer-4 sample"
}

// trackRule compiles a track-sc's key for its table (the proxy's own
// unless named); what names the rule in notices.
func (b *builder) trackRule(px *haproxy.Proxy, a haproxy.SCAction, p haproxy.Pos, what string) (*proxy.StickRule, bool) {
	name := a.Table
	if name == "" {
		name = px.Name
	}
	t := b.tables[name]
	if t == nil {
		b.unsupported(p, what+": no table "+name)
		return nil, false
	}
	e, err := acl.CompileExpr(haproxy.ParseSample(a.Key))
	if err != nil || !acl.StickKeyCast(e.Type(), t.Config().Key) {
		what += " " + a.Key
		if err != nil {
			what += ": " + err.Error()
		}
		b.unsupported(p, what)
		return nil, false
	}
	cfg := t.Config()
	key := func(ri *proxy.RequestInfo) ([]byte, bool) { return e.StickKey(ri, cfg) }
	return &proxy.StickRule{SC: a.SC, Table: t, Key: key}, true
}

// connTrack maps a tcp-request connection track-sc: its key must have a
// value when the connection is accepted (a layer-4 fetch).
func (b *builder) connTrack(px *haproxy.Proxy, a haproxy.SCAction, msg string, p haproxy.Pos, what string) (*proxy.StickRule, bool) {
	if msg != "" || a.Verb != "track-sc" {
		b.unsupported(p, what+" "+msg)
		return nil, false
	}
	if !acl.Layer4(haproxy.ParseSample(a.Key)) {
		b.unsupported(p, what+" "+a.Key+": not a layer-4 sample")
		return nil, false
	}
	return b.trackRule(px, a, p, what)
}

// contentTracks maps `tcp-request content track-sc<n>` of an HTTP
// frontend: HAProxy runs the content rules on each request's stream before
// its http-request rules, and a tracking there counts as an http-request
// one does (the connection and the request, on the stream).
// pos gives each rule's line.
func (b *builder) contentTracks(px *haproxy.Proxy, acls *acl.Set) (out []proxy.HeaderRule, pos []haproxy.Pos) {
	for _, r := range px.TCPContentTracks {
		what := "tcp-request content " + r.Action
		a, isSC, msg := haproxy.ParseSCAction(r.Action, r.Args)
		if !isSC || msg != "" {
			b.unsupported(r.Pos, what+" "+msg)
			continue
		}
		sr, ok := b.trackRule(px, a, r.Pos, what)
		if !ok {
			continue
		}
		hr := proxy.HeaderRule{Action: proxy.TrackSC, Stick: sr}
		if r.Cond != nil {
			c, err := acls.Compile(r.Cond)
			if err != nil {
				b.unsupported(r.Pos, what+" condition: "+err.Error())
				continue
			}
			hr.Cond = c
		}
		out = append(out, hr)
		pos = append(pos, r.Pos)
	}
	return out, pos
}

// tcpSessRules maps the `tcp-request session` rules (accept, reject,
// silent-drop, track-sc<n>, sc-inc-gpc*, sc-set-gpt*, the variable and
// address actions): run once the session begins, on layer-4 samples.
func (b *builder) tcpSessRules(px *haproxy.Proxy, acls *acl.Set) []proxy.TCPConnRule {
	var out []proxy.TCPConnRule
	for _, r := range px.TCPSessTracks {
		what := "tcp-request session " + r.Action
		var tr proxy.TCPConnRule
		if r.Action == "silent-drop" {
			if len(r.Args) != 0 {
				b.unsupported(r.Pos, what+" "+strings.Join(r.Args, " "))
				continue
			}
			tr.Reject, tr.Silent = true, true
		} else if exec, matched, ok := b.tcpExec(r, what); matched {
			if !ok {
				continue
			}
			tr.Exec = exec
		} else if r.Action == "accept" || r.Action == "reject" {
			if len(r.Args) != 0 {
				b.unsupported(r.Pos, what+" "+strings.Join(r.Args, " "))
				continue
			}
			tr.Reject = r.Action == "reject" // an accept is a rule without an action
		} else {
			a, _, msg := haproxy.ParseSCAction(r.Action, r.Args)
			track, ok := b.connTrack(px, a, msg, r.Pos, what)
			if !ok {
				continue
			}
			tr.Track = track
		}
		c, ok := b.layer4Cond(acls, r.Cond, r.Pos, what)
		if !ok {
			continue
		}
		tr.Cond = c
		out = append(out, tr)
	}
	return out
}

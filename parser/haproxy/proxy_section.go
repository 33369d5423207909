package haproxy

import (
	"fmt"
)

// newProxy starts a proxy from its defaults, applying HAProxy's inheritance:
// a frontend/backend/listen copies the last (or "from"-named) defaults.
func newProxy(kind, name string, p Pos, def *Proxy) *Proxy {
	px := &Proxy{Kind: kind, Name: name, Pos: p, Mode: DefaultMode,
		Options: map[string]bool{}, ErrorFiles: map[int]string{}}
	switch kind {
	case "frontend":
		px.Cap = CapFrontend
	case "backend":
		px.Cap = CapBackend
	default:
		px.Cap = CapFrontend | CapBackend
	}
	if def == nil {
		return px
	}
	px.Mode = def.Mode
	px.Timeouts = def.Timeouts
	for k, v := range def.Options {
		px.Options[k] = v
	}
	for k, v := range def.ErrorFiles {
		px.ErrorFiles[k] = v
	}
	px.ErrorReplies = append([]ErrorReply(nil), def.ErrorReplies...)
	px.Balance, px.HashType, px.HashBalanceFactor = def.Balance, def.HashType, def.HashBalanceFactor
	px.Maxconn, px.Retries, px.RetriesSet = def.Maxconn, def.Retries, def.RetriesSet
	px.Fullconn = def.Fullconn
	if px.Cap&CapFrontend != 0 { // as HAProxy copies them: by side
		px.CliTCPKA = def.CliTCPKA
	}
	if px.Cap&CapBackend != 0 {
		px.SrvTCPKA = def.SrvTCPKA
	}
	px.RedispatchEvery, px.RetryOn = def.RedispatchEvery, def.RetryOn
	px.HTTPReuse, px.KeepAliveQueue = def.HTTPReuse, def.KeepAliveQueue
	px.SessionSrvConns, px.SessionSrvConnsSet = def.SessionSrvConns, def.SessionSrvConnsSet
	if px.Cap&CapBackend != 0 {
		px.Source = def.Source
	}
	px.Forwardfor, px.OriginalTo = def.Forwardfor, def.OriginalTo
	px.RestrictReqHdrNames = def.RestrictReqHdrNames
	px.Monitor.URI, px.SendNameHeader = def.Monitor.URI, def.SendNameHeader
	px.HTTPCheck = def.HTTPCheck
	// a copy: proxies append their own steps (a shared array would let one
	// proxy's step overwrite another's)
	px.HTTPCheck.Rules = append([]CheckStep(nil), def.HTTPCheck.Rules...)
	px.TCPCheck = def.TCPCheck
	px.TCPCheck.ownRules, px.TCPCheck.unusedTCP, px.TCPCheck.unusedHTTP = false, false, false
	px.DefaultServer = def.DefaultServer
	px.DefaultBack, px.DefaultBackAt = def.DefaultBack, def.DefaultBackAt
	px.Logs = append([]LogTarget(nil), def.Logs...)
	px.LogFormat, px.LogFormatPos, px.lfPos = def.LogFormat, def.LogFormatPos, def.lfPos
	px.LogFormatSD, px.LogFormatSDPos = def.LogFormatSD, def.LogFormatSDPos
	px.ErrorLogFormat, px.ErrorLogFormatPos = def.ErrorLogFormat, def.ErrorLogFormatPos
	px.RateLimitSessions = def.RateLimitSessions
	px.LogTag = def.LogTag
	px.UniqueIDFormat, px.UniqueIDHeader, px.UniqueIDPos = def.UniqueIDFormat, def.UniqueIDHeader, def.UniqueIDPos
	px.Stats = def.Stats
	px.Cookie, px.DynamicCookieKey = def.Cookie, def.DynamicCookieKey
	px.PersistRDPCookie, px.PersistRDPPos = def.PersistRDPCookie, def.PersistRDPPos
	px.InspectDelay = def.InspectDelay
	px.ResInspectDelay = def.ResInspectDelay
	px.Compression = def.Compression.inherit()
	px.ServerState = def.ServerState
	return px
}

// proxy parses a defaults/frontend/backend/listen section; true = abort.
func (s *state) proxy(p Pos, sec *astSection) bool {
	name := ""
	if len(sec.Args) > 0 {
		name = sec.Args[0]
	}
	if name == "" && sec.Kind != "defaults" {
		s.alert(p, "'%s' expects an <id> argument", sec.Kind)
		return true
	}
	if sec.Kind != "defaults" {
		// HAProxy 2.6 only complains when the earlier section has every
		// capability of the new one (a listen may follow a backend of the
		// same name, not the other way round).
		if prev := s.proxies[name]; prev != nil && prev.Cap&kindCap(sec.Kind) == kindCap(sec.Kind) {
			prevKind := prev.Kind
			if prevKind == "listen" {
				prevKind = "proxy"
			}
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : Parsing [%s:%d]: %s '%s' has the same name as %s '%s' declared at %s:%d.",
				p.File, p.Line, sec.Kind, name, prevKind, name, prev.Pos.File, prev.Pos.Line))
			s.fileFatal = true
		}
		if s.headerExtraArgs(p, sec) {
			return false
		}
	}
	// A proxy starts from the last defaults section; a defaults section
	// without "from" starts from HAProxy's built-in defaults.
	def := s.lastDef
	if sec.Kind == "defaults" {
		def = nil
	}
	from := ""
	if len(sec.Args) >= 3 && sec.Args[1] == "from" {
		from = sec.Args[2]
		def = s.defaults[from]
		if def == nil {
			s.alert(p, "defaults section '%s' not found for proxy '%s'.", from, name)
			s.abort = true
			return true
		}
	}
	s.defaultsUse(p, def, from != "")
	px := newProxy(sec.Kind, name, p, def)
	px.From, px.Def = from, def
	for _, st := range sec.Body {
		w := append([]string{st.Keyword}, st.Args...)
		s.lastLine = st.Pos.Line
		s.noteProcNames(Pos{p.File, st.Pos.Line}, w) // procnames.go
		if s.proxyStatement(px, Pos{p.File, st.Pos.Line}, w) {
			return true
		}
	}
	switch sec.Kind {
	case "defaults":
		if s.defaults == nil {
			s.defaults = map[string]*Proxy{}
		}
		if name != "" {
			s.defaults[name] = px
		}
		s.lastDef = px
		s.cfg.Defaults = append(s.cfg.Defaults, px)
	default:
		if prev, dup := s.proxies[name]; !dup || prev.Cap != px.Cap && px.Cap&CapBackend != 0 {
			s.proxies[name] = px
		}
		s.cfg.Proxies = append(s.cfg.Proxies, px)
		if px.Cap&CapFrontend != 0 {
			s.cfg.Frontends = append(s.cfg.Frontends, px)
		}
		if px.Cap&CapBackend != 0 {
			s.cfg.Backends = append(s.cfg.Backends, px)
		}
	}
	return false
}

func kindCap(kind string) Capability {
	switch kind {
	case "frontend":
		return CapFrontend
	case "backend":
		return CapBackend
	}
	return CapFrontend | CapBackend
}

package haproxycfg

import (
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/h2"
)

// h2Settings reads the global tune.h2.* values over HAProxy's defaults
// (zero Settings when none is set: the defaults). The parser checked the
// ranges HAProxy checks and reads them as atoi does.
func h2Settings(g *haproxy.Global) h2.Settings {
	var s h2.Settings
	set := false
	for _, st := range g.Raw {
		if len(st.Args) < 2 {
			continue
		}
		var dst *uint32
		switch st.Args[0] {
		case "tune.h2.header-table-size":
			dst = &s.HeaderTableSize
		case "tune.h2.initial-window-size":
			dst = &s.InitialWindowSize
		case "tune.h2.max-concurrent-streams":
			dst = &s.MaxConcurrentStreams
		case "tune.h2.max-frame-size":
			dst = &s.MaxFrameSize
		default:
			continue
		}
		if !set {
			s, set = h2.DefaultSettings, true
		}
		*dst = uint32(leadingNumber(st.Args[1]))
	}
	s.NoConnectProtocol = g.H2NoConnectProtocol // h2-workaround-bogus-websocket-clients
	return s
}

// leadingNumber is the leading decimal digits of v (atoi; 0 for none),
// bounded to 31 bits as an HTTP/2 setting is.
func leadingNumber(v string) uint64 {
	v = strings.TrimLeft(v, " \t+")
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' && i < 10 {
		i++
	}
	n, _ := strconv.ParseUint(v[:i], 10, 64)
	return min(n, 1<<31-1)
}

// bindH2 records a `bind ... proto h2` listener; another protocol is
// reported.
func (b *builder) bindH2(fe *proxy.Frontend, bd haproxy.Bind, addr string) {
	p, ok := bd.Options["proto"]
	if !ok {
		return
	}
	if p != "h2" {
		b.unsupported(bd.Pos, "bind proto "+p)
		return
	}
	if fe.H2 == nil {
		fe.H2 = map[string]bool{}
	}
	fe.H2[addr] = true
}

// serverH2 reads `proto` on a server: h2 speaks HTTP/2 from the first
// byte (prior knowledge), fcgi FastCGI (fcgi.go); another is reported. HTTP/2
// to a server, by proto or by ALPN, needs an HTTP backend. With
// send-proxy, a connection carries only the streams of the client its
// PROXY header names, as HAProxy's (proxy.server.getIdle).
func (b *builder) serverH2(px *haproxy.Proxy, s *haproxy.Server, sv *proxy.Server) {
	if p, ok := s.Other["proto"]; ok {
		switch p {
		case "h2":
			sv.H2 = true
		case "fcgi":
			b.serverFCGI(px, s, sv) // fcgi.go
		default:
			b.unsupported(s.Pos, "server proto "+p)
		}
	}
	if px.Mode == "http" {
		b.serverWS(s, sv)
	}
	if !sv.H2 && !sv.H2ALPN {
		return
	}
	if px.Mode != "http" {
		sv.H2, sv.H2ALPN = false, false
		return // HAProxy speaks raw TCP in tcp mode whatever the ALPN
	}
}

// serverWS maps `ws`, the protocol of WebSocket streams' connections
// (HAProxy's srv_get_ws_proto and srv_check_reuse_ws). Without ALPN:
// auto is the server's own protocol, which goha uses for every upgrade;
// h1 with proto h2 takes each upgrade on a fresh HTTP/1.1 connection; h1
// on an HTTP/1.1 server and h2 with proto h2 change nothing.
func (b *builder) serverWS(s *haproxy.Server, sv *proxy.Server) {
	ws := s.Other["ws"]
	switch {
	case ws == "" || ws == "auto" && !s.SSL:
	case s.SSL && s.Other["alpn"] != "":
		// HAProxy offers only http/1.1 (auto: when the list has it) or h2
		// in a WebSocket stream's ClientHello
		b.unsupported(s.Pos, "server ws "+ws+" with alpn (the ALPN of WebSocket streams' connections)")
	case ws == "h1":
		sv.WSH1 = sv.H2
	case ws == "h2" && !sv.H2:
		// HAProxy opens HTTP/2 connections for the upgrades, which its
		// later requests may reuse
		b.unsupported(s.Pos, "server ws h2 without proto h2 (WebSocket streams over HTTP/2 to an HTTP/1.1 server)")
	}
}

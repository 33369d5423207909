// Package dnstest is a tiny DNS server for tests: it answers A, AAAA and
// SRV questions on 127.0.0.1 (or an address the test names) from a table
// the test changes while it runs, and counts the questions it was asked.
package dnstest

import (
	"net"
	"net/netip"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// Server answers from its records; a name without records gets NXDOMAIN.
type Server struct {
	conn  *net.UDPConn
	mu    sync.Mutex
	recs  map[string][]netip.Addr // lower-case FQDN with the final dot
	srv   map[string]srvSet
	rcode map[string]dnsmessage.RCode
	asked map[string]int
	done  chan struct{}
}

// Start listens on a free UDP port of 127.0.0.1.
func Start() (*Server, error) { return StartOn("127.0.0.1:0") }

// StartOn listens on the UDP address addr (host:port), for a resolver
// that only asks on port 53.
func StartOn(addr string) (*Server, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	c, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	s := &Server{conn: c, recs: map[string][]netip.Addr{}, srv: map[string]srvSet{}, rcode: map[string]dnsmessage.RCode{},
		asked: map[string]int{}, done: make(chan struct{})}
	go s.serve()
	return s, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.conn.LocalAddr().String() }

// Close stops the server.
func (s *Server) Close() {
	s.conn.Close()
	<-s.done
}

func fqdn(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// Set replaces the addresses of name (none: NXDOMAIN).
func (s *Server) Set(name string, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var l []netip.Addr
	for _, a := range addrs {
		l = append(l, netip.MustParseAddr(a))
	}
	s.recs[fqdn(name)] = l
	delete(s.rcode, fqdn(name))
}

// SRV is one SRV record.
type SRV struct {
	Target                 string
	Port, Weight, Priority uint16
}

type srvSet struct {
	recs       []SRV
	additional bool
}

// SetSRV replaces the SRV records of name (none: NXDOMAIN). With
// additional, the answer carries the targets' A and AAAA records (Set) in
// its additional section, as a DNS server that knows them does.
func (s *Server) SetSRV(name string, additional bool, recs ...SRV) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srv[fqdn(name)] = srvSet{recs: recs, additional: additional}
	delete(s.rcode, fqdn(name))
}

// Fail makes every question about name answer rc (e.g. RCodeRefused).
func (s *Server) Fail(name string, rc dnsmessage.RCode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcode[fqdn(name)] = rc
}

// Asked is how many questions about name arrived.
func (s *Server) Asked(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[fqdn(name)]
}

func (s *Server) serve() {
	defer close(s.done)
	buf := make([]byte, 4096)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if out, ok := s.answer(buf[:n]); ok {
			s.conn.WriteToUDP(out, from)
		}
	}
}

func (s *Server) answer(q []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, false
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return nil, false
	}
	question := qs[0]
	name := strings.ToLower(question.Name.String())
	s.mu.Lock()
	s.asked[name]++
	addrs, known := s.recs[name]
	rc, failing := s.rcode[name]
	srvs, srvKnown := s.srv[name]
	var extra []extraAddr
	if question.Type == dnsmessage.TypeSRV {
		known, addrs = srvKnown && len(srvs.recs) > 0, nil
		if srvs.additional {
			for _, r := range srvs.recs {
				for _, a := range s.recs[fqdn(r.Target)] {
					extra = append(extra, extraAddr{fqdn(r.Target), a})
				}
			}
		}
	}
	s.mu.Unlock()
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	switch {
	case failing:
		rh.RCode = rc
	case !known || len(addrs) == 0 && question.Type != dnsmessage.TypeSRV:
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(question)
	b.StartAnswers()
	if rh.RCode == dnsmessage.RCodeSuccess && question.Type == dnsmessage.TypeSRV {
		for _, r := range srvs.recs {
			rr := dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 1}
			b.SRVResource(rr, dnsmessage.SRVResource{Priority: r.Priority, Weight: r.Weight, Port: r.Port,
				Target: dnsmessage.MustNewName(fqdn(r.Target))})
		}
	}
	if rh.RCode == dnsmessage.RCodeSuccess {
		for _, a := range addrs {
			rr := dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 1}
			switch {
			case question.Type == dnsmessage.TypeA && a.Is4():
				b.AResource(rr, dnsmessage.AResource{A: a.As4()})
			case question.Type == dnsmessage.TypeAAAA && a.Is6() && !a.Is4In6():
				b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: a.As16()})
			}
		}
	}
	b.StartAdditionals()
	for _, e := range extra {
		rr := dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(e.name), Class: dnsmessage.ClassINET, TTL: 1}
		if e.addr.Is4() {
			b.AResource(rr, dnsmessage.AResource{A: e.addr.As4()})
		} else {
			b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: e.addr.As16()})
		}
	}
	// EDNS0 questions get an OPT record back, as resolvers expect
	if err := p.SkipAllAnswers(); err == nil {
		if err := p.SkipAllAuthorities(); err == nil {
			if ah, err := p.AdditionalHeader(); err == nil && ah.Type == dnsmessage.TypeOPT {
				var oh dnsmessage.ResourceHeader
				oh.SetEDNS0(4096, dnsmessage.RCodeSuccess, false)
				b.OPTResource(oh, dnsmessage.OPTResource{})
			}
		}
	}
	out, err := b.Finish()
	return out, err == nil
}

type extraAddr struct {
	name string
	addr netip.Addr
}

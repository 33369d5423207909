package proxy

import (
	"errors"
	"net/netip"
	"sync"

	"github.com/goha-lb/goha/proxy/persist"
)

// Dynamic cookies at run time (`set dynamic-cookie-key backend`,
// `enable|disable dynamic-cookie backend`, and a server's new address),
// as HAProxy 2.6's srv_set_dyncookie: while dynamic cookies are on, a
// server without a `cookie` of its own carries the cookie derived from
// the backend's key and its address; turned off, it carries none.

// dynCookies is a backend's dynamic cookie state.
type dynCookies struct {
	mu  sync.Mutex
	set bool // initialised from the configuration
	on  bool
	key string
}

// ErrNoBackend is returned for a name that is no backend.
var ErrNoBackend = errors.New("proxy: no such backend")

func (d *dynCookies) init(cfg *Backend) {
	if !d.set {
		d.set, d.on, d.key = true, cfg.DynamicCookie, cfg.DynamicCookieKey
	}
}

// derive gives a server its dynamic cookie, when they are on and the
// server has no cookie of its own (d.mu not held).
func (d *dynCookies) derive(cfg *Backend, s *server) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init(cfg)
	d.deriveLocked(s)
}

func (d *dynCookies) deriveLocked(s *server) {
	if s.cfg.CookieSet || !d.on || d.key == "" {
		return
	}
	ap, err := netip.ParseAddrPort(s.address())
	if err != nil {
		return // a server without an IP address keeps what it had
	}
	c := persist.DynamicCookie(d.key, ap)
	s.cookie.Store(&c)
}

// SetDynamicCookieKey changes a backend's secret key and the cookies of
// its servers.
func (p *Proxy) SetDynamicCookieKey(backend, key string) error {
	b := p.backends[backend]
	if b == nil {
		return ErrNoBackend
	}
	b.dyn.mu.Lock()
	defer b.dyn.mu.Unlock()
	b.dyn.init(b.cfg)
	b.dyn.key = key
	for _, s := range b.list() {
		b.dyn.deriveLocked(s)
	}
	return nil
}

// SetDynamicCookies turns a backend's dynamic cookies on or off.
func (p *Proxy) SetDynamicCookies(backend string, on bool) error {
	b := p.backends[backend]
	if b == nil {
		return ErrNoBackend
	}
	b.dyn.mu.Lock()
	defer b.dyn.mu.Unlock()
	b.dyn.init(b.cfg)
	b.dyn.on = on
	for _, s := range b.list() {
		if on {
			b.dyn.deriveLocked(s)
		} else if !s.cfg.CookieSet {
			none := ""
			s.cookie.Store(&none)
		}
	}
	return nil
}

// ServerCookie is a server's current cookie value ("" = none), for the
// stats views.
func (p *Proxy) ServerCookie(backend, server string) string {
	if s := p.findServer(backend, server); s != nil {
		return s.cookieValue()
	}
	return ""
}

// cookieValue is the server's current cookie ("" = none).
func (s *server) cookieValue() string {
	if c := s.cookie.Load(); c != nil {
		return *c
	}
	return s.cfg.Cookie
}

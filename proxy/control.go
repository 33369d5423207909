package proxy

import (
	"fmt"

	"github.com/goha-lb/goha/proxy/balance"
)

// UpdateServer changes a server's balancing state (health checks, the
// runtime API's enable/disable/set weight/set state) and lets the balancer
// rebuild its tables. fn runs under the backend's lock and may change Up,
// Weight and Backup of the balance.Server it is given. A server taken out
// of rotation loses its idle connections, so no request reuses a
// connection to a server that was just marked down.
func (p *Proxy) UpdateServer(backendName, serverName string, fn func(s *balance.Server)) error {
	b := p.backends[backendName]
	if b == nil {
		return fmt.Errorf("proxy: no backend %q", backendName)
	}
	var srv *server
	for _, s := range b.list() {
		if s.cfg.Name == serverName {
			srv = s
			break
		}
	}
	if srv == nil {
		return fmt.Errorf("proxy: no server %q in backend %q", serverName, backendName)
	}
	b.mu.Lock()
	fn(srv.bal)
	b.bal.Update()
	usable := srv.bal.Up && srv.bal.Weight > 0
	b.mu.Unlock()
	if !usable {
		srv.closeIdle()
	}
	b.queue.signal() // a server coming back can take a queued request
	return nil
}

package proxy

// UseServer is a backend's `use-server <server> if|unless <condition>`.
type UseServer struct {
	Server int       // index in Backend.Servers
	Cond   Condition // already says if or unless
}

// useServer runs the backend's use-server rules, as HAProxy 2.6's
// process_server_rules does, before any persistence cookie is read (a
// rule's server wins over the cookie's): the first rule whose condition
// holds and whose server is up (or any, with option persist or a
// force-persist rule) gives the server the request is pinned to, as a
// cookie would pin it; a down server lets the next rule try.
func (s *session) useServer(be *backend) *server {
	if tr := s.info.track; tr != nil {
		defer tr.ownFrom(tr.own) // backend_rules.go backendTable
		s.tablesOf(be)
	}
	for i := range be.cfg.UseServers {
		r := &be.cfg.UseServers[i]
		if !r.Cond.Match(&s.info) {
			continue
		}
		// The configured server: found by its configuration, since `add
		// server`/`del server` change the backend's list.
		var srv *server
		for _, sv := range be.list() {
			if sv.cfg == be.cfg.Servers[r.Server] {
				srv = sv
			}
		}
		if srv == nil {
			continue // deleted at run time
		}
		be.mu.Lock()
		up := srv.bal.Up
		be.mu.Unlock()
		if up || be.cfg.Persist {
			return srv
		}
		if force, _ := s.persistRules(be); force {
			return srv
		}
	}
	return nil
}

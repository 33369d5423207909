package haproxycmd

// tracked is the server backend/server tracks (`track`), "backend/server";
// "" for a server without track.
func (w *worker) tracked(backend, server string) string {
	for _, t := range w.plan.Trackers {
		if t.Backend == backend && t.Server == server {
			return t.Of
		}
	}
	return ""
}

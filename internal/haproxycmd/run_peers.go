package haproxycmd

import (
	"fmt"
	"net"

	"github.com/goha-lb/goha/proxy/peers/peernet"
)

// startPeers runs the plan's peers sections: each local peer listens on
// its address and dials the other peers. An address still held by the
// previous worker of a reload is taken once that worker lets it go
// (RetryListen), with a warning; meanwhile the node dials the other peers,
// whose full resync gives it the tables (HAProxy's hand-over from the old
// worker over a local peer session is not done).
func (w *worker) startPeers() error {
	for _, pn := range w.plan.Peers {
		cfg := pn.Config
		cfg.RetryListen = true
		if cfg.Listen != "" {
			if ln, err := net.Listen("tcp", cfg.Listen); err != nil {
				w.events.warning("", fmt.Sprintf("Peers section '%s': cannot listen on %s yet (%v); trying again until it is free.",
					pn.Section, cfg.Listen, err))
			} else {
				ln.Close()
			}
		}
		n, err := peernet.Start(cfg)
		if err != nil {
			return fmt.Errorf("Peers section '%s': %v", pn.Section, err)
		}
		w.peers = append(w.peers, n)
	}
	return nil
}

// stopPeers ends every peer session; safe to call twice.
func (w *worker) stopPeers() {
	for _, n := range w.peers {
		n.Close()
	}
	w.peers = nil
}

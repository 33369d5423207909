package haproxycmd

import (
	"fmt"

	"github.com/goha-lb/goha/proxy/peers/peernet"
)

// startPeers runs the plan's peers sections: each local peer listens on
// its address and dials the other peers. A listener that cannot be opened
// (the previous worker of a reload still holds it) is a warning: the node
// then only dials, which keeps the tables in step with the other peers,
// but the new worker does not learn the old one's tables (HAProxy's local
// peer hand-over is not done).
func (w *worker) startPeers() error {
	for _, pn := range w.plan.Peers {
		n, err := peernet.Start(pn.Config)
		if err != nil && pn.Config.Listen != "" {
			w.events.warning("", fmt.Sprintf("Peers section '%s': cannot listen on %s (%v); the local peer only connects to the others.",
				pn.Section, pn.Config.Listen, err))
			cfg := pn.Config
			cfg.Listen = ""
			n, err = peernet.Start(cfg)
		}
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

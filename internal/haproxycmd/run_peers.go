package haproxycmd

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/goha-lb/goha/proxy/peers/peernet"
)

// handoverTimeout bounds how long a soft-stopping worker waits for the new
// worker to confirm its tables (HAProxy waits for the lesson's confirm,
// bounded by hard-stop-after; 5s is its resync timeout).
const handoverTimeout = 5 * time.Second

// startPeers runs the plan's peers sections: each local peer listens on
// its address (SO_REUSEPORT, so the new worker of a reload listens beside
// the old one, which then connects to it as the local peer and hands its
// tables over) and dials the other peers. A worker that replaces another
// waits up to 5s for that hand-over before asking the remote peers, as
// HAProxy does with old pids. An address held by another process without
// SO_REUSEPORT is taken once free (RetryListen), with a warning.
func (w *worker) startPeers() error {
	for _, pn := range w.plan.Peers {
		cfg := pn.Config
		cfg.RetryListen = true
		cfg.ReusePort = true
		cfg.OldProcess = w.o.OldProcess
		n, err := peernet.Start(cfg)
		if err != nil {
			return fmt.Errorf("Peers section '%s': %v", pn.Section, err)
		}
		if cfg.Listen != "" && n.Addr() == nil {
			w.events.warning("", fmt.Sprintf("Peers section '%s': cannot listen on %s yet (address in use); trying again until it is free.",
				pn.Section, cfg.Listen))
		}
		w.peers = append(w.peers, n)
	}
	return nil
}

// handoverPeers starts the soft stop of every peers section (Handover:
// the remote sessions end, the tables go to the new worker); the channel
// closes once every section is done.
func (w *worker) handoverPeers() <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, n := range w.peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Handover(handoverTimeout)
		}()
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

// stopPeers ends every peer session; safe to call twice.
func (w *worker) stopPeers() {
	for _, n := range w.peers {
		n.Close()
	}
	w.peers = nil
}

// PeersSections lists the running peers sections, the last declared
// first (HAProxy's cfg_peers list).
func (s *runtimeSource) PeersSections() []string {
	var out []string
	for i := len(s.w.peers) - 1; i >= 0; i-- {
		out = append(out, s.w.plan.Peers[i].Section)
	}
	return out
}

// ShowPeers is the named section's part of "show peers".
func (s *runtimeSource) ShowPeers(section string) string {
	for i, n := range s.w.peers {
		if pn := s.w.plan.Peers[i]; pn.Section == section {
			names := map[string]string{}
			for _, t := range pn.Config.Tables {
				if name := t.Def().Name; strings.HasPrefix(name, "/") {
					names[name] = section + name // a "table" line: "<section>/<table>"
				}
			}
			return string(n.ShowPeers(nil, section, time.Now(), names))
		}
	}
	return ""
}

// PeersCounts is show info's ActivePeers and ConnectedPeers.
func (s *runtimeSource) PeersCounts() (active, connected int) {
	for _, n := range s.w.peers {
		a, c := n.Counts()
		active += a
		connected += c
	}
	return active, connected
}

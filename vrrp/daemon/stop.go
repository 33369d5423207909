// Stopping: shutdown adverts, then sockets, firewall and host state.

package daemon

import (
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// stop is SIGTERM: every instance shut down, then sockets and firewall closed.
func (r *Runner) stop(now time.Duration) {
	r.logf("Stopping")
	r.stopping = true
	for _, in := range r.insts {
		r.step(in, vrrp.Shutdown{Now: now})
	}
	r.drainGarps(now)
	r.closeAll()
	r.teardownHost()
	r.logf("Stopped")
}

// teardownHost removes the VMACs and the static addresses, routes and
// rules once the sockets are closed (keepalived's last stop steps).
func (r *Runner) teardownHost() {
	vmacs := false
	for _, in := range r.insts {
		if in.spec.VMAC != nil {
			r.deleteVMAC(&in.spec)
			vmacs = true
		}
	}
	if vmacs {
		if err := r.edge.CloseVMACRules(); err != nil {
			r.logf("nftables: removing the VMAC rules: %v", err)
		}
	}
	if r.staticSet {
		r.clearStatic(r.cfg)
		r.staticSet = false
	}
	r.restorePromoteSecondaries()
	if r.cfg.NotifyFIFO != "" {
		r.edge.CloseFIFOs()
	}
}

func (r *Runner) closeAll() {
	if r.bgCancel != nil {
		r.bgCancel()
	}
	for _, cs := range r.conns {
		r.closeConn(cs)
	}
	if r.fw != nil {
		if err := r.fw.Close(); err != nil {
			r.logf("nftables: removing table %s: %v", r.cfg.FirewallTable, err)
		}
		r.fw = nil
	}
	// Drain events posted by goroutines that are exiting.
	done := make(chan struct{})
	go func() { r.readers.Wait(); r.bg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case ev := <-r.events:
			if c, ok := ev.(ctrlEvent); ok {
				close(c.done)
			}
		}
	}
}

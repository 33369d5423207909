package haproxycfg

import (
	"net/netip"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// LogForwardSpec is a log-forward section ready to run (proxy/logfwd):
// its listeners and targets.
type LogForwardSpec struct {
	Name     string
	TCP, UDP []string
	Targets  []logfmt.RelayTarget
	MaxConn  int
	Backlog  int
	Timeout  time.Duration // timeout client
}

// logForwards types the log-forward sections (Plan.LogForwards),
// refusing the bind options and addresses goha does not listen on.
func (b *builder) logForwards(cfg *haproxy.Config) {
	for _, lf := range cfg.LogForwards {
		spec := &LogForwardSpec{Name: lf.Name, MaxConn: lf.MaxConn, Backlog: lf.Backlog, Timeout: lf.TimeoutClient}
		addr := func(bd haproxy.LogForwardBind) (string, bool) {
			for _, o := range bd.Options {
				b.unsupported(bd.Pos, "log-forward bind option "+o)
			}
			ap, err := netip.ParseAddrPort(bd.Addr)
			if err != nil || ap.Addr().Zone() != "" {
				b.unsupported(bd.Pos, "log-forward address '"+bd.Addr+"' (goha listens on an IP address and port)")
				return "", false
			}
			return ap.String(), len(bd.Options) == 0
		}
		for _, bd := range lf.Binds {
			if a, ok := addr(bd); ok {
				spec.TCP = append(spec.TCP, a)
			}
		}
		for _, bd := range lf.DgramBinds {
			if a, ok := addr(bd); ok {
				spec.UDP = append(spec.UDP, a)
			}
		}
		for _, st := range lf.Logs {
			lines := []haproxy.LogTarget{st}
			if st.Global {
				lines = cfg.Global.Logs
			}
			for _, l := range lines {
				if t, ok := b.logTarget(l); ok {
					spec.Targets = append(spec.Targets, logfmt.RelayTarget{Target: t.Target, Unspec: l.Format == ""})
				}
			}
		}
		b.plan.LogForwards = append(b.plan.LogForwards, spec)
	}
}

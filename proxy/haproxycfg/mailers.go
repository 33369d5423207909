package haproxycfg

import (
	"cmp"
	"net/netip"
	"os"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/mailalert"
)

// defaultMailTimeout is a mailers section's `timeout mail` when unset
// (HAProxy 2.6: 10s).
const defaultMailTimeout = 10 * time.Second

// emailAlerts builds each proxy's complete `email-alert` settings with
// its mailers section (Plan.EmailAlerts). goha does not carry
// email-alert from a defaults section into its proxies: there it is
// refused.
func (b *builder) emailAlerts(cfg *haproxy.Config) {
	for _, d := range cfg.Defaults {
		for _, st := range d.Raw {
			if st.Args[0] == "email-alert" {
				b.unsupported(st.Pos, "email-alert in a defaults section")
			}
		}
	}
	host, _ := os.Hostname()
	for _, px := range cfg.Proxies {
		ea := haproxy.EmailAlertOf(px)
		if ea == nil || px.Disabled {
			continue
		}
		if ea.Level < 0 {
			b.unsupported(ea.LevelPos, "email-alert level "+ea.LevelName)
			continue
		}
		mc := &mailalert.Config{From: ea.From, To: ea.To, MyHostname: cmp.Or(ea.MyHostname, host), Level: ea.Level,
			Timeout: defaultMailTimeout}
		for _, sec := range cfg.Others {
			if sec.Kind != "mailers" || sec.Name != ea.Mailers {
				continue
			}
			for _, st := range sec.Statements {
				switch {
				case st.Args[0] == "mailer" && len(st.Args) > 2:
					addr, ok := mailerAddr(st.Args[2])
					if !ok {
						b.unsupported(st.Pos, "mailer address "+st.Args[2])
						continue
					}
					mc.Mailers = append(mc.Mailers, addr)
				case st.Args[0] == "timeout" && len(st.Args) > 2 && st.Args[1] == "mail":
					if d, _, err := haproxy.ParseTime(st.Args[2]); err == nil && d > 0 {
						mc.Timeout = d
					}
				}
			}
		}
		if b.plan.EmailAlerts == nil {
			b.plan.EmailAlerts = map[string]*mailalert.Config{}
		}
		b.plan.EmailAlerts[px.Name] = mc
	}
}

// mailerAddr reads a mailer's <ip>:<port> (a host name is refused: HAProxy
// resolves it once at start, goha would at each alert).
func mailerAddr(s string) (string, bool) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 || ap.Addr().Zone() != "" {
		return "", false
	}
	return ap.String(), true
}

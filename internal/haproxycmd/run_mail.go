package haproxycmd

import (
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/mailalert"
)

// startMailers starts the email alert queues of the proxies with
// `email-alert` (before the checks that feed them) and chains their
// stop after the checks'.
func (w *worker) startMailers() {
	if len(w.plan.EmailAlerts) == 0 {
		return
	}
	w.mail = map[string]*mailalert.Queue{}
	for name, cfg := range w.plan.EmailAlerts {
		w.mail[name] = mailalert.NewQueue(cfg, time.Now)
	}
	prev := w.stop
	w.stop = func() {
		if prev != nil {
			prev()
		}
		for _, q := range w.mail {
			q.Close()
		}
	}
}

// mailCheckLine mails a server state change line of backend (HAProxy
// 2.6 mails the lines of a server going UP, DOWN or stopping, not the
// health check lines or the backend's), when its level is wanted.
func (w *worker) mailCheckLine(backend string, l check.Line) {
	q := w.mail[backend]
	if q == nil || !(strings.HasPrefix(l.Text, "Server ") || strings.HasPrefix(l.Text, "Backup Server ")) {
		return
	}
	q.Alert(int(l.Severity), l.Text)
}

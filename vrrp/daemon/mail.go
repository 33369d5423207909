package daemon

import (
	"time"

	"github.com/goha-lb/goha/vrrp"
	"github.com/goha-lb/goha/vrrp/smtpalert"
)

// Email alerts: keepalived 2.2.7 mails a state change wherever it runs an
// instance's or a sync group's notify scripts (vrrp_notify.c), once per
// new state, when the instance's (group's) smtp_alert is on; FAULT is not
// mailed under no_email_faults. Subjects and bodies are keepalived's.

// mailText is the subject suffix and body keepalived mails for an
// instance's (group false) or a sync group's new state; ok false: the
// state is not mailed.
func mailText(st vrrp.State, group bool) (subject, body string, ok bool) {
	switch st {
	case vrrp.StateMaster:
		subject = "Entering MASTER state"
		body = "=> VRRP Instance is now owning VRRP VIPs <="
		if group {
			body = "=> All VRRP group instances are now in MASTER state <="
		}
	case vrrp.StateBackup:
		subject = "Entering BACKUP state"
		body = "=> VRRP Instance is no longer owning VRRP VIPs <="
		if group {
			body = "=> All VRRP group instances are now in BACKUP state <="
		}
	case vrrp.StateFault:
		subject = "Entering FAULT state"
		body = "=> VRRP Instance is no longer owning VRRP VIPs <="
		if group {
			body = "=> All VRRP group instances are now in FAULT state <="
		}
	case vrrp.StateStop:
		subject = "Stopping"
		body = "=> VRRP Instance stopping <="
		if group {
			body = "=> All VRRP group instances are now stopping <="
		}
	default:
		return "", "", false
	}
	return subject, body, true
}

// shouldMail applies keepalived's gate: alerts on, a mailable state,
// not a FAULT under no_email_faults, and not the state last mailed.
func shouldMail(m *MailSpec, alert bool, st, last vrrp.State) bool {
	return m != nil && len(m.To) > 0 && alert && st != last && !(m.NoEmailFaults && st == vrrp.StateFault)
}

// instanceMail mails an instance's new state (called with its notify).
func (r *Runner) instanceMail(in *inst, st vrrp.State) {
	r.stateMail(in.spec.SMTPAlert, st, &in.lastMail, false, "VRRP Instance "+in.spec.Name)
}

// groupMail mails a sync group's new state (called with its notify).
func (r *Runner) groupMail(g *group, st vrrp.State) {
	r.stateMail(g.spec.SMTPAlert, st, &g.lastMail, true, "VRRP Group "+g.spec.Name)
}

// stateMail mails the new state st of what (an instance, or a sync group
// when group is set) through keepalived's gate (shouldMail); last is the
// state it last mailed.
func (r *Runner) stateMail(alert bool, st vrrp.State, last *vrrp.State, group bool, what string) {
	m := r.cfg.Mail
	if !shouldMail(m, alert, st, *last) {
		return
	}
	subject, body, ok := mailText(st, group)
	if !ok {
		return
	}
	*last = st
	r.mail(m, "["+m.RouterID+"] "+what+" - "+subject, body)
}

// maxMails bounds the alerts in flight (each holds a connection for at
// most a few smtp_connect_timeouts); beyond it an alert is dropped and
// logged, so a dead mail server can never pile up goroutines.
const maxMails = 16

// mail sends one alert in the background: the state machine never waits
// for a mail server. Options.Mail replaces the sending (tests).
func (r *Runner) mail(m *MailSpec, subject, body string) {
	if r.opts.Mail != nil {
		r.opts.Mail(m, subject, body)
		return
	}
	select {
	case r.mailSlots <- struct{}{}:
	default:
		r.logf("SMTP alert dropped: %d alerts already in flight to %s", maxMails, m.ServerName())
		return
	}
	r.mails.Add(1)
	stopping := r.stopping
	go func() {
		defer func() { <-r.mailSlots; r.mails.Done() }()
		if stopping {
			// keepalived 2.2.7 connects for its STOP alerts and exits
			// before the server's greeting: the server sees a connection
			// and no command (seen in a namespace), no mail is delivered.
			smtpalert.Touch(r.mailCtx, &m.Settings)
			return
		}
		msg := smtpalert.Message(&m.Settings, subject, body, r.clock.Now())
		smtpalert.Send(r.mailCtx, &m.Settings, msg, r.opts.Detail, r.opts.Log)
	}()
}

// mailStopWait bounds how long a stopping daemon waits for the alerts
// under way (the STOP alerts among them) before it cuts them off.
const mailStopWait = 2 * time.Second

// finishMails waits (bounded) for the alerts in flight, then ends them.
func (r *Runner) finishMails() {
	done := make(chan struct{})
	go func() { r.mails.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(mailStopWait):
		r.mailCancel()
		<-done
	}
}

package smtpalert

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func settings() *Settings {
	return &Settings{Server: netip.MustParseAddrPort("127.0.0.1:25"), Helo: "lb1", From: "root@lb1",
		To: []string{"a@x", "b@y"}, Timeout: 30 * time.Second}
}

func TestMessage(t *testing.T) {
	date := time.Date(2026, 12, 6, 18, 33, 15, 0, time.FixedZone("CET", 3600))
	got := Message(settings(), "[lb] VRRP Instance v - Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <=", date)
	want := "Date: Sun, 06 Dec 2026 18:33:15 +0100\r\nFrom: root@lb1\r\nSubject: [lb] VRRP Instance v - Entering MASTER state\r\n" +
		"X-Mailer: Keepalived\r\nTo: a@x, b@y\r\n\r\n=> VRRP Instance is now owning VRRP VIPs <=\r\n\r\n.\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// keepalived's fixed buffers cut long subjects, bodies and To lists.
func TestMessageCuts(t *testing.T) {
	s := settings()
	long := strings.Repeat("a", 600) + "@x"
	s.To = []string{"first@x", long, "third@x"}
	msg := Message(s, strings.Repeat("s", 300), strings.Repeat("b", 600), time.Unix(0, 0).UTC())
	for _, want := range []string{"Subject: " + strings.Repeat("s", 255) + "\r\n", "\r\n" + strings.Repeat("b", 511) + "\r\n\r\n.\r\n",
		"To: first@x, " + long + ", third@x\r\n"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no %.60q... in %.200q", want, msg)
		}
	}
	if got := toHeader([]string{strings.Repeat("c", 1000), strings.Repeat("d", 30)}); got != strings.Repeat("c", 1000)+", " {
		t.Errorf("a To list over 1023 bytes stops at the address that does not fit: %d bytes", len(got))
	}
}

// event is one thing the connection does to the dialogue.
type event struct {
	recv    string // server bytes ("" with one of the flags below)
	timeout bool
	closed  bool
	rerr    bool
}

func run(d *Dialogue, evs []event) (sent, logs []string, done bool) {
	st := d.Connected()
	for _, ev := range evs {
		logs = append(logs, st.Log...)
		if st.Send != "" {
			sent = append(sent, st.Send)
		}
		if st.Done {
			return sent, logs, true
		}
		switch {
		case ev.timeout:
			st = d.ReadTimeout()
		case ev.closed:
			st = d.Closed()
		case ev.rerr:
			st = d.ReadError()
		default:
			st = d.Received([]byte(ev.recv))
		}
	}
	logs = append(logs, st.Log...)
	if st.Send != "" {
		sent = append(sent, st.Send)
	}
	return sent, logs, st.Done
}

func TestDialogue(t *testing.T) {
	const msg = "MESSAGE\r\n.\r\n"
	srv := "Remote SMTP server [127.0.0.1]:25 connected."
	cases := []struct {
		name   string
		evs    []event
		sent   string // joined with |
		logs   string
		done   bool
		detail bool
	}{
		{name: "accepted", detail: true,
			evs:  []event{{recv: "220 hi\r\n"}, {recv: "250-x\r\n250 ok\r\n"}, {recv: "250 ok\r\n"}, {recv: "250 a\r\n"}, {recv: "250 b\r\n"}, {recv: "354 go\r\n"}, {recv: "250 queued\r\n"}, {recv: "221 bye\r\n"}},
			sent: "HELO lb1\r\n|MAIL FROM:<root@lb1>\r\n|RCPT TO:<a@x>\r\n|RCPT TO:<b@y>\r\n|DATA\r\n|" + msg + "|QUIT\r\n",
			logs: srv + "|SMTP alert successfully sent.", done: true},
		{name: "quiet without -D",
			evs:  []event{{recv: "220 hi\r\n"}, {recv: "250 ok\r\n"}, {recv: "250 ok\r\n"}, {recv: "250 a\r\n"}, {recv: "250 b\r\n"}, {recv: "354 go\r\n"}, {recv: "250 queued\r\n"}, {recv: "221 bye\r\n"}},
			sent: "HELO lb1\r\n|MAIL FROM:<root@lb1>\r\n|RCPT TO:<a@x>\r\n|RCPT TO:<b@y>\r\n|DATA\r\n|" + msg + "|QUIT\r\n", done: true},
		{name: "greeting in pieces",
			evs:  []event{{recv: "22"}, {recv: "0 hi"}, {recv: "\r\n"}},
			sent: "HELO lb1\r\n"},
		{name: "refused greeting",
			evs:  []event{{recv: "554 no\r\n"}, {recv: "221 bye\r\n"}},
			sent: "QUIT\r\n", logs: "Error processing (E)SMTP cmd on SMTP server [127.0.0.1]:25. SMTP status code = 554", done: true},
		{name: "refused recipient",
			evs:  []event{{recv: "220 hi\r\n"}, {recv: "250 ok\r\n"}, {recv: "250 ok\r\n"}, {recv: "550 unknown\r\n"}, {recv: "221 bye\r\n"}},
			sent: "HELO lb1\r\n|MAIL FROM:<root@lb1>\r\n|RCPT TO:<a@x>\r\n|QUIT\r\n",
			logs: "Error processing RCPT cmd on SMTP server [127.0.0.1]:25. SMTP status code = 550", done: true},
		{name: "refused message",
			evs:  []event{{recv: "220 hi\r\n"}, {recv: "250 ok\r\n"}, {recv: "250 ok\r\n"}, {recv: "250 a\r\n"}, {recv: "250 b\r\n"}, {recv: "354 go\r\n"}, {recv: "552 too big\r\n"}, {recv: "221 bye\r\n"}},
			sent: "HELO lb1\r\n|MAIL FROM:<root@lb1>\r\n|RCPT TO:<a@x>\r\n|RCPT TO:<b@y>\r\n|DATA\r\n|" + msg + "|QUIT\r\n",
			logs: "Error processing BODY cmd on SMTP server [127.0.0.1]:25. SMTP status code = 552", done: true},
		{name: "odd reply to QUIT ends",
			evs:  []event{{recv: "554 no\r\n"}, {recv: "500 what\r\n"}},
			sent: "QUIT\r\n", logs: "Error processing (E)SMTP cmd on SMTP server [127.0.0.1]:25. SMTP status code = 554|Error processing QUIT cmd on SMTP server [127.0.0.1]:25. SMTP status code = 500", done: true},
		{name: "timeout, then QUIT times out",
			evs:  []event{{timeout: true}, {timeout: true}},
			sent: "QUIT\r\n", logs: "Timeout reading data to remote SMTP server [127.0.0.1]:25.|Timeout reading data to remote SMTP server [127.0.0.1]:25.", done: true},
		{name: "server closes",
			evs:  []event{{recv: "220 hi\r\n"}, {closed: true}},
			sent: "HELO lb1\r\n", logs: "Remote SMTP server [127.0.0.1]:25 has closed the connection.", done: true},
		{name: "read error",
			evs:  []event{{rerr: true}, {recv: "221 bye\r\n"}},
			sent: "QUIT\r\n", logs: "Error reading data from remote SMTP server [127.0.0.1]:25.", done: true},
		{name: "overflow",
			evs:  []event{{recv: strings.Repeat("x", 1024)}},
			sent: "QUIT\r\n", logs: "Received buffer from remote SMTP server [127.0.0.1]:25 overflow our get read buffer length."},
		{name: "two replies in one read: the second waits for the next read",
			evs:  []event{{recv: "220 hi\r\n250 early\r\n"}, {recv: ""}},
			sent: "HELO lb1\r\n|MAIL FROM:<root@lb1>\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sent, logs, done := run(NewDialogue(settings(), msg, c.detail), c.evs)
			if g := strings.Join(sent, "|"); g != c.sent {
				t.Errorf("sent %q\nwant %q", g, c.sent)
			}
			if g := strings.Join(logs, "|"); g != c.logs {
				t.Errorf("logged %q\nwant   %q", g, c.logs)
			}
			if done != c.done {
				t.Errorf("done %v, want %v", done, c.done)
			}
		})
	}
}

func TestHeloDefault(t *testing.T) {
	s := settings()
	s.Helo = ""
	d := NewDialogue(s, "", false)
	if st := d.Received([]byte("220 hi\r\n")); st.Send != "HELO localhost\r\n" {
		t.Errorf("keepalived says HELO localhost without a name: %q", st.Send)
	}
}

package runtimeapi

import (
	"strconv"
	"strings"
	"testing"
)

// TestServerStateEventsMatchHAProxy replays the transitions recorded in
// testdata/haproxy-2.6.12/events.txt (backend servers: web1, web2 and
// web3 backup, all up, no checks) and compares levels and texts of the
// syslog datagrams and the stderr lines.
func TestServerStateEventsMatchHAProxy(t *testing.T) {
	lines := capturedLines(t, "events.txt")
	type srvState struct {
		st     AdminState
		weight int
		backup bool
	}
	state := map[string]*srvState{"web1": {weight: 1}, "web2": {weight: 1}, "web3": {weight: 1, backup: true}}
	usable := func(s *srvState) bool { return s.st == StateReady && s.weight > 0 }
	counts := func() (act, bck int) {
		for _, s := range state {
			if usable(s) {
				if s.backup {
					bck++
				} else {
					act++
				}
			}
		}
		return
	}
	var got, stderr []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "b'### set server servers/") {
			continue
		}
		f := strings.Fields(strings.Trim(l[len("b'### "):], "'"))
		name := strings.TrimPrefix(f[2], "servers/")
		s := state[name]
		before, wasUsable := s.st, usable(s)
		actBefore, bckBefore := counts()
		switch f[3] {
		case "state":
			s.st = map[string]AdminState{"ready": StateReady, "drain": StateDrain, "maint": StateMaint}[f[4]]
		case "weight":
			s.weight, _ = strconv.Atoi(f[4])
		}
		act, bck := counts()
		var evs []Event
		if f[3] == "state" {
			evs = ServerStateEvents(Transition{Backend: "servers", Server: name, Backup: s.backup, From: before, To: s.st,
				WasUsable: wasUsable, Act: act, Bck: bck})
		} else if actBefore+bckBefore > 0 && act+bck == 0 {
			evs = []Event{BackendDownEvent("servers")}
		}
		for _, e := range evs {
			got = append(got, "<"+strconv.Itoa(16*8+e.Level)+">"+e.Text)
			stderr = append(stderr, "["+e.Tag+"]"+e.Stderr)
		}
	}
	var want, wantErr []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "b'<"):
			// b'<129>Nov 25 09:26:53 haproxy[16854]: text\n'
			pri := l[2 : strings.IndexByte(l, '>')+1]
			text := strings.TrimSuffix(l[strings.Index(l, "]: ")+3:], `\n'`)
			want = append(want, pri+text)
		case strings.HasPrefix(l, "["):
			tag := l[:strings.IndexByte(l, ']')+1]
			wantErr = append(wantErr, tag+l[strings.Index(l, " : ")+3:])
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("syslog:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(stderr, "\n") != strings.Join(wantErr, "\n") {
		t.Errorf("stderr:\n%s\nwant\n%s", strings.Join(stderr, "\n"), strings.Join(wantErr, "\n"))
	}
	if len(want) < 12 {
		t.Fatalf("only %d events in the capture", len(want))
	}
}

// A drained server that its check or agent holds down leaves the drain
// "DOWN" (measured on HAProxy 2.6.12 with an agent answering drain, then
// ready, while the check failed).
func TestLeavingDrainWhileDown(t *testing.T) {
	ev := ServerStateEvents(Transition{Backend: "be", Server: "s2", From: StateDrain, To: StateReady, Down: true})
	if len(ev) != 1 || ev[0].Text != "Server be/s2 is DOWN (leaving forced drain)." {
		t.Errorf("%+v", ev)
	}
}

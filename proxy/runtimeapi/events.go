package runtimeapi

import "fmt"

// Event is a message HAProxy 2.6 emits when the runtime API changes a
// server: sent to the log targets at Level (a syslog severity: 0 emerg,
// 1 alert, 5 notice) and printed on stderr under Tag ("WARNING" or
// "ALERT") as Stderr, which differs from Text for the backend alert.
type Event struct {
	Level  int
	Text   string
	Tag    string
	Stderr string
}

// Transition describes one runtime state change of a server, with the
// backend's situation after it.
type Transition struct {
	Backend, Server string
	Backup          bool
	From, To        AdminState
	// WasUsable: the server was taking traffic before (up, weight > 0,
	// neither drained nor in maintenance).
	WasUsable bool
	// Down: the server is operationally down (its check or agent says
	// so), which the drain-leaving line reports.
	Down bool
	// LeftDown: leaving maintenance, the server is DOWN (a tracking
	// server takes its tracked server's state; a checked one is UP again).
	LeftDown bool
	// Act and Bck count the usable active and backup servers left.
	Act, Bck int
	// Sessions on the server, sessions requeued elsewhere, requests left
	// in its queue, as printed in the "going DOWN" message.
	Sessions, Requeued, Queued int
}

// ServerStateEvents returns what HAProxy logs for t (nothing when the
// state does not change), measured on 2.6.12 (testdata/.../events.txt).
func ServerStateEvents(t Transition) []Event {
	if t.From == t.To {
		return nil
	}
	who := "Server " + t.Backend + "/" + t.Server
	if t.Backup {
		who = "Backup " + who
	}
	notice := func(text string) Event { return Event{Level: 5, Text: text, Tag: "WARNING", Stderr: text} }
	var out []Event
	switch t.To {
	case StateMaint:
		if t.Down && !t.WasUsable {
			// a server its check took down
			out = append(out, notice(who+" was DOWN and now enters maintenance."))
			break
		}
		backup := ""
		if t.Act == 0 && t.Bck > 0 {
			backup = " Running on backup."
		}
		text := fmt.Sprintf("%s is going DOWN for maintenance. %d active and %d backup servers left.%s %d sessions active, %d requeued, %d remaining in queue.",
			who, t.Act, t.Bck, backup, t.Sessions, t.Requeued, t.Queued)
		ev := notice(text)
		if t.WasUsable {
			ev.Level = 1 // a serving server lost: alert
		}
		out = append(out, ev)
		if t.WasUsable && t.Act == 0 && t.Bck == 0 {
			out = append(out, BackendDownEvent(t.Backend))
		}
	case StateDrain:
		if t.From == StateMaint {
			out = append(out, notice(who+" is UP/DRAIN (leaving forced maintenance)."),
				notice(who+" remains in forced drain mode."))
			break
		}
		out = append(out, notice(fmt.Sprintf("%s enters drain state. %d active and %d backup servers online. %d sessions requeued, %d total in queue.",
			who, t.Act, t.Bck, t.Requeued, t.Queued)))
		if t.WasUsable && t.Act == 0 && t.Bck == 0 {
			out = append(out, BackendDownEvent(t.Backend)) // draining the last usable server (HAProxy 2.6.12)
		}
	case StateReady:
		if t.From == StateMaint {
			state := "UP"
			if t.LeftDown {
				state = "DOWN"
			}
			out = append(out, notice(who+" is "+state+"/READY (leaving forced maintenance)."))
		} else {
			state := "UP"
			if t.Down {
				state = "DOWN"
			}
			out = append(out, notice(who+" is "+state+" (leaving forced drain)."))
		}
	}
	return out
}

// BackendDownEvent is HAProxy's alert when a backend loses its last
// usable server (by maintenance, or `set weight 0`): emerg in the logs,
// with the name quoted only on stderr.
func BackendDownEvent(backend string) Event {
	return Event{Level: 0, Text: "backend " + backend + " has no server available!",
		Tag: "ALERT", Stderr: "backend '" + backend + "' has no server available!"}
}

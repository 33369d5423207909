package runtimeapi

import "testing"

// Draining the backend's last usable server alerts as maintenance does
// (seen with haproxy 2.6.12: `set server be/s2 state drain` with s1 in
// maintenance prints "backend 'be' has no server available!").
func TestDrainLastServerAlerts(t *testing.T) {
	evs := ServerStateEvents(Transition{Backend: "be", Server: "s2", From: StateReady, To: StateDrain, WasUsable: true})
	if len(evs) != 2 || evs[1] != BackendDownEvent("be") {
		t.Fatalf("events %+v", evs)
	}
	evs = ServerStateEvents(Transition{Backend: "be", Server: "s2", From: StateReady, To: StateDrain, WasUsable: true, Act: 1})
	if len(evs) != 1 {
		t.Fatalf("events with a server left %+v", evs)
	}
}

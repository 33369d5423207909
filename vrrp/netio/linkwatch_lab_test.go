package netio

import (
	"context"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// nextEvent waits (bounded) for the watcher's next event.
func nextEvent(t *testing.T, w *LinkWatcher) LinkEvent {
	t.Helper()
	select {
	case ev, ok := <-w.Events():
		if !ok {
			t.Fatal("events channel closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no link event within 5 s")
	}
	return LinkEvent{}
}

func TestLinkWatcher(t *testing.T) {
	l, a, _ := twoHosts(t, "niolink")
	idx, _, err := a.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	var w *LinkWatcher
	in(t, a, func() (err error) { w, err = WatchLink(context.Background(), lab.HostIfName); return })
	defer w.Close()

	up := LinkEvent{Name: lab.HostIfName, Index: idx, Up: true}
	down := LinkEvent{Name: lab.HostIfName, Index: idx}
	if ev := nextEvent(t, w); ev != up {
		t.Fatalf("initial event %+v, want %+v", ev, up)
	}
	if err := a.SetLink(lab.HostIfName, false); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev != down {
		t.Fatalf("after link down: %+v, want %+v", ev, down)
	}
	if err := a.SetLink(lab.HostIfName, true); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev != up {
		t.Fatalf("after link up: %+v, want %+v", ev, up)
	}

	// Carrier loss: the bridge side of the veth goes down, ens160 stays
	// administratively up but is no longer running.
	links, err := l.Switch().Handle().LinkList()
	if err != nil {
		t.Fatal(err)
	}
	var port string
	for _, link := range links {
		if link.Type() == "veth" {
			port = link.Attrs().Name // the lab's only ports are a's and b's; a's is first
			break
		}
	}
	if err := l.Switch().SetLink(port, false); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev != down {
		t.Fatalf("after carrier loss: %+v, want %+v", ev, down)
	}
	if err := l.Switch().SetLink(port, true); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev != up {
		t.Fatalf("after carrier back: %+v, want %+v", ev, up)
	}
}

func TestLinkWatcherRemovedAndAbsent(t *testing.T) {
	l, a, _ := twoHosts(t, "niolinkrm")
	if err := l.AddLink(a, "eth1"); err != nil {
		t.Fatal(err)
	}
	waitOperUp(t, a, "eth1")
	var w, absent *LinkWatcher
	ctx, cancel := context.WithCancel(context.Background())
	in(t, a, func() (err error) {
		if w, err = WatchLink(context.Background(), "eth1"); err != nil {
			return err
		}
		absent, err = WatchLink(ctx, "nosuch0")
		return err
	})
	defer w.Close()
	if ev := nextEvent(t, absent); !ev.Removed || ev.Up {
		t.Errorf("missing interface reported as %+v", ev)
	}
	// Cancelling the context ends the watcher and closes its channel.
	cancel()
	select {
	case _, ok := <-absent.Events():
		if ok {
			t.Error("event after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Error("channel not closed after cancel")
	}
	absent.Close()

	if ev := nextEvent(t, w); ev.Name != "eth1" || ev.Removed || !ev.Up {
		t.Fatalf("initial event %+v, want eth1 up", ev)
	}
	link, err := a.Handle().LinkByName("eth1")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Handle().LinkDel(link); err != nil {
		t.Fatal(err)
	}
	for {
		ev := nextEvent(t, w)
		if ev.Removed {
			if ev.Up {
				t.Errorf("removed link reported up: %+v", ev)
			}
			break
		}
		// A down event may come first (the link goes down as it is deleted).
		if ev.Up {
			t.Fatalf("unexpected up event while deleting: %+v", ev)
		}
	}
}

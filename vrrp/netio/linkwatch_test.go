package netio

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// fakeLinks plays the kernel side of a LinkWatcher: each subscription gets
// a fresh channel the test writes to or closes.
type fakeLinks struct {
	mu      sync.Mutex
	subs    chan chan netlink.LinkUpdate
	current LinkEvent
}

func (f *fakeLinks) subscribe() (chan netlink.LinkUpdate, chan struct{}, error) {
	ch := make(chan netlink.LinkUpdate, 8)
	f.subs <- ch
	return ch, make(chan struct{}), nil
}

func (f *fakeLinks) state() LinkEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current
}

func (f *fakeLinks) set(ev LinkEvent) {
	f.mu.Lock()
	f.current = ev
	f.mu.Unlock()
}

func update(name string, index int, flags uint32, typ uint16) netlink.LinkUpdate {
	u := netlink.LinkUpdate{Link: &netlink.Device{LinkAttrs: netlink.LinkAttrs{Name: name, Index: index}}}
	u.IfInfomsg.Flags = flags
	u.Header.Type = typ
	return u
}

func TestLinkWatcherEventsAndResubscribe(t *testing.T) {
	f := &fakeLinks{subs: make(chan chan netlink.LinkUpdate, 4), current: LinkEvent{Name: "ens160", Index: 3, Up: true}}
	w := newLinkWatcher(context.Background(), "ens160", netns.None())
	w.subscribeFn, w.currentFn = f.subscribe, f.state
	if err := w.start(); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sub := <-f.subs

	running := uint32(unix.IFF_UP | unix.IFF_RUNNING)
	steps := []struct {
		name string
		send []netlink.LinkUpdate
		want *LinkEvent // nil: no event expected
	}{
		{"initial state", nil, &LinkEvent{Name: "ens160", Index: 3, Up: true}},
		{"same state again is not repeated", []netlink.LinkUpdate{update("ens160", 3, running, unix.RTM_NEWLINK)}, nil},
		{"other interfaces are ignored", []netlink.LinkUpdate{update("eth9", 9, 0, unix.RTM_NEWLINK)}, nil},
		{"up without carrier is down", []netlink.LinkUpdate{update("ens160", 3, unix.IFF_UP, unix.RTM_NEWLINK)}, &LinkEvent{Name: "ens160", Index: 3}},
		{"running again", []netlink.LinkUpdate{update("ens160", 3, running, unix.RTM_NEWLINK)}, &LinkEvent{Name: "ens160", Index: 3, Up: true}},
		{"deleted", []netlink.LinkUpdate{update("ens160", 3, running, unix.RTM_DELLINK)}, &LinkEvent{Name: "ens160", Index: 3, Removed: true}},
		{"recreated with a new index", []netlink.LinkUpdate{update("ens160", 7, running, unix.RTM_NEWLINK)}, &LinkEvent{Name: "ens160", Index: 7, Up: true}},
	}
	for _, s := range steps {
		for _, u := range s.send {
			sub <- u
		}
		select {
		case ev := <-w.Events():
			if s.want == nil || ev != *s.want {
				t.Fatalf("%s: event %+v, want %v", s.name, ev, s.want)
			}
		case <-time.After(200 * time.Millisecond):
			if s.want != nil {
				t.Fatalf("%s: no event, want %+v", s.name, *s.want)
			}
		}
	}

	// The kernel drops the subscription while the link disappears: the
	// watcher resubscribes and reports the state it finds.
	f.set(LinkEvent{Name: "ens160", Removed: true})
	close(sub)
	select {
	case sub = <-f.subs:
	case <-time.After(5 * time.Second):
		t.Fatal("no resubscription")
	}
	select {
	case ev := <-w.Events():
		if !ev.Removed {
			t.Fatalf("after resubscribe: %+v, want removed", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after resubscribe")
	}
	// And keeps listening on the new subscription.
	sub <- update("ens160", 8, running, unix.RTM_NEWLINK)
	select {
	case ev := <-w.Events():
		if ev != (LinkEvent{Name: "ens160", Index: 8, Up: true}) {
			t.Fatalf("on new subscription: %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event on the new subscription")
	}
	w.Close()
	if _, ok := <-w.Events(); ok {
		t.Fatal("events channel open after Close")
	}
}

package netio

import (
	"context"
	"fmt"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// LinkEvent is the state of the watched interface after a change.
type LinkEvent struct {
	Name  string
	Index int
	// Up is what keepalived calls the interface being up: administratively
	// up (IFF_UP) and with carrier (IFF_RUNNING). A veth whose peer is
	// down is not Up.
	Up bool
	// Removed is set when the interface was deleted; Up is then false.
	Removed bool
}

// resubscribeDelay spaces subscription attempts after the kernel closed
// one (e.g. ENOBUFS when events overflowed the socket buffer).
const resubscribeDelay = 100 * time.Millisecond

// LinkWatcher reports changes of one interface's up/down state from
// netlink link updates.
type LinkWatcher struct {
	name   string
	ns     netns.NsHandle
	events chan LinkEvent
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	// Replaceable in tests: where updates and the current state come from.
	subscribeFn func() (chan netlink.LinkUpdate, chan struct{}, error)
	currentFn   func() LinkEvent
}

// WatchLink starts watching interface ifname of the calling thread's
// namespace. The first event is the current state (Removed if ifname does
// not exist yet); after that an event is sent only when Up or Removed
// changes, including across re-subscriptions. Events stop when ctx ends
// or Close is called; the channel is then closed.
func WatchLink(ctx context.Context, ifname string) (*LinkWatcher, error) {
	// Remember the namespace now: re-subscriptions happen on other
	// threads, which may live in another namespace.
	ns, err := netns.Get()
	if err != nil {
		return nil, fmt.Errorf("netio: current namespace: %w", err)
	}
	w := newLinkWatcher(ctx, ifname, ns)
	w.subscribeFn, w.currentFn = w.subscribe, w.current
	if err := w.start(); err != nil {
		w.cancel()
		ns.Close()
		return nil, err
	}
	return w, nil
}

func newLinkWatcher(ctx context.Context, ifname string, ns netns.NsHandle) *LinkWatcher {
	ctx, cancel := context.WithCancel(ctx)
	w := &LinkWatcher{name: ifname, ns: ns, events: make(chan LinkEvent, 16), cancel: cancel, done: make(chan struct{})}
	w.ctx = ctx
	return w
}

func (w *LinkWatcher) start() error {
	updates, stop, err := w.subscribeFn()
	if err != nil {
		return err
	}
	go w.run(w.ctx, updates, stop)
	return nil
}

// Events delivers the interface's state changes.
func (w *LinkWatcher) Events() <-chan LinkEvent { return w.events }

// Close stops the watcher and waits for it to finish.
func (w *LinkWatcher) Close() {
	w.cancel()
	<-w.done
}

func (w *LinkWatcher) subscribe() (chan netlink.LinkUpdate, chan struct{}, error) {
	updates := make(chan netlink.LinkUpdate, 64)
	stop := make(chan struct{})
	ns := w.ns
	err := netlink.LinkSubscribeWithOptions(updates, stop, netlink.LinkSubscribeOptions{
		Namespace:    &ns,
		ListExisting: true,
	})
	if err != nil {
		close(stop)
		return nil, nil, fmt.Errorf("netio: subscribe to link updates: %w", err)
	}
	return updates, stop, nil
}

func (w *LinkWatcher) run(ctx context.Context, updates chan netlink.LinkUpdate, stop chan struct{}) {
	defer close(w.done)
	defer close(w.events)
	defer func() {
		if w.ns.IsOpen() {
			w.ns.Close()
		}
	}()
	var last *LinkEvent
	emit := func(ev LinkEvent) bool {
		if last != nil && last.Up == ev.Up && last.Removed == ev.Removed && last.Index == ev.Index {
			return true
		}
		last = &ev
		select {
		case w.events <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	// The current state first, so the caller never has to guess.
	if !emit(w.currentFn()) {
		close(stop)
		return
	}
	for {
		select {
		case <-ctx.Done():
			close(stop)
			return
		case u, ok := <-updates:
			if !ok {
				// The kernel dropped the subscription: resubscribe, with
				// ListExisting so changes missed meanwhile are seen, and
				// check whether the link vanished in the gap (a listing
				// does not report what no longer exists).
				close(stop)
				for {
					select {
					case <-ctx.Done():
						return
					case <-time.After(resubscribeDelay):
					}
					var err error
					if updates, stop, err = w.subscribeFn(); err == nil {
						break
					}
				}
				if !emit(w.currentFn()) {
					close(stop)
					return
				}
				continue
			}
			if u.Link == nil || u.Link.Attrs().Name != w.name {
				continue
			}
			if !emit(eventOf(u)) {
				close(stop)
				return
			}
		}
	}
}

// current reads the link's state now, in the watched namespace.
func (w *LinkWatcher) current() LinkEvent {
	h, err := netlink.NewHandleAt(w.ns, unix.NETLINK_ROUTE)
	if err != nil {
		return LinkEvent{Name: w.name, Removed: true}
	}
	defer h.Close()
	l, err := h.LinkByName(w.name)
	if err != nil {
		return LinkEvent{Name: w.name, Removed: true}
	}
	a := l.Attrs()
	return LinkEvent{Name: a.Name, Index: a.Index, Up: a.RawFlags&unix.IFF_UP != 0 && a.RawFlags&unix.IFF_RUNNING != 0}
}

// eventOf turns a netlink update for the watched link into its state.
func eventOf(u netlink.LinkUpdate) LinkEvent {
	a := u.Link.Attrs()
	ev := LinkEvent{Name: a.Name, Index: a.Index}
	if u.Header.Type == unix.RTM_DELLINK {
		ev.Removed = true
		return ev
	}
	ev.Up = u.IfInfomsg.Flags&unix.IFF_UP != 0 && u.IfInfomsg.Flags&unix.IFF_RUNNING != 0
	return ev
}

package netio

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestProcEventsFollowChild subscribes in the initial network namespace
// (the only one with a process connector: nothing is sent anywhere) and
// sees a child's fork from this process, its exec and its exit.
func TestProcEventsFollowChild(t *testing.T) {
	testenv.Root(t)
	p, err := ListenProcEvents()
	if errors.Is(err, unix.ECONNREFUSED) {
		testenv.Missing(t, "no process connector in this network namespace: "+err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	cmd.Wait()
	got := map[ProcEventKind]ProcEvent{}
	done := make(chan error, 1)
	go func() {
		for {
			evs, err := p.Read()
			if err != nil {
				done <- err
				return
			}
			for _, e := range evs {
				if e.PID != pid {
					continue
				}
				if _, seen := got[e.Kind]; !seen {
					got[e.Kind] = e
				}
				if e.Kind == ProcExit {
					done <- nil
					return
				}
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		p.Close()
		<-done
		t.Fatalf("no exit event of pid %d within 10 s: %v", pid, got)
	}
	if f := got[ProcFork]; f.Parent != os.Getpid() {
		t.Errorf("fork event %+v, want parent %d", f, os.Getpid())
	}
	if _, ok := got[ProcExec]; !ok {
		t.Errorf("no exec event: %v", got)
	}
}

// TestParseProcEventsThreads leaves thread events out.
func TestParseProcEventsThreads(t *testing.T) {
	msg := func(what uint32, data ...uint32) []byte {
		b := make([]byte, unix.NLMSG_HDRLEN+cnMsgLen+procEventHdrLen+4*len(data)+16)
		ne := binary.NativeEndian
		ne.PutUint32(b[0:], uint32(len(b)))
		ne.PutUint16(b[4:], unix.NLMSG_DONE)
		c := b[unix.NLMSG_HDRLEN:]
		ne.PutUint32(c[0:], cnIdxProc)
		ne.PutUint32(c[4:], cnValProc)
		ev := c[cnMsgLen:]
		ne.PutUint32(ev[0:], what)
		for i, d := range data {
			ne.PutUint32(ev[procEventHdrLen+4*i:], d)
		}
		return b
	}
	var b []byte
	b = append(b, msg(procEventFork, 1, 1, 50, 50)...)
	b = append(b, msg(procEventFork, 50, 50, 51, 50)...) // a thread of 50
	b = append(b, msg(procEventExit, 51, 50, 0, 0)...)   // its exit
	b = append(b, msg(procEventExec, 50, 50)...)
	b = append(b, msg(procEventExit, 50, 50, 0, 9)...)
	got := parseProcEvents(b)
	want := []ProcEvent{{Kind: ProcFork, PID: 50, Parent: 1}, {Kind: ProcExec, PID: 50}, {Kind: ProcExit, PID: 50}}
	if len(got) != len(want) {
		t.Fatalf("%+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

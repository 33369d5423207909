package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// Capture is a running tcpdump on br0 in the switch namespace. The bridge
// is put in promiscuous mode by tcpdump, so it sees frames between any two
// hosts, not only broadcasts.
type Capture struct {
	Path string
	proc *Proc
}

// Capture starts tcpdump on br0 with the given pcap filter (may be empty)
// and returns once tcpdump is listening. ctx bounds the wait for that.
func (l *Lab) Capture(ctx context.Context, filter string) (*Capture, error) {
	l.mu.Lock()
	n := len(l.procs)
	l.mu.Unlock()
	path := l.logPath(fmt.Sprintf("capture-%d.pcap", n))
	// -Z root: Debian's tcpdump otherwise drops to user tcpdump before
	// opening the file, and the lab directory is private to root.
	// --immediate-mode: without it libpcap hands over packets per ring
	// block, and a Stop soon after the traffic would lose them.
	argv := []string{"tcpdump", "-Z", "root", "-i", BridgeName, "--immediate-mode", "-U", "-n", "-s", "0", "-w", path}
	if filter != "" {
		argv = append(argv, strings.Fields(filter)...)
	}
	p, err := l.sw.Start(argv...)
	if err != nil {
		return nil, err
	}
	c := &Capture{Path: path, proc: p}
	for {
		if strings.Contains(p.Stderr(), "listening on") {
			return c, nil
		}
		select {
		case <-p.Done():
			return nil, fmt.Errorf("lab: tcpdump exited: %s", p.Stderr())
		case <-ctx.Done():
			p.Kill()
			return nil, fmt.Errorf("lab: tcpdump not listening: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop ends the capture (SIGINT, so tcpdump flushes) and returns the
// path of the pcap file.
func (c *Capture) Stop() (string, error) {
	if err := c.proc.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return "", err
	}
	select {
	case <-c.proc.Done():
	case <-time.After(5 * time.Second):
		c.proc.Kill()
		c.proc.Wait()
	}
	return c.Path, nil
}

// Packets stops the capture and decodes every frame as Ethernet.
func (c *Capture) Packets() ([]gopacket.Packet, error) {
	path, err := c.Stop()
	if err != nil {
		return nil, err
	}
	return ReadPcap(path)
}

// ReadPcap decodes every frame of a pcap file as Ethernet.
func ReadPcap(path string) ([]gopacket.Packet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("lab: %s: %w", path, err)
	}
	var out []gopacket.Packet
	for {
		frame, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
		p.Metadata().CaptureInfo = ci
		out = append(out, p)
	}
	return out, nil
}

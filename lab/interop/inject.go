package interop

import (
	"fmt"
	"net"

	"github.com/mdlayher/packet"

	"github.com/goha-lb/goha/lab"
)

// Injector sends raw Ethernet frames out of a node's ens160. A packet
// socket bypasses the IP stack, so TTL, checksums and lengths are exactly
// what the frame says.
type Injector struct {
	MAC  net.HardwareAddr
	conn *packet.Conn
}

// NewInjector opens a send-only packet socket on n's ens160.
func NewInjector(n *Node) (*Injector, error) {
	var inj *Injector
	err := n.Do(func() error {
		ifi, err := net.InterfaceByName(lab.HostIfName)
		if err != nil {
			return err
		}
		// Protocol 0: nothing is received, so nothing queues up.
		c, err := packet.Listen(ifi, packet.Raw, 0, nil)
		if err != nil {
			return fmt.Errorf("interop: packet socket on %s: %w", n.Name, err)
		}
		inj = &Injector{MAC: ifi.HardwareAddr, conn: c}
		return nil
	})
	return inj, err
}

// Send puts one frame on the wire as is.
func (i *Injector) Send(frame []byte) error {
	if len(frame) < 14 {
		return fmt.Errorf("interop: frame of %d bytes", len(frame))
	}
	_, err := i.conn.WriteTo(frame, &packet.Addr{HardwareAddr: net.HardwareAddr(frame[0:6])})
	return err
}

// Close closes the socket.
func (i *Injector) Close() error { return i.conn.Close() }

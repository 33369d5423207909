package seedlab

import (
	"net"
	"strings"
	"sync"
)

// maxLogLines bounds what a SyslogSink keeps.
const maxLogLines = 1000

// SyslogSink receives the proxy's logs on a host: the seed's haproxy.cfg
// says `log 127.0.0.1 local2`, so it listens on UDP 127.0.0.1:514 inside
// the host's namespace (nothing else on the machine sees that address).
type SyslogSink struct {
	conn net.PacketConn
	mu   sync.Mutex
	msgs []string
	done chan struct{}
}

// ListenSyslog opens the sink inside node n.
func ListenSyslog(n *Node) (*SyslogSink, error) {
	var conn net.PacketConn
	err := n.Do(func() error {
		var err error
		conn, err = net.ListenPacket("udp4", "127.0.0.1:514")
		return err
	})
	if err != nil {
		return nil, err
	}
	s := &SyslogSink{conn: conn, done: make(chan struct{})}
	go s.read()
	return s, nil
}

func (s *SyslogSink) read() {
	defer close(s.done)
	buf := make([]byte, 64<<10)
	for {
		k, _, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		msg := strings.TrimRight(string(buf[:k]), "\n\x00")
		s.mu.Lock()
		s.msgs = append(s.msgs, msg)
		if len(s.msgs) > maxLogLines {
			s.msgs = s.msgs[len(s.msgs)-maxLogLines:]
		}
		s.mu.Unlock()
	}
}

// Messages returns the messages received so far (raw syslog datagrams:
// "<PRI>timestamp tag[pid]: text").
func (s *SyslogSink) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// Matching returns the received messages containing every one of subs.
func (s *SyslogSink) Matching(subs ...string) []string {
	var out []string
next:
	for _, m := range s.Messages() {
		for _, sub := range subs {
			if !strings.Contains(m, sub) {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// Close stops the sink.
func (s *SyslogSink) Close() error {
	err := s.conn.Close()
	<-s.done
	return err
}

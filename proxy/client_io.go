package proxy

import "time"

// clientRead reads from the client until want (zero: no limit); now is
// the caller's clock reading.
func (s *session) clientRead(p []byte, now, want time.Time) (int, error) {
	n, err := s.c.readUntil(p, now, want)
	if n > 0 && s.tl.firstByte.IsZero() {
		s.tl.firstByte = s.clk.readDone(now)
	} else {
		s.clk.fresh = time.Time{} // a read: the head's reading is old
	}
	s.received += int64(n)
	s.fe.stats.bytesIn.Add(int64(n))
	return n, err
}

func (s *session) clientWrite(p []byte) error { return s.clientWriteAt(p, time.Time{}) }

// clientWriteAt is clientWrite for a caller that has just read the clock.
func (s *session) clientWriteAt(p []byte, now time.Time) error {
	n, err := s.c.writeAt(p, now, s.fe.cfg.Timeouts.Client)
	s.sent += int64(n)
	s.fe.stats.bytesOut.Add(int64(n))
	return err
}

package logfmt

import (
	"net"
	"testing"
)

// BenchmarkRelay: one received RFC 3164 message parsed and re-emitted
// to a UDP target in RFC 5424 (log-forward's path per message).
func BenchmarkRelay(b *testing.B) {
	out, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := out.Read(buf); err != nil {
				return
			}
		}
	}()
	r := NewRelay([]RelayTarget{{Target: Target{Network: "udp", Addr: out.LocalAddr().String(), MaxLen: 1024,
		Format: RFC5424, Facility: 16, MaxLevel: Debug}}}, LoggerOptions{})
	msg := []byte("<134>Jan  5 01:02:03 myhost app[123]: 127.0.0.1:41502 [25/Nov/2026:09:04:44.465] main servers/web2 0/0/1/3/4 200 120 - - ---- 2/2/1/1/0 0/0 \"GET / HTTP/1.1\"")
	b.ReportAllocs()
	for b.Loop() {
		level, facility, m, rest := ParseSyslog(msg)
		r.Send(level, facility, &m, rest)
	}
}

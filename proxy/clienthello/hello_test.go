package clienthello

import (
	"crypto/tls"
	"net"
	"reflect"
	"testing"
	"time"
)

// captureHello is the first flight crypto/tls sends for cfg.
func captureHello(t testing.TB, cfg *tls.Config) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go func() {
		c := tls.Client(a, cfg)
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Handshake()
	}()
	b.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 64<<10)
	n, err := b.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

func TestClientHello(t *testing.T) {
	h := captureHello(t, &tls.Config{ServerName: "A.example.test", NextProtos: []string{"h2", "http/1.1"}})
	if v, st := HelloType(h); st != OK || v != 1 {
		t.Errorf("HelloType = %d %v", v, st)
	}
	if v, st := Version(h, 16384); st != OK || v != 0x030003 {
		t.Errorf("Version = %x %v", v, st)
	}
	if v, st := SNI(h); st != OK || v != "A.example.test" {
		t.Errorf("SNI = %q %v", v, st)
	}
	if v, st := ALPN(h); st != OK || !reflect.DeepEqual(v, []string{"h2", "http/1.1"}) {
		t.Errorf("ALPN = %q %v", v, st)
	}
	if v, st := ECExt(h); st != OK || !v {
		t.Errorf("ECExt = %v %v", v, st)
	}
	// Every strict prefix is short (a rule waits), never a wrong value.
	for i := 0; i < len(h); i++ {
		if _, st := SNI(h[:i]); st != Short {
			t.Fatalf("SNI of %d/%d bytes: %v, want Short", i, len(h), st)
		}
		if _, st := HelloType(h[:i]); st != Short {
			t.Fatalf("HelloType of %d/%d bytes: %v, want Short", i, len(h), st)
		}
	}
	// Without SNI or ALPN: no value, final.
	h2 := captureHello(t, &tls.Config{InsecureSkipVerify: true})
	if _, st := SNI(h2); st != No {
		t.Errorf("SNI without server_name: %v", st)
	}
	if _, st := ALPN(h2); st != No {
		t.Errorf("ALPN without extension: %v", st)
	}
	for _, junk := range []string{"GET / HTTP/1.1\r\n\r\n", "\x16\x02\x00", "\x80\x2e\x01\x03\x01"} {
		if _, st := SNI([]byte(junk)); st != No {
			t.Errorf("SNI(%q) = %v", junk, st)
		}
	}
}

// TestSSLv2Version: the SSLv2-format hello HAProxy still reads.
func TestSSLv2Version(t *testing.T) {
	// short header, 9+3+0+16 bytes: msg 1, version 3.1, one cipher
	b := []byte{0x80, 28, 0x01, 0x03, 0x01, 0, 3, 0, 0, 0, 16, 0, 0, 0x35}
	b = append(b, make([]byte, 16)...)
	if v, st := Version(b, 16384); st != OK || v != 0x030001 {
		t.Errorf("Version = %x %v", v, st)
	}
	if _, st := Version(b[:len(b)-1], 16384); st != Short {
		t.Errorf("short SSLv2 = %v", st)
	}
}

func FuzzClientHello(f *testing.F) {
	f.Add(captureHello(f, &tls.Config{ServerName: "a.example.test", NextProtos: []string{"h2"}}))
	f.Add([]byte("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x03"))
	f.Add([]byte{0x80, 28, 0x01, 0x03, 0x01, 0, 3, 0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Never panic; a value only from a complete message.
		HelloType(b)
		Version(b, 16384)
		if s, st := SNI(b); st == OK && len(s) > len(b) {
			t.Fatal("name longer than input")
		}
		ALPN(b)
		ECExt(b)
		if v, st := STExt(b); st != OK && v != 0 || v < 0 || v > 2 {
			t.Fatalf("STExt %d %v", v, st)
		}
	})
}

package mailalert

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

func TestMessage(t *testing.T) {
	c := &Config{From: "a@x", To: "b@y"}
	date := time.Date(2026, 12, 6, 12, 48, 9, 0, time.UTC)
	got := string(Message(c, "Server be/s2 is DOWN", date))
	want := "From: a@x\r\nTo: b@y\r\nDate: Sun, 06 Dec 2026 12:48:09 +0000 (UTC)\r\n" +
		"Subject: [HAProxy Alert] Server be/s2 is DOWN\r\n\r\nServer be/s2 is DOWN\r\n\r\n.\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// A recording server answers each command; the queue sends the alert
// within its level and skips the one above it.
func TestQueueSends(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		var rec strings.Builder
		c.Write([]byte("220 hi\r\n"))
		data := false
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				break
			}
			rec.WriteString(l)
			switch {
			case data && l == ".\r\n":
				data = false
				c.Write([]byte("250 queued\r\n"))
			case data:
			case l == "DATA\r\n":
				data = true
				c.Write([]byte("354 go\r\n"))
			case l == "QUIT\r\n":
				c.Write([]byte("221 bye\r\n"))
				got <- rec.String()
				return
			default:
				c.Write([]byte("250-first\r\n250 ok\r\n"))
			}
		}
		got <- rec.String()
	}()
	q := NewQueue(&Config{From: "a@x", To: "b@y", MyHostname: "h", Level: 1, Mailers: []string{ln.Addr().String()}, Timeout: 2 * time.Second},
		func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
	q.Alert(5, "Server be/s1 is UP.") // notice: above the alert level
	q.Alert(1, "Server be/s1 is DOWN.")
	defer q.Close()
	want := "HELO h\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nFrom: a@x\r\nTo: b@y\r\nDate: Fri, 02 Jan 2026 03:04:05 +0000 (UTC)\r\n" +
		"Subject: [HAProxy Alert] Server be/s1 is DOWN\r\n\r\nServer be/s1 is DOWN\r\n\r\n.\r\nQUIT\r\n"
	if g := <-got; g != want {
		t.Errorf("got %q\nwant %q", g, want)
	}
}

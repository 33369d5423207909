package runtimeapi

import (
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGetSocksHook(t *testing.T) {
	for _, exposed := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "stats")
		opt := Options{Level: LevelAdmin}
		if exposed {
			opt.GetSocks = func(c *net.UnixConn) error {
				_, err := io.WriteString(c, "SOCKETS")
				return err
			}
		}
		l, err := Listen(path, newFakeSource(), opt)
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "_getsocks\n")
		out, _ := io.ReadAll(c)
		c.Close()
		l.Close()
		if got := string(out); exposed != (got == "SOCKETS") || (!exposed && !strings.Contains(got, "Unknown command")) {
			t.Errorf("exposed=%v: answer %q", exposed, got)
		}
	}
}

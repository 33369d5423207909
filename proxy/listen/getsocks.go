package listen

import (
	"fmt"
	"net"
	"time"
)

// GetSocksCommand is the runtime API command a new process sends to the
// old one's `stats socket ... expose-fd listeners` to fetch its listening
// sockets (`gohaproxy -x <socket>`), as HAProxy's "_getsocks". The answer
// is in HAProxy's layout (see xfer.go), so gohaproxy and HAProxy processes
// can hand sockets to each other.
const GetSocksCommand = "_getsocks"

// FetchGetSocks connects to the old process's stats socket at path, asks
// for its listeners and returns them.
func FetchGetSocks(path string, timeout time.Duration) (*Set, error) {
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	uc := c.(*net.UnixConn)
	uc.SetDeadline(time.Now().Add(timeout))
	if _, err := fmt.Fprintf(uc, "%s\n", GetSocksCommand); err != nil {
		return nil, err
	}
	return receiveGetSocks(uc)
}

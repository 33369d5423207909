package peers

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// The handshake: the connecting side sends three lines,
//
//	HAProxyS 2.1
//	<name of the peer it connects to>
//	<its own name> <pid> <relative pid>
//
// and the accepting side answers one status line.
const (
	ProtoName    = "HAProxyS"
	MajorVersion = 2
	MinorVersion = 1
	// DowngradeMinor is the minor version a peer announces after a 502:
	// without timed updates.
	DowngradeMinor = 0
)

// Status codes of the handshake answer (and, for 100/110, of a connection
// still in progress, as "show peers" reports them).
const (
	StatusConnecting = 100
	StatusConnected  = 110
	StatusSuccess    = 200
	StatusTryAgain   = 300
	StatusErrProto   = 501
	StatusErrVersion = 502
	StatusErrHost    = 503
	StatusErrPeer    = 504
)

// StatusName returns HAProxy's four-letter name of a status ("show peers").
func StatusName(code int) string {
	switch code {
	case StatusConnecting:
		return "CONN"
	case StatusConnected:
		return "HSHK"
	case StatusSuccess:
		return "ESTA"
	case StatusTryAgain:
		return "RETR"
	case StatusErrProto:
		return "PROT"
	case StatusErrVersion:
		return "VERS"
	case StatusErrHost:
		return "NAME"
	case StatusErrPeer:
		return "UNKN"
	}
	return "NONE"
}

// Hello is the connecting side's greeting.
type Hello struct {
	Major, Minor int
	Remote       string // the name of the peer connected to (the receiver)
	Local        string // the sender's own name
	PID, RelPID  int
}

// AppendHello appends the three hello lines. HAProxy 2.6 always sends 1 as
// the relative pid.
func AppendHello(b []byte, h Hello) []byte {
	return fmt.Appendf(b, "%s %d.%d\n%s\n%s %d %d\n", ProtoName, h.Major, h.Minor, h.Remote, h.Local, h.PID, h.RelPID)
}

// AppendStatus appends a status line.
func AppendStatus(b []byte, code int) []byte { return fmt.Appendf(b, "%d\n", code) }

// maxLine bounds a handshake line as HAProxy's buffer does.
const maxLine = MaxPayload

// ReadLine returns the line at the start of b without its "\n" or "\r\n"
// and the bytes it took; n == 0 when no full line is there yet. A line
// longer than HAProxy's buffer is an error.
func ReadLine(b []byte) (line string, n int, err error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(b) >= maxLine {
			return "", 0, fmt.Errorf("peers: handshake line over %d bytes", maxLine)
		}
		return "", 0, nil
	}
	l := b[:i]
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	return string(l), i + 1, nil
}

// CheckVersionLine checks the first hello line and returns the minor
// version announced, or the status to answer: 501 for another protocol
// name, 502 for a version that is not 2.x with x <= 1.
func CheckVersionLine(line string) (minor int, status int) {
	rest, ok := strings.CutPrefix(line, ProtoName+" ")
	if !ok {
		return 0, StatusErrProto
	}
	maj, min, ok := strings.Cut(rest, ".")
	mj, err1 := parseUint(maj)
	mn, err2 := parseUint(min)
	if !ok || err1 != nil || err2 != nil || mj != MajorVersion || mn > MinorVersion {
		return 0, StatusErrVersion
	}
	return int(mn), 0
}

// parseUint reads digits as HAProxy's read_uint does: at least one, all of
// the field, saturating rather than failing on overflow.
func parseUint(s string) (uint64, error) {
	if s == "" {
		return 0, strconv.ErrSyntax
	}
	var v uint64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		if v > (1<<32-1-9)/10 {
			v = 1<<32 - 1
			continue
		}
		v = v*10 + uint64(c-'0')
	}
	return v, nil
}

// PeerLine splits the third hello line, "<name> <pid> <relative pid>",
// and returns the sender's name; ok is false when there is no space (a
// protocol error). The pids are not checked, as HAProxy does not.
func PeerLine(line string) (name string, ok bool) {
	name, _, ok = strings.Cut(line, " ")
	return name, ok
}

// ParseStatus reads a status line as HAProxy's atoi does: leading digits,
// 0 when there are none.
func ParseStatus(line string) int {
	line = strings.TrimLeft(line, " \t")
	end := 0
	for end < len(line) && line[end] >= '0' && line[end] <= '9' {
		end++
	}
	v, _ := strconv.Atoi(line[:end])
	return v
}

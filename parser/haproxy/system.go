package haproxy

import (
	"context"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

// errorfileCodes are the statuses HAProxy 2.6 serves from errorfile.
var errorfileCodes = map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 407: true,
	408: true, 410: true, 413: true, 425: true, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true}

// systemLookups are the few facts about the host HAProxy checks while
// parsing (users, groups, error files). Tests and fuzzing may replace them.
type systemLookups struct {
	User, Group, Readable func(string) bool
	// ReadFile reads a regular file's content (certificates); when nil and
	// Readable is replaced, contents are not looked at.
	ReadFile func(string) ([]byte, bool)
	Hostname func() string
	Resolve  func(host string) bool // a DNS name resolves
	// ResolvConf is /etc/resolv.conf's content (false: it cannot be read).
	ResolvConf func() (string, bool)
	// base is where relative file names are looked for while a
	// default-path moves them ("": the working directory;
	// global_default_path.go).
	base string
}

// at is name as the file checks look it up: under base when relative.
func (l systemLookups) at(name string) string {
	if l.base == "" || name == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(l.base, name)
}

// resolve looks a server name up like HAProxy's init-addr "libc" does at
// check time, bounded to two seconds so a dead resolver cannot hang -c.
func (l systemLookups) resolve(host string) bool {
	if l.Resolve != nil {
		return l.Resolve(host)
	}
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "invalid" || strings.HasSuffix(h, ".invalid") {
		return false // RFC 6761: never resolves; no query is sent
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	return err == nil && len(addrs) > 0
}

func (l systemLookups) resolvConf() (string, bool) {
	if l.ResolvConf != nil {
		return l.ResolvConf()
	}
	b, err := os.ReadFile("/etc/resolv.conf")
	return string(b), err == nil
}

func (l systemLookups) hostname() string {
	if l.Hostname != nil {
		return l.Hostname()
	}
	h, _ := os.Hostname()
	return h
}

func (l systemLookups) user(name string) bool {
	if l.User != nil {
		return l.User(name)
	}
	if _, err := user.Lookup(name); err == nil {
		return true
	}
	_, err := user.LookupId(name)
	return err == nil
}

func (l systemLookups) group(name string) bool {
	if l.Group != nil {
		return l.Group(name)
	}
	if _, err := user.LookupGroup(name); err == nil {
		return true
	}
	_, err := user.LookupGroupId(name)
	return err == nil
}

func (l systemLookups) readable(path string) bool {
	path = l.at(path)
	if l.Readable != nil {
		return l.Readable(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// readFile returns a regular file's content, false when it cannot be read
// or is no regular file (a crt directory is loaded file by file).
func (l systemLookups) readFile(path string) ([]byte, bool) {
	path = l.at(path)
	if l.ReadFile != nil {
		return l.ReadFile(path)
	}
	if l.Readable != nil {
		return nil, false
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	data, err := os.ReadFile(path)
	return data, err == nil
}

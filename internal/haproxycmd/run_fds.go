package haproxycmd

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// ThreadFigures is `show threads`' figures for the answering thread:
// its OS thread id and the process CPU time.
func (s *runtimeSource) ThreadFigures() (tid int, cpuNS int64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return syscall.Gettid(), ru.Utime.Nano() + ru.Stime.Nano()
}

// sockInfo is what the kernel's socket tables tell of one inode.
type sockInfo struct {
	family   string
	port     int
	listener bool
	path     string
}

// FDs is `show fd`: the process's sockets, from /proc/self/fd and the
// kernel's socket tables; listeners are named after their frontend
// (GLOBAL for stats sockets) and a TCP connection on a listener's port
// is that frontend's, any other TCP connection a server's.
func (s *runtimeSource) FDs() []runtimeapi.FD {
	socks := map[uint64]sockInfo{}
	readInet("/proc/self/net/tcp", "ipv4", socks)
	readInet("/proc/self/net/tcp6", "ipv6", socks)
	readUnix("/proc/self/net/unix", socks)
	fronts := map[int]string{}
	for _, b := range s.w.plan.Binds {
		if i := strings.LastIndexByte(b.Addr, ':'); i >= 0 {
			if p, err := strconv.Atoi(b.Addr[i+1:]); err == nil {
				fronts[p] = b.Proxy
			}
		}
	}
	var stats []string
	for _, ss := range s.w.plan.StatsSockets {
		if ss.Addr.Path != "" {
			stats = append(stats, ss.Addr.Path)
		} else {
			fronts[ss.Addr.PortLow] = "GLOBAL"
		}
	}
	ents, _ := os.ReadDir("/proc/self/fd")
	var out []runtimeapi.FD
	for _, e := range ents {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		ino, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
		si, ok := socks[ino]
		if !ok {
			continue
		}
		num, _ := strconv.Atoi(e.Name())
		fd := runtimeapi.FD{Num: num, Inode: ino, Listener: si.listener, Family: si.family, Port: si.port}
		switch {
		case si.family == "unix" && isStatsPath(si.path, stats):
			fd.Frontend = "GLOBAL"
		case si.family != "unix":
			fd.Frontend = fronts[si.port]
			fd.Back = !si.listener && fd.Frontend == ""
		}
		out = append(out, fd)
	}
	return out
}

// readInet reads /proc/net/tcp{,6}: local address, state (0A: listen)
// and inode of each socket.
func readInet(path, family string, socks map[uint64]sockInfo) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 10 {
			continue
		}
		_, port, _ := strings.Cut(fl[1], ":")
		p, _ := strconv.ParseInt(port, 16, 32)
		ino, _ := strconv.ParseUint(fl[9], 10, 64)
		socks[ino] = sockInfo{family: family, port: int(p), listener: fl[3] == "0A"}
	}
}

// readUnix reads /proc/net/unix: flags (00010000: listening), inode and
// bound path.
func readUnix(path string, socks map[uint64]sockInfo) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 7 {
			continue
		}
		ino, _ := strconv.ParseUint(fl[6], 10, 64)
		si := sockInfo{family: "unix", listener: fl[3] == "00010000"}
		if len(fl) > 7 {
			si.path = fl[7]
		}
		socks[ino] = si
	}
}

// isStatsPath: a stats socket is bound under a temporary name
// ("path.<pid>.tmp") then renamed, and the kernel keeps the bound name.
func isStatsPath(p string, stats []string) bool {
	for _, sp := range stats {
		if p == sp || strings.HasPrefix(p, sp+".") {
			return true
		}
	}
	return false
}

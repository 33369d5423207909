package haproxycmd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// The master CLI (-S <bind>[,<option>...]): "show proc", "reload",
// "show version", "help", and "@<relative pid> <command>" / "@!<pid>
// <command>" forwarded to a worker's runtime API. One command line per
// connection (several separated by ';'), answered, then closed, as
// HAProxy's non-interactive mode.

const masterCLIHelp = `The following commands are valid at this level:
  @!<pid>                                 : send a command to the <pid> process
  @<relative pid>                         : send a command to the <relative pid> process
  @master                                 : send a command to the master process
  reload                                  : reload haproxy
  show proc                               : show processes status
  show version                            : show version of the current process
  help [<command>]                        : list matching or all commands
  quit                                    : disconnect
`

// openCLI listens on one -S argument: "/path", "unix@/path",
// "ipv4@127.0.0.1:9999" or "127.0.0.1:9999"; options after a comma
// ("mode 600", "level admin") are accepted, "mode" is applied.
func (m *master) openCLI(spec string) (io.Closer, error) {
	parts := strings.Split(spec, ",")
	addr := parts[0]
	network := "tcp"
	switch {
	case strings.HasPrefix(addr, "unix@"):
		network, addr = "unix", strings.TrimPrefix(addr, "unix@")
	case strings.HasPrefix(addr, "/"):
		network = "unix"
	case strings.HasPrefix(addr, "ipv4@"):
		network, addr = "tcp4", strings.TrimPrefix(addr, "ipv4@")
	case strings.HasPrefix(addr, "ipv6@"):
		network, addr = "tcp6", strings.TrimPrefix(addr, "ipv6@")
	}
	if network == "unix" {
		os.Remove(addr) // a stale socket from a previous run, as HAProxy
	}
	lc := net.ListenConfig{KeepAlive: -1} // no SO_KEEPALIVE on CLI connections, as HAProxy
	ln, err := lc.Listen(context.Background(), network, addr)
	if err != nil {
		return nil, err
	}
	if network == "unix" {
		mode := os.FileMode(0o600)
		for _, opt := range parts[1:] {
			f := strings.Fields(opt)
			if len(f) == 2 && f[0] == "mode" {
				if v, err := strconv.ParseUint(f[1], 8, 32); err == nil {
					mode = os.FileMode(v)
				}
			}
		}
		os.Chmod(addr, mode)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go m.serveCLI(c)
		}
	}()
	return ln, nil
}

func (m *master) serveCLI(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	for _, cmd := range strings.Split(strings.TrimSpace(line), ";") {
		m.cliCommand(c, strings.TrimSpace(cmd))
	}
}

func (m *master) cliCommand(w io.Writer, cmd string) {
	if cmd == "" {
		return
	}
	if strings.HasPrefix(cmd, "@") {
		target, rest, _ := strings.Cut(cmd, " ")
		rest = strings.TrimSpace(rest)
		if target == "@master" {
			m.cliCommand(w, rest)
			return
		}
		m.forward(w, target[1:], rest)
		return
	}
	switch strings.Join(strings.Fields(cmd), " ") {
	case "show proc":
		m.showProc(w)
	case "reload":
		done := make(chan struct{})
		m.reloadQ <- done
		<-done
	case "show version":
		fmt.Fprintf(w, "%s\n\n", haproxy.Version)
	case "help", "quit":
		if cmd == "help" {
			io.WriteString(w, masterCLIHelp)
		}
	default:
		fmt.Fprintf(w, "Unknown command: '%s'\n\n%s", cmd, masterCLIHelp)
	}
}

// showProc prints HAProxy 2.6's table: the master with its reload and
// failed-reload counts, the current worker, then workers still finishing
// after a reload.
func (m *master) showProc(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	fmt.Fprintf(w, "#%-14s %-15s %-15s %-15s %-15s\n", "<PID>", "<type>", "<reloads>", "<uptime>", "<version>")
	fmt.Fprintf(w, "%-15d %-15s %-15s %-15s %-15s\n", m.pid, "master",
		fmt.Sprintf("%d [failed: %d]", m.reloads, m.failed), uptime(now.Sub(m.started)), haproxy.Version)
	fmt.Fprintf(w, "# workers\n")
	for _, c := range m.workers {
		if !c.old {
			fmt.Fprintf(w, "%-15d %-15s %-15d %-15s %-15s\n", c.pid, "worker", c.reloads, uptime(now.Sub(c.started)), haproxy.Version)
		}
	}
	var olds []*child
	for _, c := range m.workers {
		if c.old {
			olds = append(olds, c)
		}
	}
	if len(olds) > 0 {
		fmt.Fprintf(w, "# old workers\n")
		for _, c := range olds {
			fmt.Fprintf(w, "%-15d %-15s %-15d %-15s %-15s\n", c.pid, "worker", c.reloads, uptime(now.Sub(c.started)), haproxy.Version)
		}
	}
	fmt.Fprintf(w, "# programs\n\n")
}

// uptime is HAProxy's "0d00h00m05s".
func uptime(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%dd%02dh%02dm%02ds", s/86400, s/3600%24, s/60%60, s%60)
}

// forward runs a command on a worker through the runtime API socket of
// the configuration (`stats socket`). Targets as HAProxy's master CLI:
// "1" is the current worker (the only relative pid it supports), "!PID" a
// worker by pid; "" and "0" are the master itself.
func (m *master) forward(w io.Writer, target, cmd string) {
	if target == "" || target == "0" {
		m.cliCommand(w, cmd)
		return
	}
	m.mu.Lock()
	found, current := false, false
	if strings.HasPrefix(target, "!") {
		pid, err := strconv.Atoi(target[1:])
		for _, c := range m.workers {
			if err == nil && c.pid == pid {
				found, current = true, !c.old
			}
		}
	} else if target == "1" && len(m.workers) > 0 {
		found, current = true, !m.workers[0].old
	}
	path := m.statsPath
	m.mu.Unlock()
	if !found {
		fmt.Fprintf(w, "Can't find the target PID matching the prefix '@%s'\n", target)
		return
	}
	// Only the current worker owns the stats socket; an old worker's
	// runtime API is out of reach.
	if !current || path == "" {
		fmt.Fprintf(w, "Can't connect to the target CLI!\n")
		return
	}
	c, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		fmt.Fprintf(w, "Can't connect to the target CLI!\n")
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	io.Copy(w, c)
}

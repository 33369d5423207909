package seedlab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goha-lb/goha/lab"
)

// Node is a lab host with private directories that its daemons see at the
// system paths the seed configs name.
type Node struct {
	*lab.Host
	Dir string // lab.Dir()/<host>: the private tree
	// mounts maps a system path to the private directory bound over it.
	mounts []mount
}

type mount struct{ src, dst string }

// Private directory names under Node.Dir and where they appear.
var lbMounts = []mount{
	{"run", "/run"}, // also /var/run, a symlink to /run on Debian
	{"var-lib-haproxy", "/var/lib/haproxy"},
	{"etc-keepalived", "/etc/keepalived"},
	{"etc-haproxy", "/etc/haproxy"},
}

var backendMounts = []mount{
	{"run", "/run"},
	{"etc-nginx", "/etc/nginx"},
	{"usr-share-nginx", "/usr/share/nginx"},
}

func newNode(h *lab.Host, root string, mounts []mount) (*Node, error) {
	n := &Node{Host: h, Dir: filepath.Join(root, h.Name)}
	for _, m := range mounts {
		src := filepath.Join(n.Dir, m.src)
		if err := os.MkdirAll(src, 0o755); err != nil {
			return nil, fmt.Errorf("seedlab: %w", err)
		}
		n.mounts = append(n.mounts, mount{src: src, dst: m.dst})
	}
	return n, nil
}

// Path is the real path of a system path inside the node's private tree
// (for reading pidfiles and writing configs from the outside); "" when
// the path is not private to the node.
func (n *Node) Path(sys string) string {
	sys = filepath.Clean(sys)
	if strings.HasPrefix(sys, "/var/run/") {
		sys = "/run/" + strings.TrimPrefix(sys, "/var/run/")
	}
	for _, m := range n.mounts {
		if sys == m.dst {
			return m.src
		}
		if rest, ok := strings.CutPrefix(sys, m.dst+"/"); ok {
			return filepath.Join(m.src, rest)
		}
	}
	return ""
}

// WriteFile writes a file at a system path inside the node's private tree.
func (n *Node) WriteFile(sys string, data []byte, mode os.FileMode) error {
	p := n.Path(sys)
	if p == "" {
		return fmt.Errorf("seedlab: %s: %s is not in the node's private tree", n.Name, sys)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, mode)
}

// PrivateArgv wraps argv so it runs in a new private mount namespace with
// the node's directories bound over their system paths. Mounts made there
// never propagate back to the host's (or the machine's) mount namespace.
func (n *Node) PrivateArgv(argv ...string) []string {
	var script strings.Builder
	script.WriteString("set -e\n")
	for _, m := range n.mounts {
		fmt.Fprintf(&script, "mount --bind %s %s\n", shellQuote(m.src), shellQuote(m.dst))
	}
	script.WriteString(`exec "$@"`)
	out := []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script.String(), "sh"}
	return append(out, argv...)
}

// StartPrivate starts argv inside the node's namespaces (see PrivateArgv).
// sh execs argv, so the Proc's PID is argv's.
func (n *Node) StartPrivate(argv ...string) (*lab.Proc, error) {
	return n.Start(n.PrivateArgv(argv...)...)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

package seedlab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Impl names the two daemons a load balancer runs.
type Impl struct {
	Name       string // "reference" or "goha"
	Keepalived string // command or path of the VRRP daemon
	Haproxy    string // command or path of the proxy
}

// Reference is Debian's keepalived and haproxy, found on PATH.
func Reference() Impl {
	return Impl{Name: "reference", Keepalived: "keepalived", Haproxy: "haproxy"}
}

// Goha is gokeepalived and gohaproxy from binDir (`make build` puts them
// in bin/).
func Goha(binDir string) Impl {
	return Impl{Name: "goha",
		Keepalived: filepath.Join(binDir, "gokeepalived"),
		Haproxy:    filepath.Join(binDir, "gohaproxy")}
}

// ImplByName resolves "reference" or "goha".
func ImplByName(name, binDir string) (Impl, error) {
	switch name {
	case "reference":
		return Reference(), nil
	case "goha":
		return Goha(binDir), nil
	}
	return Impl{}, fmt.Errorf("seedlab: unknown implementation %q (want goha or reference)", name)
}

// ErrNotWired is returned when a goha binary reports that its runtime is
// not wired yet (it only lints configs so far).
var ErrNotWired = errors.New("runtime not wired yet")

// notWiredMarker is what gokeepalived and gohaproxy print while they can
// only check configs.
const notWiredMarker = "not wired yet"

// check reports a missing binary before a lab is built around it.
func (i Impl) check() error {
	for _, b := range []string{i.Keepalived, i.Haproxy} {
		if strings.ContainsRune(b, '/') {
			if _, err := os.Stat(b); err != nil {
				return fmt.Errorf("seedlab: %s: %w (run `make build`)", i.Name, err)
			}
		}
	}
	return nil
}

// FindRoot walks up from the working directory to the repository root
// (the directory holding go.mod and testdata/seed).
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "testdata", "seed")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("seedlab: repository root (go.mod with testdata/seed) not found above the working directory")
		}
		dir = parent
	}
}

//go:build !cgo || !linux

package osslrsa

import "errors"

// linked: libcrypto is tried (cgo on Linux).
const linked = false

const (
	saltDigest = -1
	saltMax    = -3
)

type handle struct{}

func openLib() (string, error) {
	return "", errors.New("built without cgo: Go signs")
}

func loadKey([]byte) *handle { return nil }

func freeHandle(*handle) {}

func sign(*handle, bool, int, int, []byte, []byte) (int, bool) { return 0, false }

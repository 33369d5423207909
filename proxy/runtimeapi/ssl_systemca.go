package runtimeapi

import (
	"crypto/sha256"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
)

// systemCADir is OpenSSL's default certificate directory on Debian.
const systemCADir = "/etc/ssl/certs"

var (
	systemCAOnce sync.Once
	systemCAN    int
)

// systemCACount is the number of distinct certificates of the system
// directory, which HAProxy 2.6 loads as "@system-ca" and lists in
// `show ssl ca-file`.
func systemCACount() int {
	systemCAOnce.Do(func() {
		seen := map[[32]byte]bool{}
		ents, _ := os.ReadDir(systemCADir)
		for _, e := range ents {
			data, err := os.ReadFile(filepath.Join(systemCADir, e.Name()))
			if err != nil {
				continue
			}
			for rest := data; ; {
				var b *pem.Block
				if b, rest = pem.Decode(rest); b == nil {
					break
				}
				if b.Type == "CERTIFICATE" {
					seen[sha256.Sum256(b.Bytes)] = true
				}
			}
		}
		systemCAN = len(seen)
	})
	return systemCAN
}

package interop

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/goha-lb/goha/lab"
)

// SeedConf reads a seed config (testdata/seed/NAME) of the repository
// holding dir, unchanged.
func SeedConf(dir, name string) ([]byte, error) {
	root, err := repoRoot(dir)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(root, "testdata", "seed", name))
}

// V3 makes every instance of conf speak VRRPv3 (`version 3` after each
// advert_int line). Under vrrp_strict keepalived then also ignores the
// PASS authentication, as it does for v2.
func V3(conf []byte) []byte { return lab.InsertAfter(conf, "advert_int", "version 3") }

// IPv6 turns the seed's instance into an IPv6 one: the VIP becomes
// fd00:110::100/64, which makes keepalived speak VRRPv3 over IPv6 from
// the interface's link-local address to ff02::12.
func IPv6(conf []byte) []byte {
	return []byte(strings.ReplaceAll(string(conf), VIP+"/24", VIP6+"/64"))
}

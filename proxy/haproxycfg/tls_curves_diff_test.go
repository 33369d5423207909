package haproxycfg

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

const curvesConfig = crtBaseHead + `frontend fe
    bind B1 ssl crt a.pem curves P-384
    bind B2 ssl crt a.pem curves X25519:P-256
    bind B3 ssl crt a.pem ecdhe secp384r1
    http-request return status 200 content-type text/plain string ok
`

// sClientGroup runs openssl s_client offering only group (at the TLS
// version flag) and reports the key exchange group agreed, or refused.
func sClientGroup(addr, version, group string) string {
	out, err := sClientOut(addr, "", "-servername", "a.example.test", version, "-groups", group)
	if err != nil {
		return "refused"
	}
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "Server Temp Key: "); ok {
			return v
		}
	}
	return "no key line"
}

// TestCurvesDifferential: `curves` and `ecdhe` limit the key exchange
// groups as HAProxy 2.6 does, for TLS 1.2 and 1.3 clients offering one
// group each.
func TestCurvesDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	mk := func() ([4]string, string) {
		var b [4]string
		cfg := strings.ReplaceAll(curvesConfig, "PKIDIR", pki.Dir)
		for i := 1; i <= 3; i++ {
			b[i] = loopback.FreeAddr(t)
			cfg = strings.Replace(cfg, fmt.Sprintf("B%d ", i), b[i]+" ", 1)
		}
		return b, cfg
	}
	ha, cfg := mk()
	difftest.StartHAProxy(t, cfg, ha[1])
	goha, cfg := mk()
	runPlan(t, cfg)
	for i := 1; i <= 3; i++ {
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			for _, g := range []string{"X25519", "P-256", "P-384", "P-521"} {
				h, o := sClientGroup(ha[i], v, g), sClientGroup(goha[i], v, g)
				t.Logf("B%d %s %s: haproxy %s", i, v, g, h)
				if h != o {
					t.Errorf("B%d %s %s: haproxy %q, goha %q", i, v, g, h, o)
				}
			}
		}
	}
}

package tlsconf

import (
	"crypto/tls"
	"fmt"
)

// Versions is the protocol part of a bind's TLS settings: ssl-min-ver and
// ssl-max-ver ("" = unset), and the no-tlsv1x / force-tlsv1x flags, each
// keyed by its version ("TLSv1.0" ... "TLSv1.3").
type Versions struct {
	Min, Max string
	No       map[string]bool
	Force    map[string]bool
}

// versionOrder is HAProxy's method order; SSLv3 is not offered by Go.
var versionOrder = []struct {
	name string
	id   uint16
}{
	{"TLSv1.0", tls.VersionTLS10},
	{"TLSv1.1", tls.VersionTLS11},
	{"TLSv1.2", tls.VersionTLS12},
	{"TLSv1.3", tls.VersionTLS13},
}

// DefaultMin is HAProxy 2.6's default minimum on binds (since 2.2).
const DefaultMin = "TLSv1.2"

// Range resolves the settings to Go's [min, max] as HAProxy does: an
// explicit ssl-min-ver/ssl-max-ver wins over the no-* flags (HAProxy warns
// that it ignores them then), force-tlsv1x pins one version, and otherwise
// the range is the first contiguous run of versions not disabled, starting
// at the default minimum. warn is HAProxy's warning text ("" = none).
func (v Versions) Range() (lo, hi uint16, warn string, err error) {
	idx := func(name string) int {
		for i, o := range versionOrder {
			if o.name == name {
				return i
			}
		}
		return -1
	}
	if v.Min == "SSLv3" || v.Max == "SSLv3" || v.Force["SSLv3"] {
		return 0, 0, "", fmt.Errorf("SSLv3")
	}
	minI, maxI := idx(DefaultMin), len(versionOrder)-1
	disabled := make([]bool, len(versionOrder))
	forced := false
	for i, o := range versionOrder {
		if v.Force[o.name] {
			if !forced {
				minI, maxI = i, i
			} else {
				maxI = i // several force-* give the span, as HAProxy's min/max
			}
			forced = true
		}
	}
	if v.Min != "" || v.Max != "" {
		if len(v.No) > 0 {
			warn = "no-sslv3/no-tlsv1x are ignored. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."
		}
		if v.Min != "" {
			minI = idx(v.Min)
		} else if !forced {
			minI = idx(DefaultMin)
		}
		if v.Max != "" {
			maxI = idx(v.Max)
		}
	} else if !forced {
		for i, o := range versionOrder {
			disabled[i] = v.No[o.name]
		}
	}
	if minI < 0 || maxI < 0 || minI > maxI {
		return 0, 0, warn, fmt.Errorf("no usable TLS version (min %s, max %s)", v.Min, v.Max)
	}
	lo16, hi16 := uint16(0), uint16(0)
	for i := minI; i <= maxI; i++ {
		if disabled[i] {
			if lo16 != 0 {
				break // a hole ends the range
			}
			continue
		}
		if lo16 == 0 {
			lo16 = versionOrder[i].id
		}
		hi16 = versionOrder[i].id
	}
	if lo16 == 0 {
		return 0, 0, warn, fmt.Errorf("all TLS versions are disabled")
	}
	return lo16, hi16, warn, nil
}

// VersionName is HAProxy's name of a negotiated version (ssl_fc_protocol,
// %sslv).
func VersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return ""
}

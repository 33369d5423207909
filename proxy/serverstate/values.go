package serverstate

import (
	"fmt"
	"strings"
)

// HAProxy 2.6's operational states (enum srv_state).
const (
	OpStopped  = 0
	OpStarting = 1
	OpRunning  = 2
	OpStopping = 3
)

// HAProxy 2.6's admin flags (enum srv_admin) that a state file carries.
const (
	AdminForcedMaint  = 0x01
	AdminTrackMaint   = 0x02
	AdminConfigMaint  = 0x04
	AdminForcedDrain  = 0x08
	AdminTrackDrain   = 0x10
	AdminResolvMaint  = 0x20
	AdminFQDNChanged  = 0x40 // SRV_ADMF_HMAINT: the name was set on the CLI
	checkConfigured   = 0x02
	checkEnabled      = 0x04
	checkStateAllowed = 0x1f // INPROGRESS|CONFIGURED|ENABLED|PAUSED|AGENT
	maxWeight         = 256
	checkStatusCount  = 21 // HCHK_STATUS_SIZE in 2.6
	maxNameSize       = 255
)

// Values are a line's fields after HAProxy's validation, for the server
// the line names.
type Values struct {
	Addr        string // srv_addr, "" for "-"
	OpState     int
	Admin       int // with the inherited and resolution flags taken out
	FQDNChanged bool
	UWeight     int
	IWeight     int
	// SinceChange is srv_time_since_last_change, in seconds.
	SinceChange int64
	CheckStatus int
	CheckResult int
	CheckHealth int
	CheckState  int
	AgentState  int
	FQDN        string // "" for "-"
	Port        int    // -1: absent or invalid
	SRVRecord   string
	// UseSSL is srv_use_ssl: -1 when absent.
	UseSSL    int
	CheckPort string // "" for absent or "0"
	CheckAddr string // "" for absent or "-"
	AgentAddr string
	AgentPort string
}

// CheckDisabled says the old process had `disable health` on a configured
// check: the only check state HAProxy carries over.
func (v Values) CheckDisabled() bool {
	return v.CheckState&checkConfigured != 0 && v.CheckState&checkEnabled == 0
}

// AgentDisabled is CheckDisabled for the agent (`disable agent`).
func (v Values) AgentDisabled() bool {
	return v.AgentState&checkConfigured != 0 && v.AgentState&checkEnabled == 0
}

// Validate reads the fields after the server's name as HAProxy's
// srv_state_srv_update does. errs is HAProxy's list of complaints (", invalid
// srv_op_state value '9'", ...); when it is not empty nothing of the line
// applies and HAProxy warns "server-state application failed for server".
func Validate(l Line) (v Values, errs string) {
	p := func(i int) string {
		if 4+i < len(l.Fields) {
			return l.Fields[4+i]
		}
		return ""
	}
	has := func(i int) bool { return 4+i < len(l.Fields) }
	var b strings.Builder
	bad := func(name string, i int) { fmt.Fprintf(&b, ", invalid %s value '%s'", name, p(i)) }
	num := func(i int) (int64, bool) {
		n, _, ok := strtol(p(i))
		return n, ok
	}
	if p(0) != "-" {
		v.Addr = p(0)
	}
	if n, ok := num(1); !ok || n < OpStopped || n > OpStopping {
		bad("srv_op_state", 1)
	} else {
		v.OpState = int(n)
	}
	n, ok := num(2)
	v.FQDNChanged = n&AdminFQDNChanged != 0
	n &^= AdminTrackDrain | AdminTrackMaint | AdminResolvMaint | AdminFQDNChanged
	switch n {
	case 0, AdminForcedMaint, AdminConfigMaint, AdminConfigMaint | AdminForcedMaint, AdminConfigMaint | AdminForcedDrain, AdminForcedDrain:
	default:
		ok = false
	}
	if !ok {
		bad("srv_admin_state", 2)
	}
	v.Admin = int(n)
	if n, ok := num(3); !ok || uint64(n) > maxWeight {
		bad("srv_uweight", 3)
	} else {
		v.UWeight = int(n)
	}
	if n, ok := num(4); !ok || uint64(n) > maxWeight {
		bad("srv_iweight", 4)
	} else {
		v.IWeight = int(n)
	}
	if n, ok := num(5); !ok {
		bad("srv_last_time_change", 5)
	} else {
		v.SinceChange = n
	}
	// short in HAProxy: the value wraps before the range check
	if n, ok := num(6); !ok || int16(n) >= checkStatusCount {
		bad("srv_check_status", 6)
	} else {
		v.CheckStatus = int(int16(n))
	}
	if n, ok := num(7); !ok || n < 0 || n > 4 {
		bad("srv_check_result", 7)
	} else {
		v.CheckResult = int(n)
	}
	if n, ok := num(8); !ok {
		bad("srv_check_health", 8)
	} else {
		v.CheckHealth = int(int32(n))
	}
	if n, ok := num(9); !ok || n&^checkStateAllowed != 0 {
		bad("srv_check_state", 9)
	} else {
		v.CheckState = int(n)
	}
	if n, ok := num(10); !ok || n&^checkStateAllowed != 0 {
		bad("srv_agent_state", 10)
	} else {
		v.AgentState = int(n)
	}
	if n, ok := num(11); !ok || (n != 0 && n != 1) {
		bad("bk_f_forced_id", 11)
	}
	if n, ok := num(12); !ok || (n != 0 && n != 1) {
		bad("srv_f_forced_id", 12)
	}
	if f := p(13); f != "" && f[0] != '-' {
		if len(f) > maxNameSize || !domainChars(f) {
			bad("srv_fqdn", 13)
		} else {
			v.FQDN = f
		}
	}
	v.Port = -1
	if has(14) {
		// strl2uic: digits up to the first other byte, no sign
		port := uint64(0)
		for i := 0; i < len(p(14)) && p(14)[i] >= '0' && p(14)[i] <= '9'; i++ {
			port = port*10 + uint64(p(14)[i]-'0')
			if port > 1<<32 {
				break
			}
		}
		if port > 65535 {
			bad("srv_port", 14)
		} else {
			v.Port = int(port)
		}
	}
	if r := p(15); strings.HasPrefix(r, "_") {
		v.SRVRecord = r
	}
	v.UseSSL = -1
	if has(16) {
		n, _, _ := strtol(p(16)) // not checked by HAProxy either
		v.UseSSL = int(n)
	}
	if c := p(17); c != "" && c != "0" {
		v.CheckPort = c
	}
	if a := p(18); a != "" && a != "-" {
		v.CheckAddr = a
	}
	if a := p(19); a != "" && a != "-" {
		v.AgentAddr = a
	}
	if c := p(20); c != "" && c != "0" {
		v.AgentPort = c
	}
	return v, b.String()
}

// domainChars is HAProxy's check of a domain name: letters, digits, '-',
// '_' and '.'.
func domainChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

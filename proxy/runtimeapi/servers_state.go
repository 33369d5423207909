package runtimeapi

import (
	"cmp"
	"fmt"
	"net"
	"strconv"
	"strings"
)

const serversStateHeader = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"

// HAProxy's numeric codes used by `show servers state` (the format
// server-state-file reads back).
const (
	adminForcedMaint = 0x01 // disable server / state maint
	adminTrackMaint  = 0x02 // passed on by the tracked server (SRV_ADMF_IMAINT)
	adminConfigMaint = 0x04 // `disabled` in the configuration
	adminForcedDrain = 0x08 // state drain
	adminTrackDrain  = 0x10 // passed on by the tracked server (SRV_ADMF_IDRAIN)
	adminResolvMaint = 0x20 // no address from the resolvers (SRV_ADMF_RMAINT)
	adminHostMaint   = 0x40 // name set by an SRV record (SRV_ADMF_HMAINT)

	checkStateRunning    = 0x01 // CHK_ST_INPROGRESS
	checkStateConfigured = 0x02
	checkStateEnabled    = 0x04
	checkStatePaused     = 0x08
	checkStateAgent      = 0x10
)

// checkStatusCodes maps check_status strings to enum healthcheck_status.
var checkStatusCodes = map[string]int{
	"UNK": 0, "INI": 1, "START": 2, "HANA": 4, "SOCKERR": 5, "L4OK": 6, "L4TOUT": 7,
	"L4CON": 8, "L6OK": 9, "L6TOUT": 10, "L6RSP": 11, "L7TOUT": 12, "L7RSP": 13,
	"L7OK": 15, "L7OKC": 16, "L7STS": 17, "PROCERR": 18, "PROCTOUT": 19, "PROCOK": 20,
}

// check results: CHK_RES_UNKNOWN, NEUTRAL, FAILED, PASSED, CONDPASS.
func checkResult(status string) int {
	switch status {
	case "L4OK", "L6OK", "L7OK", "PROCOK":
		return 3
	case "L7OKC":
		return 4
	case "", "UNK", "INI", "START":
		return 0
	}
	return 2
}

func serverStateLine(px *Proxy, sv *Server) string {
	host, port, err := net.SplitHostPort(sv.Addr)
	if err != nil {
		host, port = sv.Addr, "0"
	}
	if n, err := strconv.Atoi(port); err == nil && n < 0 {
		port = strconv.FormatUint(uint64(uint32(n)), 10) // a -N port offset, as HAProxy's unsigned field shows it
	}
	op := 0
	if host == "" {
		host = "-" // no address yet (init-addr none, resolution pending)
	}
	if sv.Up && !sv.Maint && !sv.ResolvMaint {
		op = 2
		switch {
		case sv.Stopping:
			op = 3 // SRV_ST_STOPPING
		case sv.Warm > 0:
			op = 1 // SRV_ST_STARTING: in its slow start
		}
	}
	admin := 0
	switch {
	case sv.Maint && sv.MaintVia != "":
		admin |= adminTrackMaint
		if sv.MaintForced {
			admin |= adminForcedMaint
		}
	case sv.Maint:
		admin |= adminForcedMaint
	}
	if sv.ConfigDisabled {
		// HAProxy 2.6 keeps the configured-maintenance bit of a
		// `disabled` server after `enable server` (it only clears the
		// forced one), and reports its check as paused.
		admin |= adminConfigMaint
	}
	switch {
	case sv.Drain && sv.DrainInherited:
		admin |= adminTrackDrain
	case sv.Drain:
		admin |= adminForcedDrain
	}
	if sv.ResolvMaint {
		admin |= adminResolvMaint
	}
	healthy := (op == 2 || op == 1) && admin == 0
	if sv.SRVNamed {
		admin |= adminHostMaint // not a maintenance: the server still serves
	}
	status, result, health, state := 1, 0, 0, 0
	if ck := sv.Check; ck != nil {
		status = checkStatusCodes[ck.Status]
		result = checkResult(ck.Status)
		health = ck.Health
		state = checkStateConfigured | checkStateEnabled
		if (sv.Maint || sv.ResolvMaint) && !ck.RunsInMaint {
			// maintenance pauses the check and empties its health
			// (checked against HAProxy 2.6: `disabled` and `disable
			// server`); a check under way then moves it when it ends
			// (check.Runner: Health is what it shows in maintenance)
			state |= checkStatePaused
		}
		if ck.Running {
			state |= checkStateRunning
			result = 0 // CHK_RES_UNKNOWN until it ends
		}
	} else if ck := sv.CheckOff; ck != nil {
		// a check turned off keeps its last result
		status, result, health = checkStatusCodes[ck.Status], checkResult(ck.Status), ck.Health
		state = checkStateConfigured
	} else if sv.UncheckedHealth != nil {
		health = *sv.UncheckedHealth
	} else if healthy || sv.Tracked != "" || !sv.ConfigDisabled && !sv.Maint && !sv.ResolvMaint {
		// the configured rise, where an unchecked server sits whatever
		// its agent or the tracked server make of its state, drained or
		// not (HAProxy 2.6.12)
		health = cmp.Or(sv.UncheckedRise, 2)
	}
	if sv.ConfigDisabled && sv.Check == nil {
		state |= checkStatePaused // kept after `enable server` when there is no check
	}
	// without an agent, AgentAddr and AgentPort may still hold what the
	// server's `addr` and `port` set for both checks
	agentState, agentAddr, agentPort := 0, "-", sv.AgentPort
	if sv.AgentAddr != "" {
		agentAddr = sv.AgentAddr
	}
	if sv.AgentOff {
		agentState = checkStateConfigured | checkStateAgent
	}
	if sv.Agent != nil {
		agentState = checkStateConfigured | checkStateEnabled | checkStateAgent
		if sv.Agent.Running {
			agentState |= checkStateRunning
		}
	}
	checkAddr := "-"
	if sv.CheckAddr != "" {
		checkAddr = sv.CheckAddr
	}
	fqdn := "-"
	if sv.FQDN != "" {
		fqdn = sv.FQDN
	}
	forced := 0
	if sv.ForcedID {
		forced = 1
	}
	srvRecord := "-"
	if sv.SRVRecord != "" {
		srvRecord = sv.SRVRecord
	}
	useSSL := 0
	if sv.UseSSL {
		useSSL = 1
	}
	return fmt.Sprintf("%d %s %d %s %s %d %d %d %d %d %d %d %d %d %d 0 %d %s %s %s %d %d %s %s %d\n",
		px.id(), px.Name, sv.ID, sv.Name, host, op, admin, sv.Weight, sv.InitialWeight,
		secs(sv.LastChange), status, result, health, state, agentState, forced, fqdn, port, srvRecord, useSSL, sv.CheckPort, checkAddr, agentAddr, agentPort)
}

// FormatServersState renders `show servers state [backend]`; ok is false
// when the named backend does not exist.
func FormatServersState(proxies []Proxy, backend string) (string, bool) {
	var b strings.Builder
	b.WriteString(serversStateHeader)
	found := backend == ""
	for i := range proxies {
		px := &proxies[i]
		px.defaultID(i)
		if px.Backend == nil || (backend != "" && px.Name != backend) {
			continue
		}
		found = true
		for j := range px.Backend.Servers {
			b.WriteString(serverStateLine(px, &px.Backend.Servers[j]))
		}
	}
	return b.String(), found
}

func cmdShowServersState(s *Session, args []string) string {
	be := ""
	if len(args) > 3 {
		be = args[3]
	}
	out, ok := FormatServersState(s.src.Stats(), be)
	if !ok {
		return "Can't find backend.\n"
	}
	return out
}

// CheckStatusName is the name of HAProxy's check status code (the
// srv_check_status of a state file); "" for a code it does not know.
func CheckStatusName(code int) string {
	for name, c := range checkStatusCodes {
		if c == code {
			return name
		}
	}
	return ""
}

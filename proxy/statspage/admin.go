package statspage

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// actionSelect is the admin form's action list, HAProxy 2.6's.
const actionSelect = `Choose the action to perform on the checked servers : <select name=action><option value=""></option><option value="ready">Set state to READY</option><option value="drain">Set state to DRAIN</option><option value="maint">Set state to MAINT</option><option value="dhlth">Health: disable checks</option><option value="ehlth">Health: enable checks</option><option value="hrunn">Health: force UP</option><option value="hnolb">Health: force NOLB</option><option value="hdown">Health: force DOWN</option><option value="dagent">Agent: disable checks</option><option value="eagent">Agent: enable checks</option><option value="arunn">Agent: force UP</option><option value="adown">Agent: force DOWN</option><option value="shutdown">Kill Sessions</option></select>`

func (v *view) adminCell() string {
	if v.admin {
		return "<td></td>"
	}
	return ""
}

// AdminSource is a Source whose servers the admin form can change
// (runtimeapi.Source is one).
type AdminSource interface {
	Source
	SetServerState(backend, server string, state runtimeapi.AdminState) error
}

// The outcomes of an admin POST, carried by the redirect as ";st=<code>".
var statusMessages = map[string]struct{ class, text string }{
	"DONE": {"active_up", "Action processed successfully."},
	"NONE": {"active_going_down", "Nothing has changed."},
	"PART": {"active_going_down", "Action partially processed.<br>Some server names are probably unknown or ambiguous (duplicated names in the backend)."},
	"ERRP": {"active_down", "Action not processed because of invalid parameters.<ul><li>The action is maybe unknown.</li><li>The backend name is probably unknown or ambiguous (duplicated names).</li><li>Some server names are probably unknown or ambiguous (duplicated names in the backend).</li></ul>"},
	"EXCD": {"active_down", "<b>Action not processed : the buffer couldn't store all the data.<br>You should retry with less servers at a time.</b>"},
	"DENY": {"active_down", "<b>Action denied.</b>"},
}

// writeStatusMessage writes the banner of a ";st=<code>" page.
func writeStatusMessage(b *strings.Builder, v *view, code string) {
	m, ok := statusMessages[code]
	if !ok {
		m = struct{ class, text string }{"active_no_check", "Unexpected result."}
	}
	fmt.Fprintf(b, "<p><div class=%s><a class=lfsb href=\"%s%s%s%s\" title=\"Remove this message\">[X]</a> %s</div>\n<p>\n",
		m.class, v.opt.uri(), v.upFlag(), v.noRefreshFlag(), v.scopeTxt(), m.text)
}

// adminStates are the form's state actions; health and agent forcing,
// disabling or enabling checks and killing sessions go through a
// HealthSource (admin_force.go); the legacy names are refused.
var adminStates = map[string]runtimeapi.AdminState{
	"ready": runtimeapi.StateReady, "drain": runtimeapi.StateDrain, "maint": runtimeapi.StateMaint,
}

// knownActions are every action HAProxy's form handler accepts.
var knownActions = map[string]bool{
	"ready": true, "drain": true, "maint": true, "shutdown": true, "dhlth": true, "ehlth": true, "hrunn": true,
	"hnolb": true, "hdown": true, "dagent": true, "eagent": true, "arunn": true, "adown": true,
	"disable": true, "enable": true, "stop": true, "start": true,
}

// post applies an admin form and returns the ";st=" code, or "" when
// the action is one goha does not perform (the caller refuses it).
func post(admin bool, body []byte, src Source) string {
	if !admin {
		return "DENY"
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "ERRP"
	}
	last := func(k string) string {
		vs := form[k]
		if len(vs) == 0 {
			return ""
		}
		return vs[len(vs)-1]
	}
	as, ok := src.(AdminSource)
	if !ok {
		return ""
	}
	backend, found := findBackend(src.Stats(), last("b"))
	if !found {
		return "ERRP"
	}
	action := last("action")
	if !knownActions[action] {
		return "ERRP"
	}
	apply := func(name string) (counted, altered bool) {
		return true, as.SetServerState(backend.Name, name, adminStates[action]) == nil
	}
	if _, ok := adminStates[action]; !ok {
		if apply = forceAction(src, backend.Name, action); apply == nil {
			return ""
		}
	}
	servers := form["s"]
	if len(servers) == 0 {
		return "NONE"
	}
	altered, total := 0, 0
	// HAProxy reads the form from its end: the last server first
	for i := len(servers) - 1; i >= 0; i-- {
		name := servers[i]
		if !hasServer(backend, name) {
			total++
			continue
		}
		counted, ok := apply(name)
		if counted {
			total++
		}
		if ok {
			altered++
		}
	}
	switch {
	case total == 0:
		return "NONE" // an agent action on servers without agent
	case altered == total:
		return "DONE"
	case altered == 0:
		return "ERRP"
	}
	return "PART"
}

// findBackend resolves the form's "b": a backend name, or "#<id>" as the
// form's hidden field gives it.
func findBackend(all []runtimeapi.Proxy, b string) (*runtimeapi.Proxy, bool) {
	for i := range all {
		p := &all[i]
		id := p.ID
		if id == 0 {
			id = i + 2
		}
		if p.Backend != nil && (p.Name == b || b == "#"+strconv.Itoa(id)) {
			return p, true
		}
	}
	return nil, false
}

func hasServer(p *runtimeapi.Proxy, name string) bool {
	for _, sv := range p.Backend.Servers {
		if sv.Name == name {
			return true
		}
	}
	return false
}

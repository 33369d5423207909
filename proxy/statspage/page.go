package statspage

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// renderHTML draws the whole HTML report from `show info` data and the
// `show stat` CSV (`show stat up` for ";up": the same rows HAProxy keeps,
// and its "UP (n/m)" backend status).
func renderHTML(v *view, in *runtimeapi.Info, statCSV string) string {
	var b strings.Builder
	writeHead(&b, v, in)
	writeInfo(&b, v, in)
	rows := parseStat(statCSV)
	for start := 0; start < len(rows); {
		end := start
		for end < len(rows) && rows[end].str("pxname") == rows[start].str("pxname") {
			end++
		}
		group := rows[start:end]
		start = end
		if !v.inScope(group[0].str("pxname")) {
			continue
		}
		px := proxyOf(group)
		writeProxyHeader(&b, v, px)
		for _, f := range group {
			switch f.str("svname") {
			case "FRONTEND":
				writeFrontend(&b, v, f)
			case "BACKEND":
				writeBackend(&b, v, f)
			default:
				writeServer(&b, v, f)
			}
		}
		if v.admin && px.servers {
			fmt.Fprintf(&b, "</table>%s<input type=\"hidden\" name=\"b\" value=\"#%d\">&nbsp;<input type=\"submit\" value=\"Apply\"></form><p>\n", actionSelect, px.id)
		} else {
			b.WriteString("</table><p>\n")
		}
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// proxyOf describes a proxy from its rows.
func proxyOf(group []fields) proxyInfo {
	fe, be, servers := false, false, false
	for _, f := range group {
		fe = fe || f.str("svname") == "FRONTEND"
		be = be || f.str("svname") == "BACKEND"
		servers = servers || f.str("type") == "2"
	}
	cap := "backend"
	switch {
	case fe && be:
		cap = "proxy"
	case fe:
		cap = "frontend"
	}
	return proxyInfo{name: group[0].str("pxname"), cap: cap, mode: group[0].str("mode"), id: group[0].num("iid"), servers: servers}
}

// inScope applies `stats scope` (the configured list; "." is the proxy
// serving the page) and the form's scope text (a case-insensitive
// substring of the proxy name).
func (v *view) inScope(name string) bool {
	if len(v.opt.Scope) > 0 {
		ok := false
		for _, s := range v.opt.Scope {
			if s == name || (s == "." && name == v.opt.Self) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return v.scope == "" || strings.Contains(strings.ToLower(name), strings.ToLower(v.scope))
}

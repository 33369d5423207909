package statspage

import (
	"fmt"
	"strings"
	"unicode"
)

// serverStyle picks the row colour from the status text, health and
// weight, as HAProxy does: NOLB and DRAIN must not share a colour, so the
// mapping is not one to one.
func serverStyle(f fields) string {
	st := f.str("status")
	switch {
	case strings.HasPrefix(st, "MAINT"):
		return "maintain"
	case st == "DOWN" || st == "DOWN (agent)":
		return kind(f) + "_down"
	case strings.HasPrefix(st, "DOWN "):
		return kind(f) + "_going_up"
	case strings.HasPrefix(st, "DRAIN"):
		return kind(f) + "_draining"
	case strings.HasPrefix(st, "NOLB "):
		return kind(f) + "_going_down"
	case st == "NOLB":
		return kind(f) + "_nolb"
	case st == "no check":
		return kind(f) + "_no_check"
	case !f.has("chkfail") || f.u32("check_health") == f.u32("check_rise")+f.u32("check_fall")-1:
		if f.num("weight") != 0 {
			return kind(f) + "_up"
		}
		return kind(f) + "_draining"
	}
	return kind(f) + "_going_down"
}

func kind(f fields) string {
	if f.num("bck") != 0 {
		return "backup"
	}
	return "active"
}

// writeServer writes a server row.
func writeServer(b *strings.Builder, v *view, f fields) {
	px, sv := f.str("pxname"), f.str("svname")
	fmt.Fprintf(b, "<tr class=\"%s\">", serverStyle(f))
	if v.admin {
		fmt.Fprintf(b, "<td><input class='%s-checkbox' type=\"checkbox\" name=\"s\" value=\"%s\"></td>", px, sv)
	}
	fmt.Fprintf(b, "<td class=ac><a name=\"%s/%s\"></a>", px, sv)
	if v.opt.ShowLegends {
		b.WriteString("<u>")
	}
	fmt.Fprintf(b, "<a class=lfsb href=\"#%s/%s\">%s</a>", px, sv, sv)
	if v.opt.ShowLegends {
		b.WriteString("<div class=tips>")
		addr := f.str("addr")
		switch {
		case addr != "" && unicode.IsDigit(rune(addr[0])):
			b.WriteString("IPv4: " + addr + ", ")
		case strings.HasPrefix(addr, "["):
			b.WriteString("IPv6: " + addr + ", ")
		case addr != "":
			b.WriteString(addr + ", ")
		}
		fmt.Fprintf(b, "id: %d", f.num("sid"))
		if f.has("cookie") {
			b.WriteString(", cookie: '" + htmlEncode(f.str("cookie")) + "'")
		}
		b.WriteString("</div></u>")
	}
	fmt.Fprintf(b, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td></td>",
		u2h(f.num("qcur")), u2h(f.num("qmax")), lim2a(f.num("qlimit")), u2h(f.num("rate")), u2h(f.num("rate_max")))
	idleLim := "-"
	if f.has("srv_ilim") {
		idleLim = u2h(f.num("srv_ilim"))
	}
	fmt.Fprintf(b, "<td><u>%s<div class=tips><table class=det><tr><th>Current active connections:</th><td>%s</td></tr><tr><th>Current used connections:</th><td>%s</td></tr><tr><th>Current idle connections:</th><td>%s</td></tr><tr><th>- unsafe:</th><td>%s</td></tr><tr><th>- safe:</th><td>%s</td></tr><tr><th>Estimated need of connections:</th><td>%s</td></tr><tr><th>Active connections limit:</th><td>%s</td></tr><tr><th>Idle connections limit:</th><td>%s</td></tr></table></div></u></td><td>%s</td><td>%s</td><td><u>%s<div class=tips><table class=det><tr><th>Cum. sessions:</th><td>%s</td></tr>",
		u2h(f.num("scur")), u2h(f.num("scur")), u2h(f.num("used_conn_cur")), u2h(f.num("srv_icur")), u2h(f.num("idle_conn_cur")), u2h(f.num("safe_conn_cur")),
		u2h(f.num("need_conn_est")), lim2a(f.num("slim")), idleLim, u2h(f.num("smax")), lim2a(f.num("slim")), u2h(f.num("stot")), u2h(f.num("stot")))
	if isHTTP(f) {
		req := f.num("req_tot")
		fmt.Fprintf(b, "<tr><th>New connections:</th><td>%s</td></tr><tr><th>Reused connections:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>Cum. HTTP requests:</th><td>%s</td></tr>",
			u2h(f.num("connect")), u2h(f.num("reuse")), pct(f.num("reuse"), f.num("connect")+f.num("reuse")), u2h(req))
		for _, c := range [][2]string{{"1xx", "hrsp_1xx"}, {"2xx", "hrsp_2xx"}, {"3xx", "hrsp_3xx"}, {"4xx", "hrsp_4xx"}, {"5xx", "hrsp_5xx"}} {
			fmt.Fprintf(b, "<tr><th>- HTTP %s responses:</th><td>%s</td><td>(%d%%)</td></tr>", c[0], u2h(f.num(c[1])), pct(f.num(c[1]), req))
		}
		fmt.Fprintf(b, "<tr><th>- other responses:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>Failed hdr rewrites:</th><td>%s</td></tr><tr><th>Internal error:</th><td>%s</td></tr>",
			u2h(f.num("hrsp_other")), pct(f.num("hrsp_other"), req), u2h(f.num("wrew")), u2h(f.num("eint")))
	}
	writeTimes(b, f)
	fmt.Fprintf(b, "</table></div></u></td><td>%s</td><td>%s</td>", u2h(f.num("lbtot")), humanTime(f.num("lastsess")))
	fmt.Fprintf(b, "<td>%s</td><td>%s</td><td></td><td>%s</td><td></td><td>%s</td><td><u>%s<div class=tips>Connection resets during transfers: %d client, %d server</div></u></td><td>%d</td><td>%d</td>",
		u2h(f.num("bin")), u2h(f.num("bout")), u2h(f.num("dresp")), u2h(f.num("econ")), u2h(f.num("eresp")),
		f.num("cli_abrt"), f.num("srv_abrt"), f.num("wretr"), f.num("wredis"))
	b.WriteString("<td class=ac>")
	writeServerStatus(b, f)
	writeLastCheck(b, f)
	weightFlags(b, f)
	b.WriteString("</tr>\n")
}

// writeServerStatus writes the status cell's text: the time since the
// last change and the state, with an arrow while the health moves.
func writeServerStatus(b *strings.Builder, f fields) {
	st := f.str("status")
	switch {
	case strings.HasPrefix(st, "MAINT"):
		b.WriteString(humanTime(f.num("lastchg")) + " MAINT")
	case st == "no check":
		b.WriteString("<i>no check</i>")
	default:
		b.WriteString(humanTime(f.num("lastchg")) + " " + st)
		health, top := f.u32("check_health"), f.u32("check_rise")+f.u32("check_fall")-1
		if strings.HasPrefix(st, "DOWN") {
			if health != 0 {
				b.WriteString(" &uarr;")
			}
		} else if health < top {
			b.WriteString(" &darr;")
		}
	}
}

// writeLastCheck closes the status cell and writes LastChk: the check
// status, code and duration, with the description and detail as tooltip.
func writeLastCheck(b *strings.Builder, f fields) {
	if !f.has("check_status") {
		b.WriteString("</td><td>")
		return
	}
	b.WriteString("</td><td class=ac><u> " + f.str("check_status"))
	if f.has("check_code") {
		fmt.Fprintf(b, "/%d", f.num("check_code"))
	}
	if f.has("check_duration") {
		fmt.Fprintf(b, " in %dms", f.num("check_duration"))
	}
	b.WriteString("<div class=tips>" + f.str("check_desc"))
	if f.has("last_chk") {
		b.WriteString(": " + htmlEncode(f.str("last_chk")))
	}
	b.WriteString("</div></u>")
}

// weightFlags writes weight, act/bck, the check failure cells and throttle.
func weightFlags(b *strings.Builder, f fields) {
	act, bck := "Y", "-"
	if f.num("bck") != 0 {
		act, bck = "-", "Y"
	}
	fmt.Fprintf(b, "</td><td class=ac>%d/%d</td><td class=ac>%s</td><td class=ac>%s</td>", f.num("weight"), f.num("uweight"), act, bck)
	switch {
	case f.str("status") == "MAINT (resolution)":
		b.WriteString("<td class=ac colspan=3>resolution</td>")
	case f.has("chkfail"):
		fmt.Fprintf(b, "<td><u>%d<div class=tips>Failed Health Checks</div></u></td><td>%d</td><td>%s</td>",
			f.num("chkfail"), f.num("chkdown"), humanTime(f.num("downtime")))
	case f.str("status") != "MAINT" && f.has("tracked"):
		fmt.Fprintf(b, "<td class=ac colspan=3><a class=lfsb href=\"#%s\">via %s</a></td>", f.str("tracked"), f.str("tracked"))
	default:
		b.WriteString("<td colspan=3></td>")
	}
	if f.has("throttle") {
		fmt.Fprintf(b, "<td class=ac>%d %%</td>\n", f.num("throttle"))
	} else {
		b.WriteString("<td class=ac>-</td>")
	}
}

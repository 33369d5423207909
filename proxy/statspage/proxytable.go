package statspage

import (
	"fmt"
	"strings"
)

// columnHeads are the two header rows of every proxy table (after the
// first cell of the first row).
const columnHeads = `<th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th><th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>
<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th>
</tr>`

// proxyInfo is what the page header of a proxy says beside its rows.
type proxyInfo struct {
	name    string
	cap     string // "proxy" (listen), "frontend", "backend"
	mode    string
	id      int64
	servers bool // has server rows: the admin form applies
}

// writeProxyHeader writes the proxy name bar and the column heads.
func writeProxyHeader(b *strings.Builder, v *view, px proxyInfo) {
	if v.admin && px.servers {
		b.WriteString("<form method=\"post\">")
	}
	fmt.Fprintf(b, "<table class=\"tbl\" width=\"100%%\">\n<tr class=\"titre\"><th class=\"pxname\" width=\"10%%\"><a name=\"%s\"></a>", px.name)
	if v.opt.ShowLegends {
		fmt.Fprintf(b, "<u><a class=px href=\"#%s\">%s</a><div class=tips>cap: %s, mode: %s, id: %d</div></u>", px.name, px.name, px.cap, px.mode, px.id)
	} else {
		fmt.Fprintf(b, "<a class=px href=\"#%s\">%s</a>", px.name, px.name)
	}
	b.WriteString("</th><th class=\"empty\" width=\"90%\"></th></tr>\n</table>\n<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\">")
	if v.admin && !px.servers {
		b.WriteString("<th rowspan=2></th>") // the rows' empty admin cell
	}
	if v.admin && px.servers {
		// The select-all box of the server checkboxes.
		fmt.Fprintf(b, "<th rowspan=2 width=1><input type=\"checkbox\" onclick=\"for(c in document.getElementsByClassName('%s-checkbox')) document.getElementsByClassName('%s-checkbox').item(c).checked = this.checked\"></th>", px.name, px.name)
	}
	b.WriteString(columnHeads)
}

func isHTTP(f fields) bool { return f.str("mode") == "http" }

// writeFrontend writes a FRONTEND row.
func writeFrontend(b *strings.Builder, v *view, f fields) {
	px := f.str("pxname")
	fmt.Fprintf(b, "<tr class=\"frontend\">%s<td class=ac><a name=\"%s/Frontend\"></a><a class=lfsb href=\"#%s/Frontend\">Frontend</a></td><td colspan=3></td>", v.adminCell(), px, px)
	fmt.Fprintf(b, "<td><u>%s<div class=tips><table class=det><tr><th>Current connection rate:</th><td>%s/s</td></tr><tr><th>Current session rate:</th><td>%s/s</td></tr>",
		u2h(f.num("rate")), u2h(f.num("conn_rate")), u2h(f.num("rate")))
	if isHTTP(f) {
		fmt.Fprintf(b, "<tr><th>Current request rate:</th><td>%s/s</td></tr>", u2h(f.num("req_rate")))
	}
	fmt.Fprintf(b, "</table></div></u></td><td><u>%s<div class=tips><table class=det><tr><th>Max connection rate:</th><td>%s/s</td></tr><tr><th>Max session rate:</th><td>%s/s</td></tr>",
		u2h(f.num("rate_max")), u2h(f.num("conn_rate_max")), u2h(f.num("rate_max")))
	if isHTTP(f) {
		fmt.Fprintf(b, "<tr><th>Max request rate:</th><td>%s/s</td></tr>", u2h(f.num("req_rate_max")))
	}
	fmt.Fprintf(b, "</table></div></u></td><td>%s</td>", lim2a(f.num("rate_lim")))
	fmt.Fprintf(b, "<td>%s</td><td>%s</td><td>%s</td><td><u>%s<div class=tips><table class=det><tr><th>Cum. connections:</th><td>%s</td></tr><tr><th>Cum. sessions:</th><td>%s</td></tr>",
		u2h(f.num("scur")), u2h(f.num("smax")), u2h(f.num("slim")), u2h(f.num("stot")), u2h(f.num("conn_tot")), u2h(f.num("stot")))
	if isHTTP(f) {
		fmt.Fprintf(b, "<tr><th>Cum. HTTP requests:</th><td>%s</td></tr><tr><th>- HTTP 1xx responses:</th><td>%s</td></tr><tr><th>- HTTP 2xx responses:</th><td>%s</td></tr><tr><th>&nbsp;&nbsp;Compressed 2xx:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>- HTTP 3xx responses:</th><td>%s</td></tr><tr><th>- HTTP 4xx responses:</th><td>%s</td></tr><tr><th>- HTTP 5xx responses:</th><td>%s</td></tr><tr><th>- other responses:</th><td>%s</td></tr><tr><th>Intercepted requests:</th><td>%s</td></tr><tr><th>Cache lookups:</th><td>%s</td></tr><tr><th>Cache hits:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>Failed hdr rewrites:</th><td>%s</td></tr><tr><th>Internal errors:</th><td>%s</td></tr>",
			u2h(f.num("req_tot")), u2h(f.num("hrsp_1xx")), u2h(f.num("hrsp_2xx")), u2h(f.num("comp_rsp")), pct(f.num("comp_rsp"), f.num("hrsp_2xx")),
			u2h(f.num("hrsp_3xx")), u2h(f.num("hrsp_4xx")), u2h(f.num("hrsp_5xx")), u2h(f.num("hrsp_other")), u2h(f.num("intercepted")),
			u2h(f.num("cache_lookups")), u2h(f.num("cache_hits")), pct(f.num("cache_hits"), f.num("cache_lookups")), u2h(f.num("wrew")), u2h(f.num("eint")))
	}
	fmt.Fprintf(b, "</table></div></u></td><td></td><td></td><td>%s</td>", u2h(f.num("bin")))
	writeBytesOut(b, f)
	fmt.Fprintf(b, "<td>%s</td><td>%s</td><td>%s</td><td></td><td></td><td></td><td></td><td class=ac>%s</td><td class=ac colspan=8></td></tr>",
		u2h(f.num("dreq")), u2h(f.num("dresp")), u2h(f.num("ereq")), f.str("status"))
}

// writeBytesOut writes the Out cell with its compression tooltip.
func writeBytesOut(b *strings.Builder, f fields) {
	in, out, byp, bout := f.num("comp_in"), f.num("comp_out"), f.num("comp_byp"), f.num("bout")
	open, closeU := "", ""
	if in != 0 || byp != 0 {
		open, closeU = "<u>", "</u>"
	}
	fmt.Fprintf(b, "<td>%s%s<div class=tips><table class=det><tr><th>Response bytes in:</th><td>%s</td></tr><tr><th>Compression in:</th><td>%s</td></tr><tr><th>Compression out:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>Compression bypass:</th><td>%s</td></tr><tr><th>Total bytes saved:</th><td>%s</td><td>(%d%%)</td></tr></table></div>%s</td>",
		open, u2h(bout), u2h(bout), u2h(in), u2h(out), pct(out, in), u2h(byp), u2h(in-out), pct(in-out, bout), closeU)
}

// writeTimes writes the session tooltip's timing rows.
func writeTimes(b *strings.Builder, f fields) {
	b.WriteString("<tr><th colspan=3>Max / Avg over last 1024 success. conn.</th></tr>")
	fmt.Fprintf(b, "<tr><th>- Queue time:</th><td>%s / %s</td><td>ms</td></tr>", u2h(f.num("qtime_max")), u2h(f.num("qtime")))
	fmt.Fprintf(b, "<tr><th>- Connect time:</th><td>%s / %s</td><td>ms</td></tr>", u2h(f.num("ctime_max")), u2h(f.num("ctime")))
	if isHTTP(f) {
		fmt.Fprintf(b, "<tr><th>- Responses time:</th><td>%s / %s</td><td>ms</td></tr>", u2h(f.num("rtime_max")), u2h(f.num("rtime")))
	}
	fmt.Fprintf(b, "<tr><th>- Total time:</th><td>%s / %s</td><td>ms</td></tr>", u2h(f.num("ttime_max")), u2h(f.num("ttime")))
}

// writeBackend writes a BACKEND row.
func writeBackend(b *strings.Builder, v *view, f fields) {
	px := f.str("pxname")
	b.WriteString("<tr class=\"backend\">" + v.adminCell() + "<td class=ac>")
	if v.opt.ShowLegends {
		b.WriteString("<u>")
	}
	fmt.Fprintf(b, "<a name=\"%s/Backend\"></a><a class=lfsb href=\"#%s/Backend\">Backend</a>", px, px)
	if v.opt.ShowLegends {
		fmt.Fprintf(b, "<div class=tips>balancing: %s", f.str("algo"))
		if f.has("cookie") {
			b.WriteString(", cookie: '" + htmlEncode(f.str("cookie")) + "'")
		}
		b.WriteString("</div></u>")
	}
	fmt.Fprintf(b, "</td><td>%s</td><td>%s</td><td></td><td>%s</td><td>%s</td><td></td>",
		u2h(f.num("qcur")), u2h(f.num("qmax")), u2h(f.num("rate")), u2h(f.num("rate_max")))
	fmt.Fprintf(b, "<td>%s</td><td>%s</td><td>%s</td><td><u>%s<div class=tips><table class=det><tr><th>Cum. sessions:</th><td>%s</td></tr>",
		u2h(f.num("scur")), u2h(f.num("smax")), u2h(f.num("slim")), u2h(f.num("stot")), u2h(f.num("stot")))
	if isHTTP(f) {
		fmt.Fprintf(b, "<tr><th>New connections:</th><td>%s</td></tr><tr><th>Reused connections:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>Cum. HTTP requests:</th><td>%s</td></tr><tr><th>- HTTP 1xx responses:</th><td>%s</td></tr><tr><th>- HTTP 2xx responses:</th><td>%s</td></tr><tr><th>&nbsp;&nbsp;Compressed 2xx:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>- HTTP 3xx responses:</th><td>%s</td></tr><tr><th>- HTTP 4xx responses:</th><td>%s</td></tr><tr><th>- HTTP 5xx responses:</th><td>%s</td></tr><tr><th>- other responses:</th><td>%s</td></tr><tr><th>Cache lookups:</th><td>%s</td></tr><tr><th>Cache hits:</th><td>%s</td><td>(%d%%)</td></tr><tr><th>Failed hdr rewrites:</th><td>%s</td></tr><tr><th>Internal errors:</th><td>%s</td></tr>",
			u2h(f.num("connect")), u2h(f.num("reuse")), pct(f.num("reuse"), f.num("connect")+f.num("reuse")), u2h(f.num("req_tot")),
			u2h(f.num("hrsp_1xx")), u2h(f.num("hrsp_2xx")), u2h(f.num("comp_rsp")), pct(f.num("comp_rsp"), f.num("hrsp_2xx")),
			u2h(f.num("hrsp_3xx")), u2h(f.num("hrsp_4xx")), u2h(f.num("hrsp_5xx")), u2h(f.num("hrsp_other")),
			u2h(f.num("cache_lookups")), u2h(f.num("cache_hits")), pct(f.num("cache_hits"), f.num("cache_lookups")), u2h(f.num("wrew")), u2h(f.num("eint")))
	}
	writeTimes(b, f)
	fmt.Fprintf(b, "</table></div></u></td><td>%s</td><td>%s</td><td>%s</td>", u2h(f.num("lbtot")), humanTime(f.num("lastsess")), u2h(f.num("bin")))
	writeBytesOut(b, f)
	status := f.str("status")
	if status == "DOWN" {
		status = `<font color="red"><b>DOWN</b></font>`
	}
	fmt.Fprintf(b, "<td>%s</td><td>%s</td><td></td><td>%s</td><td><u>%s<div class=tips>Connection resets during transfers: %d client, %d server</div></u></td><td>%d</td><td>%d</td>",
		u2h(f.num("dreq")), u2h(f.num("dresp")), u2h(f.num("econ")), u2h(f.num("eresp")), f.num("cli_abrt"), f.num("srv_abrt"), f.num("wretr"), f.num("wredis"))
	fmt.Fprintf(b, "<td class=ac>%s %s</td><td class=ac>&nbsp;</td><td class=ac>%d/%d</td><td class=ac>%d</td><td class=ac>%d</td>",
		humanTime(f.num("lastchg")), status, f.num("weight"), f.num("uweight"), f.num("act"), f.num("bck"))
	downtime := "&nbsp;"
	if f.has("downtime") {
		downtime = humanTime(f.num("downtime"))
	}
	fmt.Fprintf(b, "<td class=ac>&nbsp;</td><td>%d</td><td>%s</td><td></td></tr>", f.u32("chkdown"), downtime)
}

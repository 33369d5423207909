package statspage

import (
	"fmt"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// view is what one request asks of the page: the configured options and
// the flags read from its URI.
type view struct {
	opt       *Options
	hideDown  bool   // ";up"
	noRefresh bool   // ";norefresh", only with a refresh configured
	scope     string // "?scope=<text>" from the form
	admin     bool   // `stats admin` granted this request: the form
	stCode    string // ";st=<code>": an admin action's outcome to show
}

// scopeTxt is the scope carried by the page's links.
func (v *view) scopeTxt() string {
	if v.scope == "" {
		return ""
	}
	return "?scope=" + v.scope
}

func (v *view) upFlag() string {
	if v.hideDown {
		return ";up"
	}
	return ""
}

func (v *view) noRefreshFlag() string {
	if v.noRefresh {
		return ";norefresh"
	}
	return ""
}

// writeHead writes the document head up to </head>.
func writeHead(b *strings.Builder, v *view, in *runtimeapi.Info) {
	b.WriteString("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"\n" +
		"\"http://www.w3.org/TR/html4/loose.dtd\">\n" +
		"<html><head><title>Statistics Report for HAProxy")
	if v.opt.ShowNode {
		b.WriteString(" on " + v.node(in))
	}
	b.WriteString("</title>\n<link rel=\"icon\" href=\"data:,\">\n")
	b.WriteString(styleBlock)
}

func (v *view) node(in *runtimeapi.Info) string {
	if v.opt.Node != "" {
		return v.opt.Node
	}
	return in.Node
}

// bitRate is HAProxy's estimate of the wire bit rate from the output byte
// rate: bytes to bits, plus the Ethernet framing of a full TCP segment.
func bitRate(bytesPerSec int64) string {
	bps := float64(bytesPerSec) * 8 * 1538 / 1448
	unit := "kMGT"
	v := bps / 1000
	i := 0
	for v >= 1000 && i < len(unit)-1 {
		v /= 1000
		i++
	}
	return fmt.Sprintf("%.3f %cbps", v, unit[i])
}

// writeInfo writes the process block, the legend and the display options.
func writeInfo(b *strings.Builder, v *view, in *runtimeapi.Info) {
	title := "HAProxy"
	if !v.opt.HideVersion && in.Version != "" {
		title += " version " + in.Version + ", released " + in.ReleaseDate
	}
	fmt.Fprintf(b, "<body><h1><a href=\"http://www.haproxy.org/\" style=\"text-decoration: none;\">%s</a></h1>\n", title)
	b.WriteString("<h2>Statistics Report for pid " + fmt.Sprint(in.Pid))
	if v.opt.ShowNode {
		b.WriteString(" on " + v.node(in))
	}
	if v.opt.ShowDesc {
		b.WriteString(": " + v.opt.Desc)
	}
	b.WriteString("</h2>\n<hr width=\"100%\" class=\"hr\">\n<h3>&gt; General process information</h3>\n")
	up := int64(in.Uptime / time.Second)
	idle := in.IdlePct
	if idle == 0 {
		idle = 100
	}
	fmt.Fprintf(b, "<table border=0><tr><td align=\"left\" nowrap width=\"1%%\">\n"+
		"<p><b>pid = </b> %d (process #1, nbproc = 1, nbthread = %d)<br>\n"+
		"<b>uptime = </b> %dd %dh%02dm%02ds<br>\n"+
		"<b>system limits:</b> memmax = unlimited; ulimit-n = %d<br>\n"+
		"<b>maxsock = </b> %d; <b>maxconn = </b> %d; <b>maxpipes = </b> 0<br>\n"+
		"current conns = %d; current pipes = 0/0; conn rate = %d/sec; bit rate = %s<br>\n"+
		"Running tasks: %d/%d; idle = %d %%<br>\n"+
		"</td><td align=\"center\" nowrap>\n",
		in.Pid, in.Nbthread, up/86400, up%86400/3600, up%3600/60, up%60,
		in.UlimitN, in.Maxsock, in.Maxconn, in.CurrConns, in.ConnRate, bitRate(in.BytesOutRate),
		in.RunQueue, in.Tasks, idle)
	b.WriteString(legend)
	b.WriteString("<li><form method=\"GET\">Scope : <input value=\"" + v.scope +
		"\" name=\"scope\" size=\"8\" maxlength=\"20\" tabindex=\"1\"/></form>\n")
	prefix, scope := v.opt.URI, v.scopeTxt()
	if v.hideDown {
		fmt.Fprintf(b, "<li><a href=\"%s%s%s\">Show all servers</a><br>\n", prefix, v.noRefreshFlag(), scope)
	} else {
		fmt.Fprintf(b, "<li><a href=\"%s;up%s%s\">Hide 'DOWN' servers</a><br>\n", prefix, v.noRefreshFlag(), scope)
	}
	if v.opt.Refresh > 0 {
		if v.noRefresh {
			fmt.Fprintf(b, "<li><a href=\"%s%s%s\">Enable refresh</a><br>\n", prefix, v.upFlag(), scope)
		} else {
			fmt.Fprintf(b, "<li><a href=\"%s%s;norefresh%s\">Disable refresh</a><br>\n", prefix, v.upFlag(), scope)
		}
	}
	fmt.Fprintf(b, "<li><a href=\"%s%s%s%s\">Refresh now</a><br>\n", prefix, v.upFlag(), v.noRefreshFlag(), scope)
	csvNoRefresh := ""
	if v.opt.Refresh > 0 {
		csvNoRefresh = ";norefresh"
	}
	fmt.Fprintf(b, "<li><a href=\"%s;csv%s%s\">CSV export</a><br>\n", prefix, csvNoRefresh, scope)
	fmt.Fprintf(b, "<li><a href=\"%s;json%s%s\">JSON export</a> (<a href=\"%s;json-schema\">schema</a>)<br>\n", prefix, csvNoRefresh, scope, prefix)
	b.WriteString("</ul></td><td align=\"left\" valign=\"top\" nowrap width=\"1%\"><b>External resources:</b><ul style=\"margin-top: 0.25em;\">\n" +
		"<li><a href=\"http://www.haproxy.org/\">Primary site</a><br>\n" +
		"<li><a href=\"http://www.haproxy.org/#down\">Updates (v2.6)</a><br>\n" +
		"<li><a href=\"http://www.haproxy.org/#docs\">Online manual</a><br>\n" +
		"</ul></td></tr></table>\n")
	if v.stCode != "" {
		writeStatusMessage(b, v, v.stCode)
	}
}

// legend is the colour legend and the start of the display options cell.
const legend = `<table class="lgd"><tr>
<td class="active_up">&nbsp;</td><td class="noborder">active UP </td><td class="backup_up">&nbsp;</td><td class="noborder">backup UP </td></tr><tr>
<td class="active_going_down"></td><td class="noborder">active UP, going down </td><td class="backup_going_down"></td><td class="noborder">backup UP, going down </td></tr><tr>
<td class="active_going_up"></td><td class="noborder">active DOWN, going up </td><td class="backup_going_up"></td><td class="noborder">backup DOWN, going up </td></tr><tr>
<td class="active_down"></td><td class="noborder">active or backup DOWN &nbsp;</td><td class="active_no_check"></td><td class="noborder">not checked </td></tr><tr>
<td class="maintain"></td><td class="noborder" colspan="3">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr><tr>
<td class="active_draining"></td><td class="noborder" colspan="3">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>
Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.</td><td align="left" valign="top" nowrap width="1%"><b>Display option:</b><ul style="margin-top: 0.25em;">`

package haproxycmd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/net/html"
)

// The stats page options that change what the page tells (stats
// hide-version, show-node with and without a name, show-desc with and
// without a text, over the global node and description, and stats scope
// with "." and a backend's name): the proxies listed, the title and
// headings, and the text of the page's information block (numbers
// masked: process figures, times) are HAProxy 2.6's.
func TestStatsPageOptionsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web").Addr
	cases := []struct{ name, global, opts string }{
		{"plain", "", ""},
		{"hide-version", "", "stats hide-version"},
		{"show-node named, show-desc text", "", "stats show-node mynode\n    stats show-desc my proxy description"},
		{"show-node and show-desc from global", "    node gnode\n    description global description\n", "stats show-node\n    stats show-desc"},
		{"show-node without global node", "", "stats show-node"},
		{"scope . and app", "", "stats scope .\n    stats scope app"},
		{"scope other", "", "stats scope other\n    stats hide-version"},
	}
	for _, tc := range cases {
		var pages [2]string
		for i, bin := range []string{"haproxy", gohaproxy} {
			page := loopback.FreeAddr(t)
			cfg := "global\n" + tc.global + "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n" +
				"listen stats\n    bind " + page + "\n    stats enable\n    stats uri /st\n    " + tc.opts + "\n    server s1 " + web + "\n" +
				"backend app\n    server a1 " + web + "\nbackend other\n    server o1 " + web + "\n"
			startWithConfig(t, bin, cfg, page)
			r := fetchPage(t, page, "/st", false)
			names, _ := pageTables(t, r.body)
			pages[i] = fmt.Sprintf("status %d\nproxies %q\n%s", r.status, names, pageInfoText(t, r.body))
		}
		if pages[0] != pages[1] {
			t.Errorf("%s:\nhaproxy:\n%s\ngoha:\n%s", tc.name, pages[0], pages[1])
		} else if testing.Verbose() {
			t.Logf("%s:\n%s", tc.name, pages[0])
		}
	}
}

var pageNumbers = regexp.MustCompile(`[0-9]+`)

// pageVersion is the version the page shows: goha's own build string
// (HAProxy's is Debian's package version).
var pageVersion = regexp.MustCompile(`version [^ ,]+,`)

// pageInfoText is the visible text of a stats page's title, headings
// and information block (what comes before the first proxy table), one
// line per text node, the version and numbers masked.
func pageInfoText(t *testing.T, doc string) string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	done := false
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if done {
			return
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "style", "script":
				return
			case "a":
				if strings.HasPrefix(attr(n, "name"), "stats") || attr(n, "class") == "px" {
					done = true // the first proxy's table
					return
				}
			}
		}
		if n.Type == html.TextNode {
			if s := strings.Join(strings.Fields(n.Data), " "); s != "" {
				lines = append(lines, pageNumbers.ReplaceAllString(pageVersion.ReplaceAllString(s, "version V,"), "N"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(root)
	return strings.Join(lines, "\n")
}

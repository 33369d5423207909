package haproxycfg

import (
	"fmt"
	"os"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// errorPages builds a proxy's own error pages from its errorfile,
// errorloc, errorloc302, errorloc303, errorfiles and http-error lines (the
// defaults' first), applied in order as HAProxy 2.6 applies them once the
// configuration is read: for one status the last line wins. Each page is
// the whole response as HAProxy re-emits it. A line goha cannot build is
// reported and leaves the status to the lines before it.
func (b *builder) errorPages(px *haproxy.Proxy) *pageSet {
	ps := &pageSet{pages: map[int][]byte{}, closes: map[int]bool{}}
	set := func(code int, page []byte, closes bool) {
		ps.pages[code], ps.closes[code] = page, closes
	}
	for _, r := range px.ErrorReplies {
		switch r.Kind {
		case "errorfile":
			if page, closes, err := errorFilePage(r.Arg); err != nil {
				b.unsupported(r.Pos, fmt.Sprintf("errorfile %d %s: %v", r.Code, r.Arg, err))
			} else {
				set(r.Code, page, closes)
			}
		case "errorloc302", "errorloc303":
			set(r.Code, errorlocPage(r.Kind == "errorloc303", r.Arg), false)
		case "errorfiles":
			files, ok := b.cfg.HTTPErrorsSection(r.Arg)
			if !ok {
				b.unsupported(r.Pos, "errorfiles "+r.Arg)
				continue
			}
			for code, path := range files {
				if len(r.Codes) > 0 && !containsInt(r.Codes, code) {
					continue
				}
				if page, closes, err := errorFilePage(path); err != nil {
					b.unsupported(r.Pos, fmt.Sprintf("errorfiles %s: errorfile %d %s: %v", r.Arg, code, path, err))
				} else {
					set(code, page, closes)
				}
			}
		case "http-error":
			if name, ok := argAfter(r.Reply, "errorfiles"); ok {
				if _, _, found, _ := b.sectionPage(name, r.Code); !found {
					// Measured: a section without the status leaves
					// HAProxy's built-in page.
					delete(ps.pages, r.Code)
					delete(ps.closes, r.Code)
					continue
				}
			}
			// Here default-errorfiles is HAProxy's built-in page (measured:
			// it undoes an inherited errorfile).
			hr, err := b.replyRule(r.Reply, r.Code, "http-error", &pageSet{})
			if err != nil {
				b.unsupported(r.Pos, err.Error())
				continue
			}
			set(r.Code, hr.Reply, hr.Close)
		}
	}
	if len(ps.pages) == 0 {
		return &pageSet{}
	}
	return ps
}

// pageSet is a proxy's own error pages, and which end the connection.
type pageSet struct {
	pages  map[int][]byte
	closes map[int]bool
}

// errorFilePage reads an errorfile and re-emits it as HAProxy does.
func errorFilePage(path string) ([]byte, bool, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	return normalizeErrorFile(raw)
}

// errorlocPage is the redirect HAProxy 2.6 answers instead of an error
// with errorloc/errorloc302 (302) or errorloc303 (303).
func errorlocPage(see303 bool, url string) []byte {
	status := "302 Found"
	if see303 {
		status = "303 See Other"
	}
	return []byte("HTTP/1.1 " + status + "\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: " + url + "\r\n\r\n")
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// sectionPage is the page `errorfiles <name>` gives a reply (return,
// deny) for status; found is false when the section has none.
func (b *builder) sectionPage(name string, status int) (page []byte, closes, found bool, err error) {
	files, ok := b.cfg.HTTPErrorsSection(name)
	if !ok {
		return nil, false, false, fmt.Errorf("unknown http-errors section '%s'", name)
	}
	path, ok := files[status]
	if !ok {
		return nil, false, false, nil
	}
	page, closes, err = errorFilePage(path)
	return page, closes, err == nil, err
}

// pageFor is the proxy's page for status (own, else built-in) as a rule
// reply, and whether the connection ends after it (HAProxy's built-in
// 400 and 408 pages say so, an errorfile may).
func pageFor(ps *pageSet, status int) (page []byte, closes, ok bool) {
	if p, ok := ps.pages[status]; ok {
		return p, ps.closes[status], true
	}
	return proxy.RuleErrorPage(status)
}

// argAfter is the word after the first kw in args.
func argAfter(args []string, kw string) (string, bool) {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == kw {
			return args[i+1], true
		}
	}
	return "", false
}

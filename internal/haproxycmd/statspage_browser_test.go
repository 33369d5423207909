package haproxycmd

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// pageSummary is what the browser test reads from the rendered page.
type pageSummary struct {
	Title     string   `json:"title"`
	Proxies   []string `json:"proxies"`
	RowClass  []string `json:"rowClass"`
	DownColor string   `json:"downColor"`
}

// TestStatsPageInChromium loads goha's stats page in headless Chromium
// (Debian's chromium, driven by chromedp): the browser meets the basic-auth
// challenge with goha's realm and answers it, renders the page with
// HAProxy's CSS (a DOWN server's row painted #ff9090), shows one table per
// proxy with the rows' states, and reloads the page on its own after the
// `stats refresh` delay; an admin action through the form puts a server
// in maintenance.
func TestStatsPageInChromium(t *testing.T) {
	browser := testenv.LookPath(t, "chromium")
	web := loopback.StartWeb(t, "web")
	closedLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := closedLn.Addr().String()
	closedLn.Close()
	run := startStatsPage(t, gohaproxy, web.Addr, closed)
	time.Sleep(800 * time.Millisecond) // s2 is DOWN

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("headless", true), chromedp.Flag("disable-gpu", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancelC := context.WithTimeout(ctx, 60*time.Second)
	defer cancelC()

	// The listener only queues events: answering them is a command, run
	// from another goroutine as chromedp requires.
	events := make(chan any, 64)
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev.(type) {
		case *fetch.EventAuthRequired, *fetch.EventRequestPaused:
			select {
			case events <- ev:
			default:
			}
		}
	}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	var mu sync.Mutex
	var realms []string
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-events:
				switch e := ev.(type) {
				case *fetch.EventAuthRequired:
					mu.Lock()
					realms = append(realms, e.AuthChallenge.Scheme+" "+e.AuthChallenge.Realm)
					mu.Unlock()
					chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{RequestID: e.RequestID,
						AuthChallengeResponse: &fetch.AuthChallengeResponse{
							Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: "admin", Password: "secret"}})
				case *fetch.EventRequestPaused:
					chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
				}
			}
		}
	}()
	handleAuth := true
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{HandleAuthRequests: &handleAuth}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+run.page+"/st"), chromedp.WaitVisible(chromedp.CSS("th.pxname"))); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.gohaMark = 1`)); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	s, err := chromedp.Run(ctx, chromedp.Evaluate[pageSummary](`({
			title: document.title,
			proxies: [...document.querySelectorAll('th.pxname')].map(e => e.querySelector('a.px').textContent),
			rowClass: [...document.querySelectorAll('table.tbl tr')].map(e => e.className).filter(c => c && c !== 'titre'),
			downColor: getComputedStyle(document.querySelector('tr.active_down')).backgroundColor,
		})`))
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	mu.Lock()
	gotRealms := append([]string(nil), realms...)
	mu.Unlock()
	if len(gotRealms) == 0 || gotRealms[0] != "basic Goha Test" && gotRealms[0] != "Basic Goha Test" {
		t.Errorf("auth challenges seen by the browser: %q, want goha's realm", gotRealms)
	}
	if s.Title != "Statistics Report for HAProxy" || strings.Join(s.Proxies, ",") != "stats,fe,app" {
		t.Errorf("page: title %q, proxies %q", s.Title, s.Proxies)
	}
	want := "frontend,active_up,active_down,active_no_check,backup_no_check,backend,frontend,active_up,active_no_check,backend"
	if strings.Join(s.RowClass, ",") != want {
		t.Errorf("rows %q\nwant %s", s.RowClass, want)
	}
	if s.DownColor != "rgb(255, 144, 144)" {
		t.Errorf("a DOWN row is painted %q, HAProxy's CSS says rgb(255, 144, 144)", s.DownColor)
	}
	// `stats refresh 5s`: the browser reloads the page by itself, which
	// drops the mark set on the first load.
	if err := chromedp.Do(ctx, chromedp.Sleep(6500*time.Millisecond), chromedp.WaitVisible(chromedp.CSS("th.pxname"))); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	marked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.gohaMark === 1`))
	if err != nil || marked {
		t.Errorf("the page did not reload after the refresh delay (err %v)", err)
	}

	// An admin action through the form: tick a2, pick MAINT, press Apply;
	// the browser follows the 303 to the banner and a2 shows in
	// maintenance.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const box = document.querySelector('input.app-checkbox[value="a2"]');
			box.checked = true;
			box.form.elements['action'].value = 'maint';
			box.form.querySelector('input[type=submit]').click();
			return true;
		})()`)); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("div.active_up"))); err != nil {
		t.Fatalf("chromium: no banner after the admin action: %v", err)
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.pathname,
			document.querySelector('div.active_up').textContent,
			document.querySelector('a[name="app/a2"]').closest('tr').className]`))
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if strings.Join(after, "|") != "/st;st=DONE|[X] Action processed successfully.|maintain" {
		t.Errorf("after the admin action: %q", after)
	}
}

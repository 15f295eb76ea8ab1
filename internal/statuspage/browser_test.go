package statuspage

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// chromiumPath finds a Chromium-family browser, or handles its absence as
// the harness does for every real component.
func chromiumPath(t *testing.T) string { return testharness.Chromium(t) }

// TestPageInChromium loads the page in a real headless browser: what a
// person sees must name the providers, the placement and the last
// operation, the page must load nothing but itself, and on a phone's
// width it must be one column without sideways scrolling.
func TestPageInChromium(t *testing.T) {
	bin := chromiumPath(t)

	opts := testOptions()
	opts.Refresh = time.Minute // no reload while the test looks
	srv := httptest.NewServer(Handler(fixture(), opts))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server at %s, want loopback", srv.URL)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	var browserOut bytes.Buffer
	profile := browserProfile(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1200, 900),
		chromedp.CombinedOutput(&browserOut),
	)...)
	defer cancelAlloc()

	var mu sync.Mutex
	var requested []string
	tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}))
	defer cancelTab()

	fail := func(what string, err error) {
		t.Helper()
		t.Fatalf("%s: %v\nbrowser output:\n%s", what, err, tail(browserOut.String(), 2000))
	}
	res, err := chromedp.Run(tab, chromedp.NavigateResponse(srv.URL+"/"))
	if err != nil {
		fail("load the page", err)
	}
	if res.Status != http.StatusOK {
		t.Fatalf("page status %d, want 200", res.Status)
	}
	text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		fail("read the visible text", err)
	}
	for _, want := range []string{
		"alpha account lost", "bravo healthy", // providers, state in words
		"Runs on bravo: healthy", "Runs on alpha: account lost", // placement
		"failover www from alpha to bravo succeeded", "op-0002", "www/bravo/verify-dns ok", // the last operation and its timeline
		"Hold switch: on: no automatic failover",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("visible text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("visible text:\n%s", text)
	}

	dir := t.ArtifactDir()
	shoot(t, tab, filepath.Join(dir, "statuspage.png"))

	// A phone: one column, nothing wider than the screen.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))); err != nil {
		fail("emulate a phone", err)
	}
	cols, err := chromedp.Run(tab, chromedp.Evaluate[int](`getComputedStyle(document.querySelector('#services .grid')).gridTemplateColumns.split(' ').length`))
	if err != nil {
		fail("read the grid's columns", err)
	}
	if cols != 1 {
		t.Errorf("services in %d columns at 390px, want 1", cols)
	}
	overflow, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil {
		fail("measure the page's width", err)
	}
	if overflow > 0 {
		t.Errorf("at 390px the page is %dpx wider than the screen", overflow)
	}
	// Tables scroll inside their cards on a wide screen; on a phone each
	// row becomes a block, so nothing should need scrolling sideways.
	clipped, err := chromedp.Run(tab, chromedp.Evaluate[int](`[...document.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth).length`))
	if err != nil {
		fail("measure the tables", err)
	}
	if clipped > 0 {
		t.Errorf("at 390px %d table(s) are wider than their card", clipped)
	}
	shoot(t, tab, filepath.Join(dir, "statuspage-phone.png"))

	mu.Lock()
	defer mu.Unlock()
	if len(requested) == 0 {
		t.Errorf("saw no request: the network listener did not work, so nothing was checked")
	}
	for _, u := range requested {
		if !strings.HasPrefix(u, srv.URL+"/") {
			t.Errorf("the page made the browser fetch %s: it must load nothing else", u)
		}
	}
}

// shoot writes a full-page PNG (quality 100 means PNG to chromedp).
func shoot(t *testing.T, tab context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
}

// browserProfile is a fresh profile directory. Chromium's helpers may
// still write to it for a moment after the browser exits, so removal is
// retried, boundedly, instead of failing the test as t.TempDir would.
func browserProfile(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "statuspage-chromium-")
	if err != nil {
		t.Fatalf("profile directory: %v", err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove %s", dir)
	})
	return dir
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

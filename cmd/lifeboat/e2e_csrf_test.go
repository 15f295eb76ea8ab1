package main

import (
	"bytes"
	"context"
	"html/template"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// hostilePage is a web page on another origin that, when opened, submits
// a form to the daemon's API: enctype text/plain makes the body
// `{"on":true,"reason":"x"}=`, one JSON value and some trailing text.
var hostilePage = template.Must(template.New("page").Parse(`<!doctype html>
<html><body>
<form id="f" method="POST" action="{{.}}" enctype="text/plain">
<input type="hidden" name='{"on":true,"reason":"x"}' value="">
</form>
<script>document.getElementById("f").submit()</script>
</body></html>
`))

// A browser that holds the daemon's credentials (the operator logged in
// to the status page with the operate token, HTTP Basic) opens a page
// from another loopback origin that auto-submits a form to the API: the
// daemon refuses it and logs the refusal, and the hold switch, read back
// through the API, is unchanged.
func TestAPICrossSiteFormInChromium(t *testing.T) {
	t.Parallel()
	bin := testharness.Chromium(t)
	w, base := apiWorld(t)
	w.startAlpha()
	d := w.startDaemon()
	waitFor(t, 30*time.Second, "/readyz", func() bool { code, _ := call(t, "GET", base+"/readyz", "", ""); return code == 200 })
	if code, body := call(t, "GET", base+"/api/v1/hold", e2eReadToken, ""); code != 200 || !strings.Contains(body, `"on": false`) {
		t.Fatalf("hold before: %d %s", code, body)
	}

	// The hostile site, on another loopback address.
	ip := testharness.LoopbackIP(t)
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	hostile := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = hostilePage.Execute(rw, base+"/api/v1/hold")
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hostile.Serve(l) }()
	t.Cleanup(func() { hostile.Close() })
	hostileURL := "http://" + l.Addr().String() + "/"

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	profile, err := os.MkdirTemp("", "csrf-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	var browserOut bytes.Buffer
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(profile), chromedp.CombinedOutput(&browserOut))...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	fail := func(what string, err error) {
		t.Helper()
		t.Fatalf("%s: %v\nbrowser output:\n%s", what, err, browserOut.String())
	}

	// Log in to the status page: the browser keeps the Basic credentials
	// for the daemon's origin and sends them by itself from then on.
	login := strings.Replace(base, "http://", "http://ops:"+e2eOperateToken+"@", 1) + "/"
	res, err := chromedp.Run(tab, chromedp.NavigateResponse(login))
	if err != nil {
		fail("open the status page", err)
	}
	if res.Status != 200 {
		t.Fatalf("status page with credentials: %d", res.Status)
	}
	res, err = chromedp.Run(tab, chromedp.NavigateResponse(base+"/api/v1/hold"))
	if err != nil {
		fail("read the hold switch in the browser", err)
	}
	if res.Status != 200 {
		t.Fatalf("the browser does not hold the credentials (GET /api/v1/hold without them in the URL: %d), so the test would prove nothing", res.Status)
	}

	// The hostile page submits its form as soon as it loads.
	if err := chromedp.Do(tab, chromedp.Navigate(hostileURL)); err != nil {
		fail("open the hostile page", err)
	}
	var answer string
	waitFor(t, 30*time.Second, "the form's answer from the daemon", func() bool {
		loc, err := chromedp.Run(tab, chromedp.Location())
		if err != nil || !strings.HasPrefix(loc, base+"/api/v1/hold") {
			return false
		}
		answer, err = chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
		return err == nil && answer != ""
	})
	if !strings.Contains(answer, `"error"`) {
		t.Fatalf("the daemon's answer to the form is not a refusal:\n%s", answer)
	}
	code, body := call(t, "GET", base+"/api/v1/hold", e2eReadToken, "")
	if code != 200 || !strings.Contains(body, `"on": false`) {
		t.Fatalf("the hostile form changed the hold switch: %d %s", code, body)
	}
	if r := w.lifeboat(nil, "hold"); r.code != 0 || strings.Contains(r.stdout, "Hold is on") {
		t.Fatalf("lifeboat hold after the hostile form: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	waitFor(t, 10*time.Second, "the refusal in the daemon's log", func() bool {
		return strings.Contains(d.out.String(), "http request refused") && strings.Contains(d.out.String(), "path=/api/v1/hold")
	})
	// The legitimate client still operates.
	if code, body := call(t, "POST", base+"/api/v1/hold", e2eOperateToken, `{"on": true, "reason": "csrf test"}`); code != 200 || !strings.Contains(body, `"on": true`) {
		t.Fatalf("POST hold with Bearer and JSON: %d %s", code, body)
	}
	if strings.Contains(d.out.String(), e2eOperateToken) {
		t.Fatal("the operate token reached the daemon's log")
	}
}

package hub

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium finds Debian's chromium (or another Chrome) for the browser
// tests; "" when there is none.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives the partner's pages in a real headless Chromium: sign
// in, open a report for a period and read its numbers, export the CSV, see
// the points, and find another partner's point refused. With
// PAYDESK_SHOTS=dir it writes each page as dir/hub-*.png.
func TestBrowser(t *testing.T) {
	chrome := chromium()
	if chrome == "" {
		t.Skip("no chromium: the browser tests skip (apt install chromium)")
	}
	w, srv := webWorld(t)
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
				chromedp.WindowSize(1280, 860), chromedp.Flag("accept-lang", lang), chromedp.Flag("lang", lang))
			actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
			defer cancel()
			ctx, cancel := chromedp.NewContext(actx)
			defer cancel()
			ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			shot := func(name string) chromedp.Action[chromedp.Void] {
				return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
					dir := os.Getenv("PAYDESK_SHOTS")
					if dir == "" {
						return chromedp.Void{}, nil
					}
					png, err := chromedp.FullScreenshot(100)(ctx, tg)
					if err != nil {
						return chromedp.Void{}, err
					}
					return chromedp.Void{}, os.WriteFile(filepath.Join(dir, "hub-"+name+"-"+lang+".png"), png, 0o644)
				}
			}
			text := func(sel string) string {
				v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
				require.NoError(t, err, sel)
				return v
			}

			// Sign in: a wrong password is refused on the page, the right one opens the report.
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/login"), shot("login"),
				chromedp.SendKeys(chromedp.CSS(`input[name=login]`), "ivan"), chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "wrong"),
				chromedp.Click(chromedp.CSS(`button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`.error`))))
			assert.NotEmpty(t, text(`.error`))
			require.NoError(t, chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "ivan-secret"), chromedp.Click(chromedp.CSS(`button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`form.query`))))

			// A period by point: the numbers are the hub's own report.
			u, err := w.hub.SignIn(context.Background(), "ivan", "ivan-secret")
			require.NoError(t, err)
			rows, err := w.hub.Report(context.Background(), u, Query{From: t0.AddDate(0, 0, -1), To: t0, By: ByPoint})
			require.NoError(t, err)
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/report?from=2026-12-03&to=2026-12-04&by=point"), chromedp.WaitVisible(chromedp.CSS(`#report`)),
				shot("report")))
			var sum Row
			for _, r := range rows {
				sum.Count += r.Count
				sum.Amount += r.Amount
				sum.Commission += r.Commission
			}
			assert.Equal(t, sum.Count, atoi(t, text(`#total-count`)))
			assert.Equal(t, sum.Amount.String(), plain(text(`#total-turnover`)))
			assert.Equal(t, sum.Commission.String(), plain(text(`#total-commission`)))
			// The page's policy allows no script fetch: the CSV is downloaded
			// as a person does, by its link.
			downloads := t.TempDir()
			require.NoError(t, chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
					Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
				return chromedp.Void{}, err
			}, chromedp.Click(chromedp.CSS(`#csv`))))
			var csvText string
			require.Eventually(t, func() bool {
				files, _ := filepath.Glob(filepath.Join(downloads, "*.csv"))
				if len(files) == 0 {
					return false
				}
				b, err := os.ReadFile(files[0])
				csvText = string(b)
				return err == nil && len(b) > 0
			}, 20*time.Second, 50*time.Millisecond, "the CSV is downloaded")
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvText, "\uFEFF"))).ReadAll()
			require.NoError(t, err, csvText)
			assert.GreaterOrEqual(t, len(recs), len(rows)+1, "a header and a row a point: %q", csvText)

			// The month's agent report, printable.
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/agent?month=2026-12"), chromedp.WaitVisible(chromedp.CSS(`#agent`)), shot("agent")))
			assert.Equal(t, sum.Amount.String(), plain(text(`#agent-accepted`)))

			// The points at a glance, and another partner's point refused.
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/points"), chromedp.WaitVisible(chromedp.CSS(`table`)), shot("points")))
			points := text(`body`)
			assert.Contains(t, points, "P1")
			assert.Contains(t, points, "P3")
			assert.NotContains(t, points, "P2", "south's point")
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/report?point=P2&from=2026-12-03&to=2026-12-04"),
				chromedp.WaitVisible(chromedp.CSS(`.error`))))
			denied := text(`.error`)
			assert.NotEmpty(t, denied)
			assert.NotContains(t, text(`body`), "1700")
		})
	}
}

// plain reads a sum as the page shows it (grouped by spaces, a decimal
// comma in Russian) in money's form.
func plain(s string) string {
	return strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(strings.TrimSpace(s))
}

func atoi(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(plain(s), 10, 64)
	require.NoError(t, err, s)
	return n
}

package hub

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"paydesk/hub/wire"
	"paydesk/money"
)

// webWorld is newWorld with a second point of north (P3), north's partner
// ivan, P1's manager olga and south's partner sam, and payments at P1, P2
// and P3 on 3 and 4 December.
func webWorld(t *testing.T) (*world, *httptest.Server) {
	w := newWorld(t)
	ctx := context.Background()
	require.NoError(t, w.hub.AddPoint(ctx, Point{ID: "P3", Partner: "north", Name: "Ленина, 5", Key: keyFile(t, dealer)}))
	require.NoError(t, w.hub.AddUser(ctx, User{Login: "ivan", Role: RolePartner, Partner: "north"}, "ivan-secret"))
	require.NoError(t, w.hub.AddUser(ctx, User{Login: "olga", Role: RoleManager, Partner: "north", Point: "P1"}, "olga-secret"))
	require.NoError(t, w.hub.AddUser(ctx, User{Login: "sam", Role: RolePartner, Partner: "south"}, "sam-secret"))
	dec3, dec4 := t0.Add(-24*time.Hour), t0
	for _, d := range []*desk{{point: "P1", key: dealer}, {point: "P3", key: dealer}, {point: "P2", key: bank}} {
		d.pay(session(1), "mts", "kassir", 100000, wire.Paid, wire.ByNetwork, dec3)
		d.pay(session(2), "beeline", "kassir", 50000, wire.Paid, wire.ByNetwork, dec4)
		d.pay(session(3), "beeline", "petrova", 20000, wire.Paid, wire.ByNetwork, dec4)
		d.pay(session(4), "mts", "petrova", 70000, wire.Failed, wire.ByNetwork, dec4)
		if d.point == "P1" {
			d.add(wire.Event{Type: wire.TypeHealth, Health: &wire.Health{ShiftOpen: true, Register: "ok", Drive: "ok",
				Warnings: []string{"fn_30_days"}, Pending: 2, Disputed: 1, RefundsDue: 3, Balance: 1234567, Version: "1"}})
		}
		_, err := w.hub.Ingest(ctx, d.batch(t, 1, int64(len(d.log))))
		require.NoError(t, err)
	}
	srv := httptest.NewServer(w.hub.Handler())
	t.Cleanup(srv.Close)
	return w, srv
}

// browser is a client with its own cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "ru-RU,ru")
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header
}

func signIn(t *testing.T, c *http.Client, base, login, password string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.PostForm(base+"/login", url.Values{"login": {login}, "password": {password}})
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header
}

// cells reads the report table's rows.
func cells(html string) [][]string {
	body := html
	if i := strings.Index(body, "<tbody>"); i >= 0 {
		body = body[i:strings.Index(body, "</tbody>")]
	}
	var out [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(body, -1) {
		var row []string
		for _, td := range regexp.MustCompile(`<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(tr[1], -1) {
			row = append(row, td[1])
		}
		out = append(out, row)
	}
	return out
}

func total(html, id string) string {
	m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestWebPartner(t *testing.T) {
	w, srv := webWorld(t)
	c := browser(t)

	status, _, hdr := get(t, c, srv.URL+"/report")
	assert.Equal(t, http.StatusSeeOther, status, "not signed in")
	assert.Equal(t, "/login", hdr.Get("Location"))

	status, body, _ := signIn(t, c, srv.URL, "ivan", "wrong password")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, "неверный логин или пароль")
	assert.Contains(t, body, `value="ivan"`, "the login stays typed")

	status, _, hdr = signIn(t, c, srv.URL, "ivan", "ivan-secret")
	require.Equal(t, http.StatusSeeOther, status)
	assert.Contains(t, hdr.Get("Set-Cookie"), "HttpOnly")
	assert.Contains(t, hdr.Get("Set-Cookie"), "SameSite=Lax")

	q := "from=2026-12-01&to=2026-12-31"
	status, body, hdr = get(t, c, srv.URL+"/report?"+q)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, hdr.Get("Content-Security-Policy"), "default-src 'none'")
	// Per point: 1000 + 500 + 200 roubles paid; 2% fee, 3% commission.
	assert.Equal(t, [][]string{{"P1", "3", "1700.00", "34.00", "51.00"}, {"P3", "3", "1700.00", "34.00", "51.00"}}, cells(body))
	assert.Equal(t, "6", total(body, "total-count"))
	assert.Equal(t, "3400.00", total(body, "total-turnover"))
	assert.Equal(t, "102.00", total(body, "total-commission"))
	assert.NotContains(t, body, "P2", "south's point is not on north's page")
	assert.Equal(t, 2, strings.Count(body, `fill="#2e7d32"><title>`), "a commission bar per point")
	assert.Contains(t, body, `<svg id="chart"`)

	status, body, _ = get(t, c, srv.URL+"/report?by=provider&"+q)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, [][]string{{"beeline", "4", "1400.00", "28.00", "42.00"}, {"mts", "2", "2000.00", "40.00", "60.00"}}, cells(body))

	status, body, _ = get(t, c, srv.URL+"/report?by=day&point=P3&"+q)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, [][]string{{"2026-12-03", "1", "1000.00", "20.00", "30.00"}, {"2026-12-04", "2", "700.00", "14.00", "21.00"}}, cells(body))

	status, body, _ = get(t, c, srv.URL+"/report?by=cashier&from=2026-12-04&to=2026-12-04&point=P1")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, [][]string{{"P1 / kassir", "1", "500.00", "10.00", "15.00"}, {"P1 / petrova", "1", "200.00", "4.00", "6.00"}}, cells(body))

	status, body, _ = get(t, c, srv.URL+"/report?from=2026-11-01&to=2026-11-30")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `id="empty"`)

	// Another partner's point, and one that does not exist, look the same.
	for _, p := range []string{"P2", "P9"} {
		status, body, _ = get(t, c, srv.URL+"/report?point="+p+"&"+q)
		assert.Equal(t, http.StatusForbidden, status, p)
		assert.Contains(t, body, "это не ваше")
		assert.Empty(t, cells(body), p)
		status, body, _ = get(t, c, srv.URL+"/report.csv?point="+p+"&"+q)
		assert.Equal(t, http.StatusForbidden, status, p)
		assert.NotContains(t, body, "1700.00")
	}

	for _, bad := range []string{"from=04.12.2026", "by=shoe", "from=2026-12-05&to=2026-12-01"} {
		status, body, _ = get(t, c, srv.URL+"/report?"+bad)
		assert.Equal(t, http.StatusBadRequest, status, bad)
		assert.Contains(t, body, `class="error"`, bad)
	}

	status, body, hdr = get(t, c, srv.URL+"/report.csv?by=provider&"+q)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "text/csv; charset=utf-8", hdr.Get("Content-Type"))
	assert.Contains(t, hdr.Get("Content-Disposition"), `filename="paydesk-provider-2026-12-01-2026-12-31.csv"`)
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"Оператор", "Платежей", "Оборот", "Сбор", "Комиссия"},
		{"beeline", "4", "1400.00", "28.00", "42.00"},
		{"mts", "2", "2000.00", "40.00", "60.00"},
	}, records)

	status, body, _ = get(t, c, srv.URL+"/points")
	require.Equal(t, http.StatusOK, status)
	pts := cells(body)
	require.Len(t, pts, 2, body)
	assert.Equal(t, []string{"открыта", "2", "1", "3", "ok", "ok · fn_30_days", "12345.67"}, pts[0][2:])
	assert.Contains(t, pts[0][0], "P1")
	assert.Equal(t, []string{"закрыта", "0", "0", "0", "", "", "0.00"}, pts[1][2:], "P3 has not reported its health")
	assert.NotContains(t, body, "P2")

	status, body, hdr = get(t, c, srv.URL+"/report.csv?by=day&format=1c&point=P3&"+q)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "text/csv; charset=windows-1251", hdr.Get("Content-Type"))
	text, err := charmap.Windows1251.NewDecoder().String(body)
	require.NoError(t, err)
	assert.Equal(t, "День;Платежей;Оборот;Сбор;Комиссия\r\n03.12.2026;1;1000,00;20,00;30,00\r\n04.12.2026;2;700,00;14,00;21,00\r\n", text)

	// Signed out, the cookie is worth nothing even if kept.
	cookies := c.Jar.Cookies(mustURL(t, srv.URL))
	resp, err := c.Post(srv.URL+"/logout", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	stale := browser(t)
	stale.Jar.SetCookies(mustURL(t, srv.URL), cookies)
	status, _, _ = get(t, stale, srv.URL+"/report")
	assert.Equal(t, http.StatusSeeOther, status)
	_ = w
}

func TestWebManagerAndExpiry(t *testing.T) {
	w, srv := webWorld(t)
	c := browser(t)
	status, _, _ := signIn(t, c, srv.URL, "olga", "olga-secret")
	require.Equal(t, http.StatusSeeOther, status)
	q := "from=2026-12-01&to=2026-12-31"
	status, body, _ := get(t, c, srv.URL+"/report?"+q)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, [][]string{{"P1", "3", "1700.00", "34.00", "51.00"}}, cells(body), "a manager sees the one point")
	assert.NotContains(t, body, "P3")
	status, _, _ = get(t, c, srv.URL+"/report?point=P3&"+q)
	assert.Equal(t, http.StatusForbidden, status)

	_, body, _ = get(t, c, srv.URL+"/points")
	require.Len(t, cells(body), 1)
	assert.NotContains(t, body, "P3")

	// South's partner sees only south.
	s := browser(t)
	status, _, _ = signIn(t, s, srv.URL, "sam", "sam-secret")
	require.Equal(t, http.StatusSeeOther, status)
	_, body, _ = get(t, s, srv.URL+"/report?"+q)
	assert.Equal(t, [][]string{{"P2", "3", "1700.00", "34.00", "51.00"}}, cells(body))

	w.clk.Advance(SessionTTL + time.Minute)
	status, _, hdr := get(t, c, srv.URL+"/report?"+q)
	assert.Equal(t, http.StatusSeeOther, status, "the session has expired")
	assert.Equal(t, "/login", hdr.Get("Location"))
}

// TestReportReadsSummaries checks the report against the raw payments it
// does not read.
func TestReportReadsSummaries(t *testing.T) {
	w, _ := webWorld(t)
	ctx := context.Background()
	rows, err := w.hub.Report(ctx, &User{Login: "ivan", Role: RolePartner, Partner: "north"},
		Query{From: t0.AddDate(0, 0, -3), To: t0, By: ByPoint})
	require.NoError(t, err)
	var sum money.Amount
	for _, r := range rows {
		sum += r.Commission
	}
	assert.EqualValues(t, count(t, w.db, "SELECT sum(commission) FROM payments WHERE state = 'paid' AND point IN ('P1', 'P3')"), sum)
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestPaymentLookup(t *testing.T) {
	w, srv := webWorld(t)
	ctx := context.Background()
	code := wire.NewLookup()
	d := &desk{point: "P1", key: dealer, seq: 5}
	d.log = make([]wire.Event, 5) // P1's first five events are on the hub already
	d.pay("LOOK-1", "megafon", "kassir", 25000, wire.Disputed, wire.Undecided, t0)
	d.log[5].Payment.Lookup = code
	_, err := w.hub.Ingest(ctx, d.batch(t, 6, 6))
	require.NoError(t, err)

	c := browser(t) // no sign-in: the payer has only the slip
	page := wire.LookupURL(srv.URL, "P1", "LOOK-1", code)
	status, body, _ := get(t, c, page)
	require.Equal(t, http.StatusOK, status, body)
	for _, want := range []string{`id="provider">megafon<`, `id="number">916***4567<`, `id="amount">250.00<`,
		`id="accepted">2026-12-04 12:30<`, `id="state" class="state">принят, уточняется у оператора<`} {
		assert.Contains(t, body, want)
	}
	for _, never := range []string{"kassir", "5.00", "7.50", "P3", "mts"} {
		assert.NotContains(t, body, never, "the payer sees this payment alone")
	}

	// Support decided: paid.
	p := *d.log[5].Payment
	p.State, p.Closed = wire.Paid, wire.BySupport
	d.add(wire.Event{Type: wire.TypePayment, Payment: &p})
	_, err = w.hub.Ingest(ctx, d.batch(t, 7, 7))
	require.NoError(t, err)
	_, body, _ = get(t, c, page)
	assert.Contains(t, body, `id="state" class="state">зачислен<`)

	for _, u := range []string{
		wire.LookupURL(srv.URL, "P1", "LOOK-1", wire.NewLookup()), // a wrong code
		srv.URL + "/p/P1/LOOK-1",                                  // none
		wire.LookupURL(srv.URL, "P3", "LOOK-1", code),             // another point
		wire.LookupURL(srv.URL, "P1", session(1), code),           // a payment without a code
		wire.LookupURL(srv.URL, "P1", session(1), ""),
	} {
		status, body, _ := get(t, c, u)
		assert.Equal(t, http.StatusNotFound, status, u)
		assert.Contains(t, body, `id="not-found"`, u)
		assert.NotContains(t, body, "megafon", u)
	}
}

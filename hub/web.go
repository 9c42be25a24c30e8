package hub

import (
	"embed"
	"errors"
	"html/template"
	"net/http"

	"paydesk/internal/i18n"
)

//go:embed web/*.html
var webFiles embed.FS

// cookieName is the session cookie's.
const cookieName = "paydesk_hub"

// pages are the partner's page's templates, each the layout with its
// content; "t" is bound to the request's language when it is drawn.
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{"t": func(string, ...any) string { return "" }}
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "report", "points", "agent"} {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(webFiles, "web/layout.html", "web/"+name+".html"))
	}
	out["payment"] = template.Must(template.New("payment").Funcs(funcs).ParseFS(webFiles, "web/payment.html"))
	return out
}()

// page is what every page's layout reads.
type page struct {
	Lang  string
	User  *User
	Error string
}

func (h *Hub) webRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/report", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.signIn)
	mux.HandleFunc("POST /logout", h.signOut)
	mux.HandleFunc("GET /report", h.signedIn(h.reportPage))
	mux.HandleFunc("GET /report.csv", h.signedIn(h.reportCSV))
	mux.HandleFunc("GET /points", h.signedIn(h.pointsPage))
	mux.HandleFunc("GET /agent", h.signedIn(h.agentPage))
	mux.HandleFunc("GET /p/{point}/{session}", h.paymentPage)
}

type paymentData struct {
	Lang                                      string
	Found                                     bool
	Provider, Number, Amount, Accepted, State string
}

// paymentPage is the payer's view of one payment, opened from the slip's
// QR code (wire.LookupURL): the provider, the masked number, the amount
// and the state, and nothing else. A wrong code, a payment without one and
// a payment that is not there look the same.
func (h *Hub) paymentPage(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	d := paymentData{Lang: l}
	p, err := h.LookUp(r.Context(), r.PathValue("point"), r.PathValue("session"), r.URL.Query().Get("c"))
	status := http.StatusOK
	switch {
	case err == nil:
		d.Found = true
		d.Provider, d.Number, d.Amount = p.Provider, p.Number, p.Amount.String()
		d.Accepted = p.Accepted.In(p.Zone).Format("2006-01-02 15:04")
		d.State = i18n.Text(l, "hub.web.state."+string(p.State))
	case errors.Is(err, KindNotFound):
		status = http.StatusNotFound
	default:
		h.log.Error("payment lookup", "err", err)
		status = http.StatusServiceUnavailable
	}
	h.draw(w, r, status, "payment", d)
}

type pointsData struct {
	page
	Points []Status
}

func (h *Hub) pointsPage(w http.ResponseWriter, r *http.Request, u *User) {
	d := pointsData{page: page{Lang: lang(r), User: u}}
	status := http.StatusOK
	var err error
	if d.Points, err = h.Statuses(r.Context(), u); err != nil {
		status, d.Error = h.webError(err, lang(r))
	}
	h.draw(w, r, status, "points", d)
}

func (h *Hub) draw(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	lang := lang(r)
	t, err := pages[name].Clone()
	if err == nil {
		t.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return i18n.Text(lang, key, args...) }})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err == nil {
		err = t.ExecuteTemplate(w, "layout", data)
	}
	if err != nil {
		h.log.Error("page not drawn", "page", name, "err", err)
	}
}

type loginData struct {
	page
	Login string
}

func (h *Hub) loginPage(w http.ResponseWriter, r *http.Request) {
	h.draw(w, r, http.StatusOK, "login", loginData{page: page{Lang: lang(r)}})
}

func (h *Hub) signIn(w http.ResponseWriter, r *http.Request) {
	login, password := r.PostFormValue("login"), r.PostFormValue("password")
	u, err := h.SignIn(r.Context(), login, password)
	if err == nil {
		var token string
		token, err = h.NewSession(r.Context(), u)
		if err == nil {
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true,
				Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL.Seconds())})
			h.log.Info("signed in", "login", u.Login)
			http.Redirect(w, r, "/report", http.StatusSeeOther)
			return
		}
	}
	status, text := http.StatusUnauthorized, KindSignIn.Msg().In(lang(r))
	if !errors.Is(err, KindSignIn) {
		status, text = http.StatusServiceUnavailable, KindDatabase.Msg().In(lang(r))
		h.log.Error("sign-in failed", "err", err)
	}
	h.draw(w, r, status, "login", loginData{page: page{Lang: lang(r), Error: text}, Login: login})
}

func (h *Hub) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		_ = h.EndSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// signedIn gives a handler the session's user, or sends the browser to
// the sign-in page.
func (h *Hub) signedIn(next func(http.ResponseWriter, *http.Request, *User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		u, err := h.Session(r.Context(), c.Value)
		if errors.Is(err, KindSignIn) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			h.log.Error("session", "err", err)
			http.Error(w, KindDatabase.Msg().In(lang(r)), http.StatusServiceUnavailable)
			return
		}
		next(w, r, u)
	}
}

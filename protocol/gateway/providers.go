package gateway

import (
	_ "embed"
	"fmt"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"paydesk/internal/i18n"
	"paydesk/money"
)

// Group is a provider group as the cashier sees it.
type Group string

// The provider groups.
const (
	Mobile    Group = "mobile"
	Internet  Group = "internet"
	TV        Group = "tv"
	Utilities Group = "utilities"
)

// Groups lists the groups in display order.
var Groups = []Group{Mobile, Internet, TV, Utilities}

// Provider is one operator the point takes payments for.
type Provider struct {
	Code      string // short id used by the CLI and the UI
	Name      string // as receipts and slips print it (Russian)
	NameEN    string // as an English window shows it ("": Name)
	Group     Group
	CheckURL  string
	PayURL    string
	StatusURL string
	// Field is the request field that carries the payer's id: NUMBER or ACCOUNT.
	Field string
	// Pattern validates the normalised payer id; Hint says in words what it
	// wants (HintEN in English).
	Pattern *regexp.Regexp
	Hint    string
	HintEN  string
	Min     money.Amount
	Max     money.Amount
	// Commission is the partner's rate for this provider.
	Commission money.Rate
	// Extra fields sent with every check and pay, such as a service code.
	Extra map[string]string
	// Encoded names the fields of this provider's answers (check, pay and
	// status) that come URL-encoded in windows-1251, such as ADDINFO on some
	// gateways: the client decodes these and takes every other field
	// verbatim. Upper case; nil when none.
	Encoded []string
	// Supplier is the provider as the fiscal receipt names it (tags 1224,
	// 1225, 1226, 1171).
	Supplier Supplier
	// Inputs are the fields the cashier fills, when the provider is
	// described field by field (an imported operator); nil for a provider
	// with one payer id in Field.
	Inputs []*Input
	// Requests are the layouts of check, pay and status (ReqCheck, ReqPay,
	// ReqStatus) of a provider with Inputs.
	Requests map[string]*Request
	// QR maps the provider's fields to the keys of a bill's payment QR code
	// (GOST R 56042-2014) that fill them: field id (or "number" for a
	// provider of one number or account) to key, such as period:
	// PaymPeriod. The main field takes PersAcc unless mapped.
	QR map[string]string
}

// Supplier is the legal entity behind a provider.
type Supplier struct {
	Name  string `yaml:"name,omitempty"`  // legal name, such as ПАО "МТС"
	INN   string `yaml:"inn,omitempty"`   // 10 or 12 digits
	Phone string `yaml:"phone,omitempty"` // +7...
}

// ProviderFile is a provider in the catalogue's file form (YAML).
type ProviderFile struct {
	Code       string              `yaml:"code"`
	Name       string              `yaml:"name"`
	NameEN     string              `yaml:"name_en,omitempty"`
	Group      string              `yaml:"group"`
	CheckURL   string              `yaml:"check_url"`
	PayURL     string              `yaml:"pay_url"`
	StatusURL  string              `yaml:"status_url"`
	Field      string              `yaml:"field,omitempty"`
	Pattern    string              `yaml:"pattern,omitempty"`
	Hint       string              `yaml:"hint,omitempty"`
	HintEN     string              `yaml:"hint_en,omitempty"`
	Min        string              `yaml:"min,omitempty"`
	Max        string              `yaml:"max,omitempty"`
	Commission string              `yaml:"commission,omitempty"`
	Extra      map[string]string   `yaml:"extra,omitempty"`
	Encoded    []string            `yaml:"encoded,omitempty"`
	Supplier   Supplier            `yaml:"supplier,omitempty"`
	Fields     []InputFile         `yaml:"fields,omitempty"`
	Requests   map[string]*Request `yaml:"requests,omitempty"`
	QR         map[string]string   `yaml:"qr,omitempty"`
}

// File is the provider in the catalogue's file form: ParseCatalogue reads
// it back as the same provider (its URLs as resolved).
func (p *Provider) File() ProviderFile {
	y := ProviderFile{Code: p.Code, Name: p.Name, NameEN: p.NameEN, Group: string(p.Group),
		CheckURL: p.CheckURL, PayURL: p.PayURL, StatusURL: p.StatusURL, Field: p.Field, Pattern: p.Pattern.String(),
		Hint: p.Hint, HintEN: p.HintEN, Min: p.Min.String(), Max: p.Max.String(), Commission: p.Commission.String(),
		Extra: p.Extra, Encoded: p.Encoded, Supplier: p.Supplier, Requests: p.Requests, QR: p.QR}
	for _, in := range p.Inputs {
		y.Fields = append(y.Fields, in.File())
	}
	return y
}

// CatalogueFile is the catalogue's file form.
type CatalogueFile struct {
	Providers []ProviderFile `yaml:"providers"`
}

// Catalogue is the list of providers.
type Catalogue struct {
	Providers []*Provider
}

//go:embed providers.yaml
var defaultCatalogue []byte

// DefaultCatalogue returns the built-in training catalogue with its URLs
// resolved against base (the gateway simulator's address, such as
// "http://127.0.0.1:8780").
func DefaultCatalogue(base string) (*Catalogue, error) {
	return ParseCatalogue(defaultCatalogue, base)
}

// LoadCatalogue reads a catalogue file; URLs that are paths ("/cgi-bin/...")
// resolve against base.
func LoadCatalogue(file, base string) (*Catalogue, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, configErr("load providers", err, i18n.M("gateway.catalogue_unreadable"))
	}
	c, err := ParseCatalogue(b, base)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func configErr(op string, err error, m i18n.Msg) error {
	return &Error{Op: op, Kind: KindConfig, Text: m, Err: err}
}

// ParseCatalogue reads a catalogue in YAML and checks every entry.
func ParseCatalogue(b []byte, base string) (*Catalogue, error) {
	const op = "load providers"
	var doc CatalogueFile
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, configErr(op, err, i18n.M("gateway.catalogue_yaml"))
	}
	if len(doc.Providers) == 0 {
		return nil, configErr(op, nil, i18n.M("gateway.catalogue_empty"))
	}
	c := &Catalogue{}
	seen := map[string]bool{}
	for i, y := range doc.Providers {
		p, err := y.provider(base)
		if err != nil {
			return nil, configErr(op, err, i18n.M("gateway.catalogue_entry", "n", i+1, "code", y.Code))
		}
		if seen[p.Code] {
			return nil, configErr(op, nil, i18n.M("gateway.catalogue_twice", "code", p.Code))
		}
		seen[p.Code] = true
		c.Providers = append(c.Providers, p)
	}
	return c, nil
}

func (y ProviderFile) provider(base string) (*Provider, error) {
	p := &Provider{Code: y.Code, Name: y.Name, NameEN: y.NameEN, Group: Group(y.Group), Field: strings.ToUpper(y.Field),
		Hint: y.Hint, HintEN: y.HintEN, Extra: y.Extra, Commission: money.DefaultCommission, Supplier: y.Supplier}
	if p.Code == "" || p.Name == "" {
		return nil, fmt.Errorf("code and name are required")
	}
	switch p.Group {
	case Mobile, Internet, TV, Utilities:
	default:
		return nil, fmt.Errorf("group %q is not mobile, internet, tv or utilities", y.Group)
	}
	if p.Field == "" {
		p.Field = "NUMBER"
	}
	if p.Field != "NUMBER" && p.Field != "ACCOUNT" {
		return nil, fmt.Errorf("field %q is not NUMBER or ACCOUNT", y.Field)
	}
	for _, name := range y.Encoded {
		n := strings.ToUpper(strings.TrimSpace(name))
		if !nameRE.MatchString(n) {
			return nil, fmt.Errorf("encoded: %q is not a field name", name)
		}
		if !slices.Contains(p.Encoded, n) {
			p.Encoded = append(p.Encoded, n)
		}
	}
	var err error
	for _, u := range []struct {
		in  string
		out *string
		fld string
	}{{y.CheckURL, &p.CheckURL, "check_url"}, {y.PayURL, &p.PayURL, "pay_url"}, {y.StatusURL, &p.StatusURL, "status_url"}} {
		if *u.out, err = resolveURL(u.in, base); err != nil {
			return nil, fmt.Errorf("%s: %w", u.fld, err)
		}
	}
	pat := y.Pattern
	if pat == "" {
		pat = `^\d{1,20}$`
	}
	if p.Pattern, err = regexp.Compile(pat); err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	if p.Min, err = parseLimit(y.Min, 1_00); err != nil {
		return nil, fmt.Errorf("min: %w", err)
	}
	if p.Max, err = parseLimit(y.Max, 15000_00); err != nil {
		return nil, fmt.Errorf("max: %w", err)
	}
	if p.Min <= 0 || p.Min > p.Max {
		return nil, fmt.Errorf("min %v and max %v do not make a range", p.Min, p.Max)
	}
	if inn := p.Supplier.INN; inn != "" && (len(inn) != 10 && len(inn) != 12 || strings.Trim(inn, "0123456789") != "") {
		return nil, fmt.Errorf("supplier inn %q is not 10 or 12 digits", inn)
	}
	if ph := p.Supplier.Phone; ph != "" && !phoneRE.MatchString(ph) {
		return nil, fmt.Errorf("supplier phone %q is not +digits", ph)
	}
	if y.Commission != "" {
		if p.Commission, err = money.ParseRate(y.Commission); err != nil {
			return nil, err
		}
	}
	if err := y.inputs(p); err != nil {
		return nil, err
	}
	for id, key := range y.QR {
		if id != "number" && p.Input(id) == nil || !nameRE.MatchString(key) {
			return nil, fmt.Errorf("qr: %s: %s is not a field of the provider and a QR key", id, key)
		}
	}
	p.QR = y.QR
	return p, nil
}

func parseLimit(s string, def money.Amount) (money.Amount, error) {
	if s == "" {
		return def, nil
	}
	return money.Parse(s)
}

// resolveURL trims the URL (scraped lists carry trailing spaces) and
// resolves a path against base.
func resolveURL(s, base string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("missing")
	}
	if strings.HasPrefix(s, "/") {
		if base == "" {
			return "", fmt.Errorf("%q is a path but no gateway base URL is configured", s)
		}
		s = strings.TrimRight(base, "/") + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("%q is not an http(s) URL", s)
	}
	return u.String(), nil
}

var phoneRE = regexp.MustCompile(`^\+\d{5,18}$`)

// Find returns the provider with the code.
func (c *Catalogue) Find(code string) (*Provider, error) {
	for _, p := range c.Providers {
		if p.Code == code {
			return p, nil
		}
	}
	return nil, &Error{Op: "find provider", Kind: KindInput,
		Text: i18n.M("gateway.unknown_provider", "code", code)}
}

// ByGroup returns the providers of a group in catalogue order.
func (c *Catalogue) ByGroup(g Group) []*Provider {
	var out []*Provider
	for _, p := range c.Providers {
		if p.Group == g {
			out = append(out, p)
		}
	}
	return out
}

// Normalize strips what a cashier types around a number: spaces, dashes,
// parentheses, and for mobile providers a leading +7 or 8 of an 11-digit
// Russian number.
func (p *Provider) Normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '\t', '\u00a0':
			return -1
		}
		return r
	}, s)
	if p.Group == Mobile {
		s = strings.TrimPrefix(s, "+")
		if len(s) == 11 && (s[0] == '7' || s[0] == '8') {
			s = s[1:]
		}
	}
	return s
}

// Validate normalises the payer id and checks it against the pattern.
func (p *Provider) Validate(id string) (string, error) {
	n := p.Normalize(id)
	if n == "" || !p.Pattern.MatchString(n) || len(n) > 20 {
		hint, hintEN := p.Hint, p.HintEN
		if hintEN == "" {
			hintEN = hint
		}
		if hint == "" {
			hint = hintEN
		}
		return "", &Error{Op: "validate", Kind: KindInput, Text: i18n.M("gateway.bad_number",
			"field", p.Field, "id", id, "provider", p.Name, "hint", hint, "hint_en", hintEN)}
	}
	return n, nil
}

// CheckAmount checks the amount against the provider's limits.
func (p *Provider) CheckAmount(a money.Amount) error {
	if a < p.Min || a > p.Max {
		return &Error{Op: "validate", Kind: KindInput, Text: i18n.M("gateway.amount_range",
			"amount", a, "min", p.Min, "max", p.Max, "provider", p.Name)}
	}
	return nil
}

// GatewayDir returns the gateway directory of a URL such as
// ".../cgi-bin/es/es_pay.cgi/mts" ("es"), for the simulator's routing.
func GatewayDir(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	dir := path.Dir(pu.Path)
	if strings.HasSuffix(pu.Path, ".cgi") {
		return path.Base(dir)
	}
	return path.Base(path.Dir(dir))
}

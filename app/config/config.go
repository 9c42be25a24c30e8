// Package config loads PayDesk's configuration: a YAML file read with viper,
// with PAYDESK_ environment variables overriding any key (PAYDESK_POINT_SD,
// PAYDESK_KEYS_PASSPHRASE, ...). With no file PayDesk runs in training mode
// against its built-in gateway simulator and fiscal register emulator.
package config

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/viper"

	"paydesk/commission"
	"paydesk/fiscal"
	"paydesk/internal/clock"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

// EnvPrefix prefixes the environment variables that override the file.
const EnvPrefix = "PAYDESK"

// Config is PayDesk's configuration.
type Config struct {
	// File is the file loaded ("" when none) and Dir the folder relative
	// paths resolve against.
	File string `mapstructure:"-"`
	Dir  string `mapstructure:"-"`

	Training bool   `mapstructure:"training"`
	Language string `mapstructure:"language"` // ru or en
	DataDir  string `mapstructure:"data_dir"` // database, logs, training keys

	Point     Point   `mapstructure:"point"`
	Keys      Keys    `mapstructure:"keys"`
	Gateway   Gateway `mapstructure:"gateway"`
	Providers string  `mapstructure:"providers"` // catalogue file; "" is the built-in one
	// Commissions is the commission schedule file (the point's fee and the
	// partner's commission by provider, weekday, time and amount);
	// "" for agent.fee and the catalogue's rates.
	Commissions string `mapstructure:"commissions"`
	Store       Store  `mapstructure:"store"`
	Fiscal      Fiscal `mapstructure:"fiscal"`
	Agent       Agent  `mapstructure:"agent"`
	Hub         Hub    `mapstructure:"hub"`
}

// Hub is where the desk ships what happened (issue 17): nothing is sent
// when URL is "".
type Hub struct {
	URL   string        `mapstructure:"url"`   // the hub's base URL, https (http only to this computer)
	Point string        `mapstructure:"point"` // the point's id as registered on the hub
	Every time.Duration `mapstructure:"every"` // how often it syncs besides after each change
}

// Store names the database.
type Store struct {
	Path string `mapstructure:"path"` // default: paydesk.db in the data folder (training.db in training mode)
}

// Fiscal configures the fiscal register.
type Fiscal struct {
	// Port is a device path (/dev/ttyUSB0, COM3), tcp://host:port, "emulator"
	// (one in-process, as in training) or "none" (receipts wait in the queue).
	Port     string `mapstructure:"port"`
	Baud     int    `mapstructure:"baud"`
	Password uint32 `mapstructure:"password"`
	// Driver is the register's protocol: shtrih or atol (FiscalDrivers).
	Driver string `mapstructure:"driver"`
}

// FiscalDrivers are the values fiscal.driver may take, the names the
// drivers register with fiscal.Open.
func FiscalDrivers() []string { return []string{"shtrih", "atol"} }

// Agent is the point as a payment agent, for receipts.
type Agent struct {
	PointName     string `mapstructure:"point_name"`
	Name          string `mapstructure:"name"`
	INN           string `mapstructure:"inn"`
	Address       string `mapstructure:"address"`
	Phone         string `mapstructure:"phone"`
	OperatorPhone string `mapstructure:"operator_phone"`
	Role          string `mapstructure:"role"`       // subagent (default) or agent
	TaxSystem     string `mapstructure:"tax_system"` // osn, usn, usn-minus, eshn, psn; required outside training
	Fee           string `mapstructure:"fee"`        // the point's fee to the payer, as a rate ("0%", "1%")
	// FeeTax is the VAT of the point's own fee line: none, vat22, vat10,
	// vat7, vat5, vat0; required outside training.
	FeeTax string `mapstructure:"fee_tax"`
}

// Point holds the codes the network gave the point.
type Point struct {
	SD string `mapstructure:"sd"`
	AP string `mapstructure:"ap"`
	OP string `mapstructure:"op"`
}

// Keys names the key files.
type Keys struct {
	Secret         string `mapstructure:"secret"`          // the point's secret key
	PassphraseFile string `mapstructure:"passphrase_file"` // its passphrase, in plain text (store "file")
	// PassphraseStore says where the passphrase is kept: "keyring" (the
	// operating system's credential store), "ask" (asked at every start)
	// or "file" (PassphraseFile); "" is "file" when PassphraseFile is set,
	// else "ask" (PassphraseSource).
	PassphraseStore string `mapstructure:"passphrase_store"`
	// Passphrase is normally set through PAYDESK_KEYS_PASSPHRASE only (it
	// overrides the store); Unlock sets it in memory to the one that opened
	// the key.
	Passphrase string `mapstructure:"passphrase"`
	Bank       string `mapstructure:"bank"` // file holding the bank's public key
	BankSerial uint32 `mapstructure:"bank_serial"`
	Hash       string `mapstructure:"hash"` // md5 or sha256
	BankSHA256 bool   `mapstructure:"bank_sha256"`
}

// Gateway holds the network settings.
type Gateway struct {
	// BaseURL resolves catalogue URLs that are paths (the training catalogue).
	BaseURL    string        `mapstructure:"base_url"`
	BalanceURL string        `mapstructure:"balance_url"`
	Timeout    time.Duration `mapstructure:"timeout"`
	// BalanceWarn: below this dealer balance (a sum such as "5000.00") the
	// window warns; "0" never.
	BalanceWarn string `mapstructure:"balance_warn"`
}

// check refuses a hub URL that is not https (http only to this computer),
// a hub without the point's id, and an interval outside 5 s..1 h.
func (h Hub) check() error {
	if h.URL == "" {
		return nil
	}
	u, err := url.Parse(h.URL)
	local := err == nil && u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
	if err != nil || u.Host == "" || u.Scheme != "https" && !local {
		return bad("hub.url", i18n.M("config.hub_url", "value", h.URL), err)
	}
	if h.Point == "" {
		return bad("hub.point", i18n.M("config.needed"), nil)
	}
	if h.Every < 5*time.Second || h.Every > time.Hour {
		return bad("hub.every", i18n.M("config.hub_every", "value", h.Every), nil)
	}
	return nil
}

// BalanceWarning is gateway.balance_warn as a sum (Validate checked it).
func (g Gateway) BalanceWarning() money.Amount {
	a, _ := money.Parse(g.BalanceWarn)
	return a
}

// Error is a configuration problem, with the key at fault and its message.
type Error struct {
	Key  string
	Text i18n.Msg
	Err  error
}

func (e *Error) Error() string {
	s := "config"
	if e.Key != "" {
		s += ": " + e.Key
	}
	s += ": " + e.Text.In(i18n.EN)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Msg names the message (without the key).
func (e *Error) Msg() i18n.Msg { return e.Text }

func bad(key string, m i18n.Msg, err error) error { return &Error{Key: key, Text: m, Err: err} }

// defaults are the training settings.
var defaults = map[string]any{
	"training":              false,
	"language":              "ru",
	"data_dir":              "",
	"point.sd":              "17031",
	"point.ap":              "17032",
	"point.op":              "17034",
	"keys.secret":           "",
	"keys.passphrase_file":  "",
	"keys.passphrase_store": "",
	"keys.passphrase":       "",
	"keys.bank":             "",
	"keys.bank_serial":      64182,
	"keys.hash":             "md5",
	"keys.bank_sha256":      false,
	"gateway.base_url":      "",
	"gateway.balance_url":   "",
	"gateway.timeout":       "60s",
	"gateway.balance_warn":  "5000.00",
	"hub.url":               "",
	"hub.point":             "",
	"hub.every":             "1m",
	"providers":             "",
	"commissions":           "",
	"store.path":            "",
	"fiscal.port":           "",
	"fiscal.baud":           115200,
	"fiscal.password":       30,
	"fiscal.driver":         "shtrih",
	"agent.point_name":      "",
	"agent.name":            "",
	"agent.inn":             "",
	"agent.address":         "",
	"agent.phone":           "",
	"agent.operator_phone":  "",
	"agent.role":            "subagent",
	"agent.tax_system":      "",
	"agent.fee":             "0%",
	"agent.fee_tax":         "",
}

// TaxSystemNames returns the values agent.tax_system may take: osn, usn,
// usn-minus, eshn, psn.
func TaxSystemNames() []string { return fiscal.TaxSystemNames() }

// TaxSystem returns the tax system (tag 1055) that agent.tax_system's
// value name stands for, and false when name is none of TaxSystemNames.
func TaxSystem(name string) (fiscal.TaxSystem, bool) { return fiscal.TaxSystemNamed(name) }

// The range of fiscal.password, the register's operator password.
const (
	MinFiscalPassword = 1
	MaxFiscalPassword = 9999
)

// FiscalPasswordOK reports whether p is a valid fiscal.password.
func FiscalPasswordOK(p int64) bool { return p >= MinFiscalPassword && p <= MaxFiscalPassword }

// oneOf lists names as "a, b, c or d" (conj "or", "или").
func oneOf(names []string, conj string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + conj + " " + names[len(names)-1]
}

// Load reads the configuration file (none: training defaults) and the
// PAYDESK_ environment, and checks every value.
func Load(file string) (*Config, error) {
	if file == "" {
		return load("", nil)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, bad("", i18n.M("config.read_file", "file", file), err)
	}
	return load(file, b)
}

// load is Load of b, the content of file ("" and nil: no file).
func load(file string, b []byte) (*Config, error) {
	v, c, err := decode(file, b)
	if err != nil {
		return nil, err
	}
	if v.GetInt64("keys.bank_serial") < 0 {
		// Decoding wraps a negative number into a huge serial.
		return nil, bad("keys.bank_serial", i18n.M("config.bank_serial_negative"), nil)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if !c.Training {
		// The point's codes come from the network: outside training the
		// training codes of the defaults must not be sent in their place.
		for _, k := range []string{"point.sd", "point.ap", "point.op"} {
			if !v.InConfig(k) && os.Getenv(envName(k)) == "" {
				return nil, bad(k, i18n.M("config.point_code_needed"), nil)
			}
		}
	}
	c.resolve()
	return c, nil
}

// decode reads b as the YAML of file over the defaults, with the PAYDESK_
// environment over both, into a Config with its paths not yet resolved and
// nothing checked but the types. With no file ("") training is the default.
func decode(file string, b []byte) (*viper.Viper, *Config, error) {
	v := viper.New()
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	c := &Config{}
	if file != "" {
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(b)); err != nil {
			return nil, nil, bad("", i18n.M("config.file_yaml", "file", file), err)
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, nil, bad("", i18n.M("config.path"), err)
		}
		c.File, c.Dir = abs, filepath.Dir(abs)
	} else {
		v.SetDefault("training", true)
		wd, _ := os.Getwd()
		c.Dir = wd
	}
	if err := v.Unmarshal(c); err != nil {
		return nil, nil, bad(decodeKey(err), i18n.M("config.wrong_type"), err)
	}
	return v, c, nil
}

// envName is the environment variable that overrides key ("fiscal.port":
// PAYDESK_FISCAL_PORT).
func envName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// decodeKey names the key a decoding error is about ("" when it cannot tell).
func decodeKey(err error) string {
	var named interface{ Name() string }
	if errors.As(err, &named) {
		return named.Name()
	}
	return ""
}

// Path resolves p against the configuration file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

func (c *Config) resolve() {
	c.Keys.Secret = c.Path(c.Keys.Secret)
	c.Keys.PassphraseFile = c.Path(c.Keys.PassphraseFile)
	c.Keys.Bank = c.Path(c.Keys.Bank)
	c.Providers = c.Path(c.Providers)
	c.Commissions = c.Path(c.Commissions)
	c.DataDir = c.Path(c.DataDir)
	c.Store.Path = c.Path(c.Store.Path)
}

func digits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

func (c *Config) validate() error {
	if c.Language != "ru" && c.Language != "en" {
		return bad("language", i18n.M("config.language", "value", c.Language), nil)
	}
	for _, p := range []struct{ key, v string }{{"point.sd", c.Point.SD}, {"point.ap", c.Point.AP}, {"point.op", c.Point.OP}} {
		if !digits(p.v) {
			return bad(p.key, i18n.M("config.digits", "value", p.v), nil)
		}
	}
	if _, err := ipriv.ParseHash(c.Keys.Hash); err != nil {
		return bad("keys.hash", i18n.M("config.hash", "value", c.Keys.Hash), nil)
	}
	if c.Keys.BankSerial == 0 {
		return bad("keys.bank_serial", i18n.M("config.bank_serial_needed"), nil)
	}
	if err := c.Keys.checkStore(); err != nil {
		return err
	}
	if c.Gateway.Timeout < time.Second || c.Gateway.Timeout > 10*time.Minute {
		return bad("gateway.timeout", i18n.M("config.timeout", "value", c.Gateway.Timeout), nil)
	}
	if err := c.Hub.check(); err != nil {
		return err
	}
	if a, err := money.Parse(c.Gateway.BalanceWarn); err != nil || a < 0 {
		return bad("gateway.balance_warn", i18n.M("config.balance_warn", "value", c.Gateway.BalanceWarn), nil)
	}
	for _, u := range []struct{ key, v string }{{"gateway.balance_url", c.Gateway.BalanceURL}, {"gateway.base_url", c.Gateway.BaseURL}} {
		if u.v == "" {
			continue
		}
		if err := gateway.CheckURL(u.v); err != nil {
			var ge *gateway.Error
			errors.As(err, &ge)
			return bad(u.key, ge.Msg(), nil)
		}
	}
	switch c.Agent.Role {
	case "subagent", "agent":
	default:
		return bad("agent.role", i18n.M("config.role", "value", c.Agent.Role), nil)
	}
	if err := c.checkTaxes(); err != nil {
		return err
	}
	if _, err := money.ParseRate(c.Agent.Fee); err != nil {
		return bad("agent.fee", i18n.M("config.fee", "value", c.Agent.Fee), nil)
	}
	if inn := c.Agent.INN; inn != "" && (len(inn) != 10 && len(inn) != 12 || !digits(inn)) {
		return bad("agent.inn", i18n.M("config.inn", "value", inn), nil)
	}
	for _, ph := range []struct{ key, v string }{{"agent.phone", c.Agent.Phone}, {"agent.operator_phone", c.Agent.OperatorPhone}} {
		if ph.v != "" && (!strings.HasPrefix(ph.v, "+") || !digits(ph.v[1:]) || len(ph.v) > 19) {
			return bad(ph.key, i18n.M("config.phone", "value", ph.v), nil)
		}
	}
	switch {
	case c.Fiscal.Baud < 1200 || c.Fiscal.Baud > 921600:
		return bad("fiscal.baud", i18n.M("config.baud", "value", c.Fiscal.Baud), nil)
	case !FiscalPasswordOK(int64(c.Fiscal.Password)):
		return bad("fiscal.password", i18n.M("config.password", "min", MinFiscalPassword, "max", MaxFiscalPassword), nil)
	case !slices.Contains(FiscalDrivers(), c.Fiscal.Driver):
		return bad("fiscal.driver", i18n.M("config.driver", "value", c.Fiscal.Driver,
			"choices", oneOf(FiscalDrivers(), "или"), "choices_en", oneOf(FiscalDrivers(), "or")), nil)
	}
	if !c.Training {
		if c.Fiscal.Port == "" {
			return bad("fiscal.port", i18n.M("config.port_needed"), nil)
		}
		for _, k := range []struct{ key, v string }{{"keys.secret", c.Keys.Secret}, {"keys.bank", c.Keys.Bank}} {
			if k.v == "" {
				return bad(k.key, i18n.M("config.needed"), nil)
			}
		}
		if c.Providers == "" && c.Gateway.BaseURL == "" {
			// The built-in catalogue's URLs are paths on gateway.base_url.
			return bad("gateway.base_url", i18n.M("config.base_url_needed"), nil)
		}
		return c.taxesSet()
	}
	return nil
}

// Training's taxes when none are configured: УСН доход, the usual system
// of a small payment agent, and a fee without VAT.
const (
	TrainingTaxSystem = "usn"
	TrainingFeeTax    = "none"
)

// Taxes returns the tax system and the fee's VAT the receipts carry:
// agent.tax_system and agent.fee_tax, or training's when they are not set
// (only training may leave them unset).
func (c *Config) Taxes() (fiscal.TaxSystem, fiscal.Tax) {
	name, fee := c.Agent.TaxSystem, c.Agent.FeeTax
	if name == "" {
		name = TrainingTaxSystem
	}
	if fee == "" {
		fee = TrainingFeeTax
	}
	ts, _ := fiscal.TaxSystemNamed(name)
	ft, _ := fiscal.FeeTaxNamed(fee)
	return ts, ft
}

// taxes are agent.tax_system and agent.fee_tax with their names.
func (c *Config) taxes() []struct {
	key, v, msg string
	names       []string
} {
	return []struct {
		key, v, msg string
		names       []string
	}{
		{"agent.tax_system", c.Agent.TaxSystem, "config.tax_system", TaxSystemNames()},
		{"agent.fee_tax", c.Agent.FeeTax, "config.fee_tax", fiscal.FeeTaxNames()},
	}
}

// checkTaxes checks that agent.tax_system and agent.fee_tax, when set, are
// one of their names.
func (c *Config) checkTaxes() error {
	for _, k := range c.taxes() {
		if k.v != "" && !slices.Contains(k.names, k.v) {
			return bad(k.key, i18n.M(k.msg, "value", k.v, "choices", oneOf(k.names, "или"), "choices_en", oneOf(k.names, "or")), nil)
		}
	}
	return nil
}

// taxesSet demands both outside training: no default is right for every
// agent, and both are checked against the register's registration.
func (c *Config) taxesSet() error {
	for _, k := range c.taxes() {
		if k.v == "" {
			return bad(k.key, i18n.M("config.needed_of", "choices", oneOf(k.names, "или"), "choices_en", oneOf(k.names, "or")), nil)
		}
	}
	return nil
}

// BankKey loads the bank's public key with the configured serial.
func (c *Config) BankKey() (*ipriv.PublicKey, error) {
	b, err := os.ReadFile(c.Keys.Bank)
	if err != nil {
		return nil, bad("keys.bank", i18n.M("config.bank_read"), err)
	}
	ring, err := ipriv.ParseKeyring(b)
	if err != nil {
		return nil, bad("keys.bank", i18n.M("config.bank_load"), err)
	}
	k, err := ring.Find(c.Keys.BankSerial)
	if err != nil {
		return nil, bad("keys.bank_serial", i18n.M("config.bank_serial_missing", "serial", c.Keys.BankSerial, "file", c.Keys.Bank), err)
	}
	return k, nil
}

// Catalogue loads the provider catalogue (the built-in one when none is
// configured), resolving path URLs against gateway.base_url.
func (c *Config) Catalogue() (*gateway.Catalogue, error) {
	if c.Providers == "" {
		return gateway.DefaultCatalogue(c.Gateway.BaseURL)
	}
	return gateway.LoadCatalogue(c.Providers, c.Gateway.BaseURL)
}

// Schedules loads the commission schedule file; nil when none is
// configured.
func (c *Config) Schedules() (*commission.Schedules, error) {
	if c.Commissions == "" {
		return nil, nil
	}
	b, err := os.ReadFile(c.Commissions)
	if err != nil {
		return nil, bad("commissions", i18n.M("config.commissions_unreadable", "file", c.Commissions), err)
	}
	s, err := commission.Parse(b)
	if err != nil {
		return nil, bad("commissions", i18n.M("config.commissions_bad", "file", c.Commissions, "why", err.Error()), err)
	}
	return s, nil
}

// Client builds the gateway client from the configuration.
func (c *Config) Client(clk clock.Clock, log *slog.Logger, hc *http.Client) (*gateway.Client, error) {
	key, err := c.SecretKey()
	if err != nil {
		return nil, err
	}
	bank, err := c.BankKey()
	if err != nil {
		return nil, err
	}
	h, _ := ipriv.ParseHash(c.Keys.Hash)
	return gateway.New(gateway.Config{
		SD: c.Point.SD, AP: c.Point.AP, OP: c.Point.OP,
		Key: key, Hash: h, Bank: bank, BankSHA256: c.Keys.BankSHA256,
		BalanceURL: c.Gateway.BalanceURL, HTTP: hc, Clock: clk, Log: log, Timeout: c.Gateway.Timeout,
	})
}

// UserDir is PayDesk's folder in the user's configuration folder
// (~/.config/paydesk on Linux, %AppData%\paydesk on Windows).
func UserDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", bad("data_dir", i18n.M("config.user_dir"), err)
	}
	return filepath.Join(d, "paydesk"), nil
}

// DefaultFile returns the configuration file in the user's folder when it
// exists, else "" (training defaults).
func DefaultFile() string {
	f, err := UserFile()
	if err != nil {
		return ""
	}
	if _, err := os.Stat(f); err != nil {
		return ""
	}
	return f
}

// DataPath returns the data folder (data_dir, or the user's PayDesk folder),
// created if missing.
func (c *Config) DataPath() (string, error) {
	d := c.DataDir
	if d == "" {
		var err error
		if d, err = UserDir(); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return "", bad("data_dir", i18n.M("config.data_dir", "dir", d), err)
	}
	return d, nil
}

// StorePath returns the database file: store.path, or paydesk.db (training:
// training.db, kept apart from real books) in the data folder.
func (c *Config) StorePath() (string, error) {
	if c.Store.Path != "" {
		return c.Store.Path, nil
	}
	d, err := c.DataPath()
	if err != nil {
		return "", err
	}
	if c.Training {
		return filepath.Join(d, "training.db"), nil
	}
	return filepath.Join(d, "paydesk.db"), nil
}

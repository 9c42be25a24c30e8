package gateway

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"paydesk/internal/i18n"
)

// InputType is how a provider's field is typed and checked.
type InputType string

// The input types, as CyberPlat's operators.xsd names them (number,
// number:float, text, enum).
const (
	TypeNumber InputType = "number" // digits only
	TypeFloat  InputType = "float"  // a decimal number, point or comma
	TypeText   InputType = "text"   // any text
	TypeEnum   InputType = "enum"   // one of Choices' values
)

// Choice is one entry of an enumeration field.
type Choice struct {
	Name   string `yaml:"name"`
	NameEN string `yaml:"name_en,omitempty"`
	Value  string `yaml:"value"`
}

// Input is one field the cashier fills for a provider.
type Input struct {
	ID      string // referred to as {ID} by requests and dependencies
	Name    string // the label (Russian); NameEN in English
	NameEN  string
	Comment string
	Type    InputType
	// Mask is for display only: '*' marks where typed characters go.
	Mask     string
	Password bool // shown masked
	// Pattern, when set, must match the whole typed value.
	Pattern  *regexp.Regexp
	MinSize  int // in characters; 0 for none
	MaxSize  int
	Required bool
	Default  string
	Choices  []Choice
	// Depends, when set, says when the field is in use; a field not in use
	// is neither checked nor sent.
	Depends *Expr
}

// Param is one field a request sends: its name on the wire and its value,
// which may hold {id} macros over the typed fields.
type Param struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Request is the layout of one request (check, pay or status) of a
// provider described field by field.
type Request struct {
	Send []Param `yaml:"send,omitempty"`
	// Receive names the answer's fields that must be present; an answer
	// without one of them is a failed request.
	Receive []string `yaml:"receive,omitempty"`
}

// The request names of a provider's Requests.
const (
	ReqCheck  = "check"
	ReqPay    = "pay"
	ReqStatus = "status"
)

var (
	idRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`)
	macroRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_.-]{0,63})\}`)
	floatRE = regexp.MustCompile(`^-?\d+([.,]\d+)?$`)
)

// Expand replaces the {id} macros of s with vals' values ("" for an id vals
// lacks).
func Expand(s string, vals map[string]string) string {
	return macroRE.ReplaceAllStringFunc(s, func(m string) string { return vals[m[1:len(m)-1]] })
}

// Described reports whether the network describes the provider field by
// field (Inputs and Requests), rather than by one number or account.
func (p *Provider) Described() bool { return len(p.Inputs) > 0 }

// Main is the id of the field that is the payer's number or account: the
// one the check sends alone as Field (NUMBER or ACCOUNT), else the first
// field; "" for a provider that is not described.
func (p *Provider) Main() string {
	if !p.Described() {
		return ""
	}
	if r := p.Requests[ReqCheck]; r != nil {
		for _, s := range r.Send {
			if m := macroRE.FindStringSubmatch(s.Value); strings.EqualFold(s.Name, p.Field) && m != nil && m[0] == s.Value {
				return m[1]
			}
		}
	}
	return p.Inputs[0].ID
}

// Input returns the provider's field with the id, or nil.
func (p *Provider) Input(id string) *Input {
	for _, in := range p.Inputs {
		if in.ID == id {
			return in
		}
	}
	return nil
}

func inputErr(key string, in *Input, args ...any) error {
	name := in.Name
	nameEN := in.NameEN
	if nameEN == "" {
		nameEN = name
	}
	return &Error{Op: "validate", Kind: KindInput,
		Text: i18n.M(key, append([]any{"field", name, "field_en", nameEN}, args...)...)}
}

// Check checks one typed value (spaces around it trimmed; in a number
// field, the spaces that group its digits as on a bill too) against the
// field's description and returns it as it is sent. An empty value is
// refused when the field is required, and returned as "" otherwise.
func (in *Input) Check(v string) (string, error) {
	v = strings.TrimSpace(v)
	if in.Type == TypeNumber {
		v = strings.NewReplacer(" ", "", "\u00a0", "").Replace(v)
	}
	if v == "" {
		if in.Required {
			return "", inputErr("catalogue.required", in)
		}
		return "", nil
	}
	n := utf8.RuneCountInString(v)
	switch {
	case in.MinSize > 0 && n < in.MinSize:
		return "", inputErr("catalogue.too_short", in, "min", in.MinSize, "value", v)
	case in.MaxSize > 0 && n > in.MaxSize:
		return "", inputErr("catalogue.too_long", in, "max", in.MaxSize, "value", v)
	}
	switch in.Type {
	case TypeNumber:
		if strings.Trim(v, "0123456789") != "" {
			return "", inputErr("catalogue.not_number", in, "value", v)
		}
	case TypeFloat:
		if !floatRE.MatchString(v) {
			return "", inputErr("catalogue.not_float", in, "value", v)
		}
		v = strings.Replace(v, ",", ".", 1)
	case TypeEnum:
		if !slices.ContainsFunc(in.Choices, func(c Choice) bool { return c.Value == v }) {
			return "", inputErr("catalogue.not_choice", in, "value", v)
		}
	}
	if in.Pattern != nil && !in.Pattern.MatchString(v) {
		return "", inputErr("catalogue.bad_format", in, "value", v)
	}
	return v, nil
}

// Values checks what the cashier typed (field id to text) against every
// field of the provider: a field left empty takes its default, a field
// whose dependency does not hold is left out, every other one is checked.
// It returns the values to send, by id, or the first field's error.
func (p *Provider) Values(typed map[string]string) (map[string]string, error) {
	vals := map[string]string{}
	for _, in := range p.Inputs {
		v := strings.TrimSpace(typed[in.ID])
		if v == "" {
			v = in.Default
		}
		vals[in.ID] = v
	}
	for id := range typed {
		if p.Input(id) == nil {
			return nil, &Error{Op: "validate", Kind: KindInput, Text: i18n.M("catalogue.unknown_field", "id", id, "provider", p.Name)}
		}
	}
	out := map[string]string{}
	for _, in := range p.Inputs {
		if in.Depends != nil && !in.Depends.Eval(vals) {
			continue
		}
		v, err := in.Check(vals[in.ID])
		if err != nil {
			return nil, err
		}
		out[in.ID] = v
	}
	return out, nil
}

// Params returns the fields request req ("check", "pay", "status") sends
// for vals (as Values returns them): each Param with its macros expanded;
// a param that comes out empty is left out. ok is false when the provider
// describes no such request.
func (p *Provider) Params(req string, vals map[string]string) (f Fields, ok bool) {
	r := p.Requests[req]
	if r == nil {
		return nil, false
	}
	for _, s := range r.Send {
		if v := Expand(s.Value, vals); v != "" {
			f = append(f, Field{Name: s.Name, Value: v})
		}
	}
	return f, true
}

// Missing names the fields request req must receive that the answer lacks.
func (p *Provider) Missing(req string, answer Fields) []string {
	r := p.Requests[req]
	if r == nil {
		return nil
	}
	var out []string
	for _, name := range r.Receive {
		if _, ok := answer.Lookup(name); !ok {
			out = append(out, name)
		}
	}
	return out
}

// Received checks a request's fields as the provider's description says
// (the gateway's side, as the simulator does): each param whose value is
// one {id} macro is read back as that field's value; a field in use (its
// dependency read over the values received) must pass Check. It returns
// the wire name of the first param that does not.
func (p *Provider) Received(req string, f Fields) (bad string, err error) {
	r := p.Requests[req]
	if r == nil || len(p.Inputs) == 0 {
		return "", nil
	}
	vals := map[string]string{}
	wire := map[string]string{}
	for _, s := range r.Send {
		m := macroRE.FindStringSubmatch(s.Value)
		if m == nil || m[0] != s.Value || p.Input(m[1]) == nil {
			continue
		}
		vals[m[1]] = f.Get(s.Name)
		wire[m[1]] = s.Name
	}
	for _, in := range p.Inputs {
		name, sent := wire[in.ID]
		if !sent {
			continue
		}
		if vals[in.ID] == "" && in.Default != "" {
			vals[in.ID] = in.Default
		}
		if in.Depends != nil && !in.Depends.Eval(vals) {
			continue
		}
		if _, err := in.Check(vals[in.ID]); err != nil {
			return name, err
		}
	}
	return "", nil
}

// InputFile is a field in the catalogue's file form.
type InputFile struct {
	ID       string   `yaml:"id"`
	Name     string   `yaml:"name"`
	NameEN   string   `yaml:"name_en,omitempty"`
	Comment  string   `yaml:"comment,omitempty"`
	Type     string   `yaml:"type"`
	Mask     string   `yaml:"mask,omitempty"`
	Password bool     `yaml:"password,omitempty"`
	Pattern  string   `yaml:"pattern,omitempty"`
	MinSize  int      `yaml:"min_size,omitempty"`
	MaxSize  int      `yaml:"max_size,omitempty"`
	Required *bool    `yaml:"required,omitempty"`
	Default  string   `yaml:"default,omitempty"`
	Choices  []Choice `yaml:"choices,omitempty"`
	Depends  string   `yaml:"depends,omitempty"`
}

func (y InputFile) input() (*Input, error) {
	in := &Input{ID: y.ID, Name: y.Name, NameEN: y.NameEN, Comment: y.Comment, Type: InputType(y.Type),
		Mask: y.Mask, Password: y.Password, MinSize: y.MinSize, MaxSize: y.MaxSize, Required: true,
		Default: y.Default, Choices: y.Choices}
	if y.Required != nil {
		in.Required = *y.Required
	}
	if !idRE.MatchString(in.ID) {
		return nil, fmt.Errorf("field id %q is not a name", y.ID)
	}
	if in.Name == "" {
		return nil, fmt.Errorf("field %s: name is required", in.ID)
	}
	switch in.Type {
	case TypeNumber, TypeFloat, TypeText:
		if len(in.Choices) > 0 {
			return nil, fmt.Errorf("field %s: choices are for enum fields", in.ID)
		}
	case TypeEnum:
		if len(in.Choices) == 0 {
			return nil, fmt.Errorf("field %s: an enum needs choices", in.ID)
		}
	default:
		return nil, fmt.Errorf("field %s: type %q is not number, float, text or enum", in.ID, y.Type)
	}
	if in.MinSize < 0 || in.MaxSize < 0 || in.MaxSize > 0 && in.MinSize > in.MaxSize {
		return nil, fmt.Errorf("field %s: min_size %d and max_size %d do not make a range", in.ID, in.MinSize, in.MaxSize)
	}
	var err error
	if y.Pattern != "" {
		if in.Pattern, err = regexp.Compile("^(?:" + y.Pattern + ")$"); err != nil {
			return nil, fmt.Errorf("field %s: pattern: %w", in.ID, err)
		}
	}
	if y.Depends != "" {
		if in.Depends, err = ParseExpr(y.Depends); err != nil {
			return nil, fmt.Errorf("field %s: %w", in.ID, err)
		}
	}
	if in.Default != "" {
		d := *in
		d.Required = false
		if _, err := d.Check(in.Default); err != nil {
			return nil, fmt.Errorf("field %s: default %q does not pass the field's own check", in.ID, in.Default)
		}
	}
	return in, nil
}

// File is the field in the catalogue's file form (what input reads back).
func (in *Input) File() InputFile {
	y := InputFile{ID: in.ID, Name: in.Name, NameEN: in.NameEN, Comment: in.Comment, Type: string(in.Type), Mask: in.Mask,
		Password: in.Password, MinSize: in.MinSize, MaxSize: in.MaxSize, Default: in.Default, Choices: in.Choices}
	if !in.Required {
		y.Required = new(false)
	}
	if in.Pattern != nil {
		y.Pattern = strings.TrimSuffix(strings.TrimPrefix(in.Pattern.String(), "^(?:"), ")$")
	}
	if in.Depends != nil {
		y.Depends = in.Depends.String()
	}
	return y
}

// inputs reads the fields and requests of a provider's file form.
func (y ProviderFile) inputs(p *Provider) error {
	for _, fy := range y.Fields {
		in, err := fy.input()
		if err != nil {
			return err
		}
		if p.Input(in.ID) != nil {
			return fmt.Errorf("field %s appears twice", in.ID)
		}
		p.Inputs = append(p.Inputs, in)
	}
	for _, in := range p.Inputs {
		if in.Depends == nil {
			continue
		}
		for _, id := range in.Depends.Refs() {
			if p.Input(id) == nil {
				return fmt.Errorf("field %s: its dependency reads {%s}, which is no field", in.ID, id)
			}
		}
	}
	for name, r := range y.Requests {
		switch name {
		case ReqCheck, ReqPay, ReqStatus:
		default:
			return fmt.Errorf("requests: %q is not check, pay or status", name)
		}
		if r == nil {
			return fmt.Errorf("requests: %s is empty", name)
		}
		for _, s := range r.Send {
			if !nameRE.MatchString(strings.ToUpper(s.Name)) {
				return fmt.Errorf("requests: %s: %q is not a field name", name, s.Name)
			}
			for _, m := range macroRE.FindAllStringSubmatch(s.Value, -1) {
				if p.Input(m[1]) == nil {
					return fmt.Errorf("requests: %s: %s reads {%s}, which is no field", name, s.Name, m[1])
				}
			}
			if strings.Count(s.Value, "{") != len(macroRE.FindAllString(s.Value, -1)) {
				return fmt.Errorf("requests: %s: %s: %q has a brace that is no {id} macro", name, s.Name, s.Value)
			}
		}
		for _, rc := range r.Receive {
			if !nameRE.MatchString(strings.ToUpper(rc)) {
				return fmt.Errorf("requests: %s: receive %q is not a field name", name, rc)
			}
		}
		if len(r.Send) == 0 {
			r.Send = nil // "send: []" and none are one layout
		}
		if len(r.Receive) == 0 {
			r.Receive = nil
		}
		if p.Requests == nil {
			p.Requests = map[string]*Request{}
		}
		p.Requests[name] = r
	}
	if len(p.Inputs) > 0 && p.Requests[ReqCheck] == nil {
		return fmt.Errorf("a provider with fields needs requests.check")
	}
	return nil
}

// String names the field for logs.
func (in *Input) String() string {
	return in.ID + " (" + string(in.Type) + ", " + strconv.Quote(in.Name) + ")"
}

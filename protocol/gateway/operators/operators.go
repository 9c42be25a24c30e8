// Package operators imports CyberPlat's description of its providers, the
// kiosk's operators.xml (format 2.0) with groups.xml beside it, into
// PayDesk's catalogue (gateway.CatalogueFile). It holds each file to what
// its schema allows (operators.xsd, groups.xsd of CyberPlat's open-sourced
// TerminalClient) and names everything it cannot represent: an operator
// PayDesk cannot pay correctly is left out with its reasons (Skipped), a
// part of a kept operator that PayDesk does without is named in Omitted.
package operators

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/encoding/htmlindex"

	"paydesk/money"
	"paydesk/protocol/gateway"
)

// Note names one operator and what happened to it or to a part of it.
type Note struct {
	ID     string // the operator's id
	Name   string
	Reason string
}

// String writes the note as "id (name): reason".
func (n Note) String() string { return fmt.Sprintf("%s (%s): %s", n.ID, n.Name, n.Reason) }

// Result is an import: the catalogue and what it left out.
type Result struct {
	Catalogue gateway.CatalogueFile
	// Skipped lists the operators left out, each reason on a note of its own.
	Skipped []Note
	// Omitted lists what kept operators lost: attributes and elements
	// PayDesk has no use or no form for.
	Omitted []Note
}

// Options steer an import.
type Options struct {
	// Groups is groups.xml, or nil.
	Groups []byte
	// Group is the PayDesk group of an operator that groups.xml does not
	// place in one; "" leaves such an operator out.
	Group gateway.Group
}

// Error is a file that is not what its schema allows, as a whole (an
// operator that is not is left out instead).
type Error struct {
	File string // "operators.xml", "groups.xml"
	Err  error
}

// Error formats the error.
func (e *Error) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrVersion is an operators.xml of another format than 2.0.
var ErrVersion = errors.New("not format 2.0")

// decode reads XML in the encoding its declaration names (windows-1251 is
// common in CyberPlat's files); trailing content is refused.
func decode(b []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		e, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("encoding %q: %w", label, err)
		}
		return e.NewDecoder().Reader(r), nil
	}
	if err := d.Decode(v); err != nil {
		return err
	}
	for {
		t, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return fmt.Errorf("text after the root element")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return fmt.Errorf("content after the root element")
		}
	}
}

// rootName returns the local name of the document's first element, or "".
func rootName(b []byte) string {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		t, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := t.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// Import reads operators.xml (and opt.Groups) and returns the catalogue.
// Every provider it writes loads with gateway.ParseCatalogue.
func Import(operatorsXML []byte, opt Options) (*Result, error) {
	var f operatorsFile
	if rootName(operatorsXML) == "root" {
		return nil, &Error{"operators.xml", fmt.Errorf("the root is <root>, as in format 1.0 (the kiosk's older files): %w", ErrVersion)}
	}
	if err := decode(operatorsXML, &f); err != nil {
		return nil, &Error{"operators.xml", err}
	}
	if err := f.extra.check("operators"); err != nil {
		return nil, &Error{"operators.xml", err}
	}
	if f.Version == nil {
		return nil, &Error{"operators.xml", fmt.Errorf("operators: the version attribute is required")}
	}
	if strings.TrimSpace(*f.Version) != "2.0" {
		return nil, &Error{"operators.xml", fmt.Errorf("version %q: %w", *f.Version, ErrVersion)}
	}
	groups := map[string]gateway.Group{}
	if opt.Groups != nil {
		var err error
		if groups, err = readGroups(opt.Groups); err != nil {
			return nil, &Error{"groups.xml", err}
		}
	}
	r := &Result{}
	seen := map[string]bool{}
	for i, o := range f.Operators {
		im := &opImport{idx: i + 1, o: o}
		p := im.provider(groups, opt.Group)
		if p != nil && seen[p.Code] {
			im.skip("the id appears twice in the file")
			p = nil
		}
		if p != nil {
			if err := loads(*p); err != nil {
				im.skip("%s", err.Error())
				p = nil
			}
		}
		if p == nil {
			for _, why := range im.skipped {
				r.Skipped = append(r.Skipped, Note{im.id, im.name, why})
			}
			continue
		}
		seen[p.Code] = true
		for _, why := range im.omitted {
			r.Omitted = append(r.Omitted, Note{im.id, im.name, why})
		}
		r.Catalogue.Providers = append(r.Catalogue.Providers, *p)
	}
	return r, nil
}

// loads checks that the provider loads as PayDesk's catalogue reads it.
func loads(p gateway.ProviderFile) error {
	b, err := yaml.Marshal(gateway.CatalogueFile{Providers: []gateway.ProviderFile{p}})
	if err != nil {
		return err
	}
	if _, err := gateway.ParseCatalogue(b, ""); err != nil {
		if u := errors.Unwrap(err); u != nil {
			return fmt.Errorf("PayDesk's catalogue refuses it: %w", u)
		}
		return fmt.Errorf("PayDesk's catalogue refuses it: %w", err)
	}
	return nil
}

// YAML writes the catalogue in PayDesk's file form, with a header naming
// what was left out.
func (r *Result) YAML(source string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported by paydeskctl providers import from %s: %d providers.\n", source, len(r.Catalogue.Providers))
	for _, n := range r.Skipped {
		fmt.Fprintf(&b, "# left out: %s\n", oneLine(n.String()))
	}
	for _, n := range r.Omitted {
		fmt.Fprintf(&b, "# without: %s\n", oneLine(n.String()))
	}
	y, err := yaml.Marshal(r.Catalogue)
	if err != nil {
		return nil, err
	}
	b.Write(y)
	return b.Bytes(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// check names what an element holds beyond its schema.
func (x extra) check(elem string) error {
	for _, a := range x.Attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" || a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance" {
			continue
		}
		return fmt.Errorf("%s: attribute %q is not in the schema", elem, a.Name.Local)
	}
	for _, e := range x.Any {
		return fmt.Errorf("%s: element <%s> is not in the schema", elem, e.XMLName.Local)
	}
	return nil
}

type opImport struct {
	idx      int
	o        operatorX
	id, name string
	skipped  []string
	omitted  []string
}

func (im *opImport) skip(format string, a ...any) {
	im.skipped = append(im.skipped, fmt.Sprintf(format, a...))
}
func (im *opImport) omit(format string, a ...any) {
	im.omitted = append(im.omitted, fmt.Sprintf(format, a...))
}

var intRE = regexp.MustCompile(`^[+-]?\d+$`)

// boolean reads an xs:boolean.
func boolean(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", s)
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// provider converts one operator; nil when it is left out (im.skipped says
// why).
func (im *opImport) provider(groups map[string]gateway.Group, def gateway.Group) *gateway.ProviderFile {
	o := im.o
	im.id, im.name = text(o.ID), text(o.Name)
	if im.id == "" {
		im.id = fmt.Sprintf("#%d", im.idx)
	}
	im.schema(o)
	if len(im.skipped) > 0 {
		return nil
	}
	p := &gateway.ProviderFile{Code: im.id, Name: im.name}
	if g, ok := groups[im.id]; ok {
		p.Group = string(g)
	} else if def != "" {
		p.Group = string(def)
	} else {
		im.skip("no PayDesk group (mobile, internet, tv, utilities): groups.xml places it in none, and no default group is given")
	}
	im.limits(p)
	im.fields(p)
	im.processor(p)
	im.rest(o)
	if len(im.skipped) > 0 {
		return nil
	}
	return p
}

// schema holds the operator to operators.xsd: the required elements and
// attributes, their types and enumerations, nothing else.
func (im *opImport) schema(o operatorX) {
	req := func(ok bool, what string) {
		if !ok {
			im.skip("schema: %s is required", what)
		}
	}
	req(o.ID != nil, "the id attribute")
	req(o.Name != nil, "<name>")
	req(o.CID != nil, "<cid>")
	req(o.Limit != nil, "<limit>")
	req(o.Processor != nil, "<processor>")
	if o.ID != nil && !intRE.MatchString(strings.TrimSpace(*o.ID)) {
		im.skip("schema: id %q is not an integer", *o.ID)
	}
	if o.CID != nil && !intRE.MatchString(strings.TrimSpace(*o.CID)) {
		im.skip("schema: cid %q is not an integer", *o.CID)
	}
	if o.CWID != nil && !intRE.MatchString(strings.TrimSpace(*o.CWID)) {
		im.skip("schema: cwid %q is not an integer", *o.CWID)
	}
	check := func(x extra, elem string) {
		if err := x.check(elem); err != nil {
			im.skip("schema: %v", err)
		}
	}
	check(o.extra, "operator")
	if l := o.Limit; l != nil {
		check(l.extra, "limit")
		req(l.Min != nil && l.Max != nil && l.System != nil, "limit's min, max and system")
	}
	if fs := o.Fields; fs != nil {
		check(fs.extra, "fields")
		for i, f := range fs.Fields {
			where := fmt.Sprintf("field %d", i+1)
			check(f.extra, where)
			req(f.ID != nil, where+"'s id")
			req(f.Type != nil, where+"'s type")
			req(f.Name != nil, where+"'s <name>")
			if f.Type != nil && !slices.Contains([]string{"number", "number:float", "text", "enum"}, *f.Type) {
				im.skip("schema: %s: type %q is not number, number:float, text or enum", where, *f.Type)
			}
			if f.Case != nil && *f.Case != "lower" && *f.Case != "upper" {
				im.skip("schema: %s: case %q is not lower or upper", where, *f.Case)
			}
			for _, a := range []struct {
				v    *string
				name string
			}{{f.MinSize, "min_size"}, {f.MaxSize, "max_size"}, {f.Sort, "sort"}} {
				if a.v != nil && !intRE.MatchString(strings.TrimSpace(*a.v)) {
					im.skip("schema: %s: %s %q is not an integer", where, a.name, *a.v)
				}
			}
			if f.Required != nil {
				if _, err := boolean(*f.Required); err != nil {
					im.skip("schema: %s: required: %v", where, err)
				}
			}
			if f.Mask != nil {
				check(f.Mask.extra, where+"'s mask")
				if f.Mask.Password != nil {
					if _, err := boolean(*f.Mask.Password); err != nil {
						im.skip("schema: %s: mask password: %v", where, err)
					}
				}
			}
			if f.Enum != nil {
				check(f.Enum.extra, where+"'s enum")
				im.items(f.Enum.Items, where)
			}
		}
	}
	if pr := o.Processor; pr != nil {
		check(pr.extra, "processor")
		req(pr.Type != nil, "processor's type")
		if pr.Type != nil && !slices.Contains([]string{"cyberplat", "cyberplat_pin", "half_pin", "avia_center", "cyberplat_taxes", "cyberplat_mt"}, *pr.Type) {
			im.skip("schema: processor type %q is not in the schema", *pr.Type)
		}
		if pr.Keys != nil && !intRE.MatchString(strings.TrimSpace(*pr.Keys)) {
			im.skip("schema: processor keys %q is not an integer", *pr.Keys)
		}
		for _, a := range []*string{pr.SkipCheck, pr.Rounding, pr.PayOnline, pr.AskForRetry, pr.RequirePrinter, pr.ShowAddInfo} {
			if a != nil {
				if _, err := boolean(*a); err != nil {
					im.skip("schema: processor: %v", err)
				}
			}
		}
		for i, r := range pr.Requests {
			where := fmt.Sprintf("request %d", i+1)
			check(r.extra, where)
			req(r.Name != nil, where+"'s name")
			req(r.URL != nil, where+"'s <url>")
			if r.Name != nil && !slices.Contains([]string{"check", "payment", "status", "getcards", "login"}, *r.Name) {
				im.skip("schema: %s: name %q is not check, payment, status, getcards or login", where, *r.Name)
			}
			for _, p := range r.Send {
				check(p.extra, where+"'s request_property")
				req(p.Name != nil && p.Value != nil, where+"'s request_property name and value")
			}
			for _, p := range r.Receive {
				check(p.extra, where+"'s receive_property")
				req(p.Name != nil, where+"'s receive_property name")
				if p.Value != nil {
					im.skip("schema: %s: receive_property has no value attribute", where)
				}
			}
			for _, p := range append(slices.Clone(r.Send), r.Receive...) {
				if p.Crypted != nil {
					if _, err := boolean(*p.Crypted); err != nil {
						im.skip("schema: %s: crypted: %v", where, err)
					}
				}
			}
		}
	}
}

func (im *opImport) items(items []itemX, where string) {
	for _, it := range items {
		if err := it.extra.check(where + "'s item"); err != nil {
			im.skip("schema: %v", err)
		}
		if it.Name == nil || it.Value == nil {
			im.skip("schema: %s: an item's name and value are required", where)
		}
		if it.Sort != nil && !intRE.MatchString(strings.TrimSpace(*it.Sort)) {
			im.skip("schema: %s: item sort %q is not an integer", where, *it.Sort)
		}
		im.items(it.Items, where)
	}
}

// limits reads <limit>: the operator's own maximum, lowered to the
// system's.
func (im *opImport) limits(p *gateway.ProviderFile) {
	l := im.o.Limit
	lo, err1 := money.Parse(text(l.Min))
	hi, err2 := money.Parse(text(l.Max))
	sys, err3 := money.Parse(text(l.System))
	if err := errors.Join(err1, err2, err3); err != nil {
		im.skip("limit: %v", err)
		return
	}
	if sys > 0 && sys < hi {
		hi = sys
	}
	if lo == 0 {
		lo = 1 // PayDesk takes no payment of nothing: one kopeck is the least
		im.omit("limit min 0 is taken as 0.01")
	}
	p.Min, p.Max = lo.String(), hi.String()
	if l.Check != nil {
		im.omit("limit check=%q (the amount of a FAKE_CHECK): PayDesk checks with the payment's own amount", *l.Check)
	}
}

// fields reads <fields> in their sort order.
func (im *opImport) fields(p *gateway.ProviderFile) {
	if im.o.Fields == nil {
		return
	}
	fs := slices.Clone(im.o.Fields.Fields)
	sort.SliceStable(fs, func(i, j int) bool { return sortKey(fs[i].Sort) < sortKey(fs[j].Sort) })
	for _, f := range fs {
		id := text(f.ID)
		in := gateway.InputFile{ID: id, Name: text(f.Name), Comment: text(f.Comment)}
		switch *f.Type {
		case "number":
			in.Type = string(gateway.TypeNumber)
		case "number:float":
			in.Type = string(gateway.TypeFloat)
		default:
			in.Type = *f.Type
		}
		if f.MinSize != nil {
			in.MinSize, _ = strconv.Atoi(strings.TrimSpace(*f.MinSize))
		}
		if f.MaxSize != nil {
			in.MaxSize, _ = strconv.Atoi(strings.TrimSpace(*f.MaxSize))
		}
		if f.Required != nil {
			b, _ := boolean(*f.Required)
			in.Required = &b
		}
		if f.Mask != nil {
			in.Mask = f.Mask.Text
			if f.Mask.Password != nil {
				in.Password, _ = boolean(*f.Mask.Password)
			}
		}
		if t := text(f.Format); t != "" {
			im.skip("field %s: format %q rewrites what was typed before it is sent; PayDesk sends what was typed", id, t)
		}
		if f.Enum != nil {
			for _, it := range sortItems(f.Enum.Items) {
				if len(it.Items) > 0 {
					im.skip("field %s: item %q holds a nested list; PayDesk's enumerations are flat", id, text(it.Name))
				}
				in.Choices = append(in.Choices, gateway.Choice{Name: text(it.Name), Value: text(it.Value)})
			}
		}
		if f.Default != nil {
			in.Default = *f.Default
		}
		if d := text(f.Dependency); d != "" {
			if _, err := gateway.ParseExpr(d); err != nil {
				im.skip("field %s: %v: PayDesk reads a dependency of {id} macros, literals, comparisons, && || ! and parentheses, and runs no JavaScript", id, err)
			}
			in.Depends = d
		}
		if t := text(f.External); t != "" {
			im.omit("field %s: on_external_data (a JavaScript handler): the field is typed", id)
		}
		if f.Case != nil {
			im.omit("field %s: case=%s: PayDesk sends the letters as typed", id, *f.Case)
		}
		if f.Lang != nil {
			im.omit("field %s: lang=%s", id, *f.Lang)
		}
		if f.Class != nil {
			im.omit("field %s: class=%s (not used, says the schema)", id, *f.Class)
		}
		p.Fields = append(p.Fields, in)
	}
}

func sortKey(s *string) int {
	if s == nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(*s))
	return n
}

func sortItems(items []itemX) []itemX {
	items = slices.Clone(items)
	sort.SliceStable(items, func(i, j int) bool { return sortKey(items[i].Sort) < sortKey(items[j].Sort) })
	return items
}

// processor reads the requests: check, payment and status become
// PayDesk's check, pay and status URLs and layouts.
func (im *opImport) processor(p *gateway.ProviderFile) {
	pr := im.o.Processor
	if t := *pr.Type; t != "cyberplat" {
		im.skip("processor type %s: PayDesk makes plain CyberPlat payments only", t)
	}
	if pr.Keys != nil && strings.TrimSpace(*pr.Keys) != "0" {
		im.skip("processor keys=%s: PayDesk signs with the point's one key set", *pr.Keys)
	}
	for _, f := range []struct {
		v    *string
		name string
	}{{pr.SkipCheck, "skip_check"}, {pr.Rounding, "rounding"}, {pr.PayOnline, "pay_online"}, {pr.AskForRetry, "ask_for_retry"},
		{pr.RequirePrinter, "require_printer"}, {pr.ShowAddInfo, "show_add_info"}, {pr.FeeType, "fee_type"}} {
		if f.v == nil {
			continue
		}
		if f.name == "skip_check" || f.name == "rounding" {
			if b, _ := boolean(*f.v); b {
				im.skip("processor %s=true: PayDesk always checks, with the amount as typed", f.name)
				continue
			}
		}
		im.omit("processor %s=%s", f.name, *f.v)
	}
	ids := map[string]bool{}
	for _, f := range p.Fields {
		ids[f.ID] = true
	}
	p.Requests = map[string]*gateway.Request{}
	for _, r := range pr.Requests {
		name := *r.Name
		switch name {
		case "check", "status":
		case "payment":
			name = gateway.ReqPay
		default:
			im.skip("request %s: PayDesk makes no such request", name)
			continue
		}
		if p.Requests[name] != nil {
			im.skip("request %s appears twice", *r.Name)
			continue
		}
		u := text(r.URL)
		switch name {
		case gateway.ReqCheck:
			p.CheckURL = u
		case gateway.ReqPay:
			p.PayURL = u
		case gateway.ReqStatus:
			p.StatusURL = u
		}
		req := &gateway.Request{Send: []gateway.Param{}}
		for _, s := range r.Send {
			if s.Crypted != nil {
				if b, _ := boolean(*s.Crypted); b {
					im.skip("request %s: %s is sent encrypted; PayDesk encrypts no field", *r.Name, *s.Name)
				}
			}
			for _, m := range macroRE.FindAllStringSubmatch(*s.Value, -1) {
				if !ids[m[1]] {
					im.skip("request %s: %s reads {%s}, which is no field of the operator", *r.Name, *s.Name, m[1])
				}
			}
			req.Send = append(req.Send, gateway.Param{Name: *s.Name, Value: *s.Value})
		}
		for _, rc := range r.Receive {
			if rc.Crypted != nil {
				if b, _ := boolean(*rc.Crypted); b {
					im.skip("request %s: %s comes encrypted; PayDesk decrypts no field", *r.Name, *rc.Name)
				}
			}
			req.Receive = append(req.Receive, *rc.Name)
		}
		p.Requests[name] = req
	}
	for _, need := range []struct{ name, url string }{{"check", p.CheckURL}, {"payment", p.PayURL}, {"status", p.StatusURL}} {
		if need.url == "" {
			im.skip("no %s request: PayDesk needs check, payment and status", need.name)
		}
	}
	chk := p.Requests[gateway.ReqCheck]
	if chk == nil {
		return
	}
	for _, s := range chk.Send {
		switch strings.ToUpper(s.Name) {
		case "NUMBER", "ACCOUNT":
			if p.Field == "" {
				p.Field = strings.ToUpper(s.Name)
			}
		}
	}
	if p.Field == "" {
		im.skip("the check sends neither NUMBER nor ACCOUNT: PayDesk names a payment by one of them")
	}
	// The payer id is checked field by field; the catalogue's own pattern
	// takes any id the fields allow.
	p.Pattern = `^\S{1,20}$`
	if len(p.Fields) == 0 {
		im.skip("no fields: nothing for the cashier to type")
	}
}

// rest names the operator's elements PayDesk does without.
func (im *opImport) rest(o operatorX) {
	if text(o.Comment) != "" {
		im.omit("comment")
	}
	if o.Receipts != nil {
		im.omit("receipts (the kiosk's receipt templates): PayDesk prints its own receipt")
	}
	if o.Pins != nil {
		im.skip("pins: PayDesk sells no PINs")
	}
	if o.CWID != nil {
		im.omit("cwid (not used, says the schema)")
	}
	if o.CID != nil && text(o.CID) != im.id {
		im.omit("cid %s (CyberPlat's own id; PayDesk's code is the operator id %s)", text(o.CID), im.id)
	}
}

var macroRE = regexp.MustCompile(`\{([^{}]*)\}`)

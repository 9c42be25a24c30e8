package commission

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// The file form of the kiosk's commissions.xml, as commissions.xsd of
// CyberPlat's TerminalClient describes it: a tree of day, time and amount
// conditions over commission elements, for every operator (at the root)
// and per operator.

type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
	CharData string     `xml:",chardata"`
}

func (n *xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// allowed lists each element's attributes and children, in schema order.
var allowed = map[string]struct{ attrs, children []string }{
	"commissions": {nil, []string{"day", "time", "amount", "commission", "operator"}},
	"operator":    {[]string{"id"}, []string{"day", "time", "amount", "commission"}},
	"day":         {[]string{"id"}, []string{"time", "amount", "commission"}},
	"time":        {[]string{"begin", "end"}, []string{"amount", "commission"}},
	"amount":      {[]string{"above", "below"}, []string{"commission"}},
	"commission":  {[]string{"amount", "type", "min_charge", "max_charge"}, nil},
}

// ImportXML reads commissions.xml into the fee rules of a schedule file:
// per operator first (an operator's rules, in the file's order), then the
// rules for every operator; within each, the file's order, which puts the
// narrower conditions (day, time, amount) before the wider ones as the
// schema's sequences do. Weekday 1 is Monday. The operator id is the
// provider code, as the operators importer writes it.
func ImportXML(b []byte) ([]RuleFile, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		e, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("encoding %q: %w", label, err)
		}
		return e.NewDecoder().Reader(r), nil
	}
	var root xmlNode
	if err := d.Decode(&root); err != nil {
		return nil, fmt.Errorf("commissions.xml: %w", err)
	}
	if root.XMLName.Local != "commissions" {
		return nil, fmt.Errorf("commissions.xml: the root is <%s>, not <commissions>", root.XMLName.Local)
	}
	if err := validate(&root, 0); err != nil {
		return nil, fmt.Errorf("commissions.xml: %w", err)
	}
	var ops, all []RuleFile
	for i := range root.Children {
		c := &root.Children[i]
		if c.XMLName.Local == "operator" {
			id, _ := c.attr("id")
			for j := range c.Children {
				if err := flatten(&c.Children[j], RuleFile{Provider: strings.TrimSpace(id)}, &ops); err != nil {
					return nil, fmt.Errorf("commissions.xml: operator %s: %w", id, err)
				}
			}
			continue
		}
		if err := flatten(c, RuleFile{}, &all); err != nil {
			return nil, fmt.Errorf("commissions.xml: %w", err)
		}
	}
	out := append(ops, all...)
	for i := range out {
		out[i].Name = fmt.Sprintf("commissions.xml %d", i+1)
		if _, err := out[i].rule(); err != nil {
			return nil, fmt.Errorf("commissions.xml: rule %d: %w", i+1, err)
		}
	}
	return out, nil
}

// validate holds the tree to the schema: known elements, attributes and
// order; the required attributes present.
func validate(n *xmlNode, depth int) error {
	el, ok := allowed[n.XMLName.Local]
	if !ok {
		return fmt.Errorf("element <%s> is not in the schema", n.XMLName.Local)
	}
	if strings.TrimSpace(n.CharData) != "" {
		return fmt.Errorf("<%s> holds text", n.XMLName.Local)
	}
	for _, a := range n.Attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" || a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance" {
			continue
		}
		if a.Name.Space != "" || !contains(el.attrs, a.Name.Local) {
			return fmt.Errorf("<%s>: attribute %q is not in the schema", n.XMLName.Local, a.Name.Local)
		}
	}
	for _, req := range map[string][]string{"operator": {"id"}, "day": {"id"}, "time": {"begin", "end"}, "commission": {"amount"}}[n.XMLName.Local] {
		if _, ok := n.attr(req); !ok {
			return fmt.Errorf("<%s>: attribute %q is required", n.XMLName.Local, req)
		}
	}
	last := -1
	for i := range n.Children {
		c := &n.Children[i]
		at := index(el.children, c.XMLName.Local)
		if at < 0 {
			return fmt.Errorf("<%s> inside <%s> is not in the schema", c.XMLName.Local, n.XMLName.Local)
		}
		if at < last {
			return fmt.Errorf("<%s> after <%s> inside <%s>: the schema's order is %s", c.XMLName.Local, el.children[last], n.XMLName.Local, strings.Join(el.children, ", "))
		}
		last = at
		if err := validate(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func contains(s []string, v string) bool { return index(s, v) >= 0 }

func index(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// flatten turns the commissions under n into rules carrying the
// conditions of n and its ancestors (in r).
func flatten(n *xmlNode, r RuleFile, out *[]RuleFile) error {
	switch n.XMLName.Local {
	case "day":
		id, _ := n.attr("id")
		d, err := strconv.Atoi(strings.TrimSpace(id))
		if err != nil || d < 1 || d > 7 {
			return fmt.Errorf("day id %q is not 1 (Monday) to 7 (Sunday)", id)
		}
		r.Days = []int{d}
	case "time":
		b, _ := n.attr("begin")
		e, _ := n.attr("end")
		r.From, r.To = strings.TrimSpace(b), strings.TrimSpace(e)
		if r.To == "23:59:59" {
			r.To = "24:00" // the kiosk's files close a day this way; PayDesk's window excludes its end
		}
	case "amount":
		if v, ok := n.attr("above"); ok {
			r.Above = strings.TrimSpace(v)
		}
		if v, ok := n.attr("below"); ok {
			r.Below = strings.TrimSpace(v)
		}
	case "commission":
		v, _ := n.attr("amount")
		t, ok := n.attr("type")
		if !ok {
			t = "absolute" // the schema's default
		}
		switch strings.TrimSpace(t) {
		case "absolute":
			r.Fixed = strings.TrimSpace(v)
		case "percent":
			r.Percent = strings.TrimSpace(v) + "%"
		default:
			return fmt.Errorf("commission type %q is not absolute or percent", t)
		}
		if v, ok := n.attr("min_charge"); ok {
			r.Min = strings.TrimSpace(v)
		}
		if v, ok := n.attr("max_charge"); ok {
			r.Max = strings.TrimSpace(v)
		}
		*out = append(*out, r)
		return nil
	}
	for i := range n.Children {
		if err := flatten(&n.Children[i], r, out); err != nil {
			return err
		}
	}
	return nil
}

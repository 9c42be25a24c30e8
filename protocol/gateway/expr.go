package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Expr is a field's dependency: a small boolean expression over the values
// typed into a provider's fields, in the forms CyberPlat's operator files
// write as JavaScript (operators.xsd, field/dependency), evaluated here by
// our own parser: {id} macros (bare or inside a quoted string), string and
// number literals, true and false, == != === !== < <= > >=, && || ! and
// parentheses. Anything else is refused when parsed.
type Expr struct {
	src  string
	root node
	refs []string
}

// node is one node of a parsed expression: a value (operand) or a
// condition (everything else).
type node interface {
	value(vals map[string]string) string
}

// ParseExpr parses a dependency expression.
func ParseExpr(s string) (*Expr, error) {
	p := &exprParser{src: s}
	p.toks, p.err = lexExpr(s)
	var n node
	if p.err == nil && len(p.toks) == 0 {
		p.err = fmt.Errorf("empty expression")
	}
	if p.err == nil {
		n = p.or()
	}
	if p.err == nil && p.pos < len(p.toks) {
		p.err = fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	if p.err != nil {
		return nil, fmt.Errorf("dependency %q: %w", s, p.err)
	}
	return &Expr{src: s, root: n, refs: p.refs}, nil
}

// String returns the expression as written.
func (e *Expr) String() string { return e.src }

// Refs lists the field ids the expression reads.
func (e *Expr) Refs() []string { return e.refs }

// Eval says whether the expression holds over vals (field id to value; a
// missing id reads as "").
func (e *Expr) Eval(vals map[string]string) bool { return truthy(e.root.value(vals)) }

// MarshalYAML writes the expression as written.
func (e *Expr) MarshalYAML() (any, error) { return e.src, nil }

type tokKind int

const (
	tokRef tokKind = iota + 1 // {id}
	tokStr                    // 'text' or "text", may hold {id} macros
	tokNum
	tokIdent // true, false
	tokOp    // == != < <= > >= && || ! ( )
)

type token struct {
	kind tokKind
	text string
}

func lexExpr(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("unclosed {")
			}
			id := s[i+1 : i+j]
			if !idRE.MatchString(id) {
				return nil, fmt.Errorf("%q is not a field id", id)
			}
			out = append(out, token{tokRef, id})
			i += j + 1
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unclosed string")
			}
			out = append(out, token{tokStr, s[i+1 : i+1+j]})
			i += j + 2
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			out = append(out, token{tokNum, s[i:j]})
			i = j
		case unicode.IsLetter(rune(c)):
			j := i
			for j < len(s) && unicode.IsLetter(rune(s[j])) {
				j++
			}
			w := s[i:j]
			if w != "true" && w != "false" {
				return nil, fmt.Errorf("%q is not supported", w)
			}
			out = append(out, token{tokIdent, w})
			i = j
		default:
			op := ""
			for _, o := range []string{"===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("%q is not supported", string(c))
			}
			raw := op
			switch op {
			case "===":
				op = "=="
			case "!==":
				op = "!="
			}
			out = append(out, token{tokOp, op})
			i += len(raw)
		}
	}
	return out, nil
}

type exprParser struct {
	src  string
	toks []token
	pos  int
	err  error
	refs []string
}

func (p *exprParser) peekOp(ops ...string) string {
	if p.err != nil || p.pos >= len(p.toks) || p.toks[p.pos].kind != tokOp {
		return ""
	}
	for _, o := range ops {
		if p.toks[p.pos].text == o {
			return o
		}
	}
	return ""
}

func (p *exprParser) or() node {
	n := p.and()
	for p.peekOp("||") != "" {
		p.pos++
		n = logic{op: "||", a: n, b: p.and()}
	}
	return n
}

func (p *exprParser) and() node {
	n := p.unary()
	for p.peekOp("&&") != "" {
		p.pos++
		n = logic{op: "&&", a: n, b: p.unary()}
	}
	return n
}

func (p *exprParser) unary() node {
	if p.peekOp("!") != "" {
		p.pos++
		return not{p.unary()}
	}
	n := p.primary()
	if op := p.peekOp("==", "!=", "<", "<=", ">", ">="); op != "" {
		p.pos++
		n = compare{op: op, a: n, b: p.primary()}
	}
	return n
}

func (p *exprParser) primary() node {
	if p.err != nil {
		return nil
	}
	if p.pos >= len(p.toks) {
		p.err = fmt.Errorf("unexpected end")
		return nil
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case tokRef:
		p.refs = append(p.refs, t.text)
		return ref(t.text)
	case tokStr:
		for _, m := range macroRE.FindAllStringSubmatch(t.text, -1) {
			p.refs = append(p.refs, m[1])
		}
		return str(t.text)
	case tokNum:
		if _, err := strconv.ParseFloat(t.text, 64); err != nil {
			p.err = fmt.Errorf("%q is not a number", t.text)
		}
		return lit(t.text)
	case tokIdent:
		return lit(t.text)
	}
	if t.text == "(" {
		n := p.or()
		if p.peekOp(")") == "" {
			if p.err == nil {
				p.err = fmt.Errorf("missing )")
			}
			return nil
		}
		p.pos++
		return n
	}
	p.err = fmt.Errorf("unexpected %q", t.text)
	return nil
}

type (
	ref   string // {id}
	str   string // a quoted string, its macros expanded
	lit   string // a number, true or false
	not   struct{ a node }
	logic struct {
		op   string
		a, b node
	}
	compare struct {
		op   string
		a, b node
	}
)

func (r ref) value(v map[string]string) string { return v[string(r)] }
func (s str) value(v map[string]string) string { return Expand(string(s), v) }
func (l lit) value(map[string]string) string   { return string(l) }
func (n not) value(v map[string]string) string { return boolText(!truthy(n.a.value(v))) }
func (l logic) value(v map[string]string) string {
	a := truthy(l.a.value(v))
	if l.op == "&&" {
		return boolText(a && truthy(l.b.value(v)))
	}
	return boolText(a || truthy(l.b.value(v)))
}

func (c compare) value(v map[string]string) string {
	a, b := c.a.value(v), c.b.value(v)
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	numeric := errA == nil && errB == nil
	switch c.op {
	case "==":
		return boolText(a == b || numeric && x == y)
	case "!=":
		return boolText(!(a == b || numeric && x == y))
	}
	if !numeric {
		return "false"
	}
	switch c.op {
	case "<":
		return boolText(x < y)
	case "<=":
		return boolText(x <= y)
	case ">":
		return boolText(x > y)
	}
	return boolText(x >= y)
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// truthy is JavaScript's truth of a value that is text: empty, "0" and
// "false" are false.
func truthy(s string) bool { return s != "" && s != "0" && s != "false" }

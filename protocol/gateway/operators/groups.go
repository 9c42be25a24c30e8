package operators

import (
	"fmt"
	"regexp"
	"strings"

	"paydesk/protocol/gateway"
)

// groupWords tells PayDesk's group from the name or type of one of
// groups.xml's groups (Russian or English), tried in this order.
var groupWords = []struct {
	g  gateway.Group
	re *regexp.Regexp
}{
	{gateway.Mobile, regexp.MustCompile(`(?i)мобильн|сотов|mobile|cellular`)},
	{gateway.Internet, regexp.MustCompile(`(?i)интернет|internet`)},
	{gateway.TV, regexp.MustCompile(`(?i)телевид|(^|[^\pL])тв([^\pL]|$)|(^|[^\pL])tv([^\pL]|$)|television`)},
	{gateway.Utilities, regexp.MustCompile(`(?i)жкх|коммунал|жку|utilit`)},
}

func groupOf(name, typ string) (gateway.Group, bool) {
	for _, w := range groupWords {
		if w.re.MatchString(name) || w.re.MatchString(typ) {
			return w.g, true
		}
	}
	return "", false
}

// readGroups reads groups.xml into operator id → PayDesk group: the group
// of the innermost enclosing group whose name or type says one.
func readGroups(b []byte) (map[string]gateway.Group, error) {
	var f groupsFile
	if err := decode(b, &f); err != nil {
		return nil, err
	}
	if err := f.extra.check("groups"); err != nil {
		return nil, err
	}
	if f.Version == nil {
		return nil, fmt.Errorf("groups: the version attribute is required")
	}
	out := map[string]gateway.Group{}
	for _, o := range f.Operators {
		if err := operatorRef(o); err != nil {
			return nil, err
		}
	}
	var walk func(gs []groupX, g gateway.Group, depth int) error
	walk = func(gs []groupX, g gateway.Group, depth int) error {
		if depth > 32 {
			return fmt.Errorf("groups nest deeper than 32")
		}
		for _, x := range gs {
			if err := x.extra.check("group"); err != nil {
				return err
			}
			if x.ID == nil || x.Name == nil || x.Type == nil {
				return fmt.Errorf("group: id, name and type are required")
			}
			here := g
			if found, ok := groupOf(*x.Name, *x.Type); ok {
				here = found
			}
			for _, o := range x.Operators {
				if err := operatorRef(o); err != nil {
					return err
				}
				if here != "" {
					out[strings.TrimSpace(*o.ID)] = here
				}
			}
			if err := walk(x.Groups, here, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(f.Groups, "", 0)
}

func operatorRef(o gopX) error {
	if err := o.extra.check("operator"); err != nil {
		return err
	}
	if o.ID == nil {
		return fmt.Errorf("operator: the id attribute is required")
	}
	return nil
}

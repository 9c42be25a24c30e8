package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"paydesk/internal/atomicfile"
	"paydesk/internal/i18n"
)

// Edit changes the configuration file path in place: edit is given the
// configuration the file holds now (the file, missing: empty, over the
// defaults and the PAYDESK_ environment, with its paths resolved but not
// checked) and what it leaves is saved (save says how). Keys that edit
// does not touch keep what the file says, even when the file changed since
// the program loaded it.
func Edit(path string, edit func(c *Config)) error {
	old, err := existing(path)
	if err != nil {
		return err
	}
	_, c, err := decode(path, old)
	if err != nil {
		return err
	}
	c.resolve()
	edit(c)
	return save(path, old, c)
}

// existing returns the content of path, nil when there is no file.
func existing(path string) ([]byte, error) {
	if path == "" {
		return nil, bad("", i18n.M("config.no_file"), nil)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, bad("", i18n.M("config.read_file", "file", path), err)
	}
	return b, nil
}

// save writes c to the configuration file path, whose content is old, so that Load(path) gives
// back c (with File and Dir naming path, and relative paths in c resolved
// against path's folder, as Load resolves them).
//
// The file changes only where it must: a key is written when c's value
// differs from what the file gives now (the file over the defaults, the
// PAYDESK_ environment over both), in place when the key is in the file
// (an emptied path as ""), else added to its section. Outside training the
// point's codes are always in the file unless the environment gives them,
// as Load requires. Every other line stays as it was: keys save does not
// know, comments, the order of keys, quoting, flow mappings such as
// "fiscal: {port: none}" and blank lines between entries; indentation
// becomes two spaces. A file with nothing to change is left byte for byte.
// A missing file is created (its folder 0700); the file is written
// atomically with mode 0600, since it names the key files.
//
// c is checked as Load checks it: a configuration Load would refuse is
// refused with the same *Error, before anything is written. A value the
// environment overrides with another is refused too (the saved value would
// not be the one loaded), as is an existing file that does not load.
func save(path string, old []byte, c *Config) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return bad("", i18n.M("config.path"), err)
	}
	// want is what Load must give back: c as the file's folder resolves it.
	want := *c
	want.File, want.Dir = abs, filepath.Dir(abs)
	want.resolve()
	if err := want.validate(); err != nil {
		return err
	}
	// now is what the file gives today (missing: an empty file's defaults).
	_, now, err := decode(path, old)
	if err != nil {
		return err
	}
	now.resolve()

	doc, err := parseDoc(old)
	if err != nil {
		// decode read it: only a YAML the node parser refuses gets here.
		return bad("", i18n.M("config.file_yaml", "file", path), err)
	}
	root := doc.Content[0]
	given, wanted, current := fields(c), fields(&want), fields(now)
	changed := false
	for i, f := range given {
		key := f.key
		switch {
		case !want.Training && strings.HasPrefix(key, "point.") && !hasKey(root, key) && os.Getenv(envName(key)) == "":
			// Outside training Load takes the point's codes only from the
			// file or the environment, never from the defaults.
			setKey(root, key, f.val)
		case wanted[i].val == current[i].val:
			continue
		default:
			setKey(root, key, f.val)
		}
		changed = true
	}
	out := old // nothing to change: the file stays byte for byte
	if changed || len(old) == 0 {
		if out, err = encodeDoc(doc); err != nil {
			return bad("", i18n.M("config.write"), err)
		}
	}

	// The file must load back as c, by Load's own code.
	got, err := load(path, out)
	if err != nil {
		return err
	}
	if *got != want {
		return mismatch(got, &want)
	}
	if err := os.MkdirAll(want.Dir, 0o700); err != nil {
		return bad("", i18n.M("config.mkdir", "dir", want.Dir), err)
	}
	if err := atomicfile.Write(path, out, 0o600); err != nil {
		return bad("", i18n.M("config.write_file", "file", path), err)
	}
	return nil
}

// mismatch names the first key that does not load back as saved.
func mismatch(got, want *Config) error {
	g, w := fields(got), fields(want)
	for i := range w {
		if g[i].val == w[i].val {
			continue
		}
		key := w[i].key
		if env := envName(key); os.Getenv(env) != "" {
			return bad(key, i18n.M("config.env_overrides", "env", env), nil)
		}
		return bad(key, i18n.M("config.not_loaded_back"), nil)
	}
	return bad("", i18n.M("config.file_not_loaded_back"), nil)
}

// field is one key of the file with its value in a Config.
type field struct {
	key string
	val any
}

// fields lists every key of the file (the mapstructure tags of Config) with
// its value in c, in Config's order.
func fields(c *Config) []field {
	var out []field
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			tag := t.Field(i).Tag.Get("mapstructure")
			if tag == "" || tag == "-" {
				continue
			}
			if fv := v.Field(i); fv.Kind() == reflect.Struct {
				walk(prefix+tag+".", fv)
			} else {
				out = append(out, field{prefix + tag, fv.Interface()})
			}
		}
	}
	walk("", reflect.ValueOf(c).Elem())
	return out
}

// parseDoc returns b as a YAML document whose content is one mapping (a new
// one when b holds none, such as an empty or comment-only file).
func parseDoc(b []byte) (*yaml.Node, error) {
	doc := &yaml.Node{}
	if err := yaml.Unmarshal(b, doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode {
		// Empty, or comments only: the parser keeps no node for them.
		doc = &yaml.Node{Kind: yaml.DocumentNode}
		if commentsOnly(b) {
			doc.HeadComment = strings.TrimSpace(string(b))
		}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		// An empty document, or one holding only null: decode refused
		// anything else that is not a mapping.
		doc.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
	}
	keepBlankLines(doc, strings.Split(string(b), "\n"))
	return doc, nil
}

// commentsOnly reports whether b has comment lines and nothing else.
func commentsOnly(b []byte) bool {
	seen := false
	for _, l := range strings.Split(string(b), "\n") {
		switch l = strings.TrimSpace(l); {
		case l == "":
		case strings.HasPrefix(l, "#"):
			seen = true
		default:
			return false
		}
	}
	return seen
}

// encodeDoc writes doc as YAML indented by two spaces.
func encodeDoc(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	if tidy := tidyBlankLines(out); sameYAML(tidy, out) {
		out = tidy
	}
	return out, nil
}

// keepBlankLines marks the entries of block mappings that the original
// file (lines) had a blank line before: the encoder drops blank lines but
// writes an empty first line of a head comment as one.
func keepBlankLines(n *yaml.Node, lines []string) {
	if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
		for i := 2; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Line == 0 {
				continue
			}
			start := k.Line // 1-based
			if k.HeadComment != "" {
				start -= strings.Count(k.HeadComment, "\n") + 1
			}
			if start >= 2 && start-2 < len(lines) && strings.TrimSpace(lines[start-2]) == "" {
				k.HeadComment = "\n" + k.HeadComment
			}
		}
	}
	for _, c := range n.Content {
		keepBlankLines(c, lines)
	}
}

// tidyBlankLines empties lines of spaces only and folds runs of blank lines
// into one (what keepBlankLines' marks leave inside nested mappings and
// after foot comments).
func tidyBlankLines(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			l = ""
			if len(out) > 0 && out[len(out)-1] == "" {
				continue
			}
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n"))
}

// sameYAML reports whether a and b hold the same data (tidyBlankLines must
// not change a block scalar of a key Save does not know).
func sameYAML(a, b []byte) bool {
	var x, y any
	if yaml.Unmarshal(a, &x) != nil || yaml.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// section returns the mapping of the first part of key ("fiscal" of
// "fiscal.port") in root, made when missing, and the name within it; for a
// key without a section, root itself.
func section(root *yaml.Node, key string, create bool) (*yaml.Node, string) {
	name, sub, ok := strings.Cut(key, ".")
	if !ok {
		return root, key
	}
	if i := find(root, name); i >= 0 {
		v := root.Content[i+1]
		if v.Kind == yaml.MappingNode {
			return v, sub
		}
		if !create {
			return nil, sub
		}
		// "fiscal:" with nothing (null) becomes a mapping.
		*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: v.HeadComment, LineComment: v.LineComment, FootComment: v.FootComment}
		return v, sub
	}
	if !create {
		return nil, sub
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, m)
	return m, sub
}

// find returns the index of key's name node in mapping m, -1 when absent;
// names match as viper matches them, regardless of case.
func find(m *yaml.Node, name string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, name) {
			return i
		}
	}
	return -1
}

func hasKey(root *yaml.Node, key string) bool {
	m, name := section(root, key, false)
	return m != nil && find(m, name) >= 0
}

// setKey sets key to val, in place (keeping the line's comments and, for a
// string, its quotes) when the key is in the file.
func setKey(root *yaml.Node, key string, val any) {
	if d, ok := val.(time.Duration); ok {
		val = formatDuration(d)
	}
	n := &yaml.Node{}
	_ = n.Encode(val) // strings, numbers and booleans always encode
	m, name := section(root, key, true)
	i := find(m, name)
	if i < 0 {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, n)
		return
	}
	old := m.Content[i+1]
	if old.Kind == yaml.ScalarNode && old.Tag == "!!str" && n.Tag == "!!str" && old.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		n.Style = old.Style
	}
	n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
	m.Content[i+1] = n
}

// formatDuration writes d as a person would: 60s, 2m, 1.5s.
func formatDuration(d time.Duration) string {
	switch {
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

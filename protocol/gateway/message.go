package gateway

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Field is one NAME=value line of a gateway message.
type Field struct {
	Name  string
	Value string // UTF-8
}

// Fields is a message body: NAME=value lines in order.
type Fields []Field

// Get returns the value of the first field with the name, or "".
func (f Fields) Get(name string) string {
	v, _ := f.Lookup(name)
	return v
}

// Lookup returns the value of the first field with the name and whether it
// is present.
func (f Fields) Lookup(name string) (string, bool) {
	for _, x := range f {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// Set replaces the value of the field with the name, or appends it.
func (f *Fields) Set(name, value string) {
	for i := range *f {
		if (*f)[i].Name == name {
			(*f)[i].Value = value
			return
		}
	}
	*f = append(*f, Field{name, value})
}

var nameRE = regexp.MustCompile(`^\w+$`)

// Encode writes the fields as windows-1251 NAME=value lines joined by CRLF,
// with a CRLF after the last line too (as CyberPlat's own kiosk and server
// write them). Values must not hold CR or LF and must be representable in
// windows-1251.
func (f Fields) Encode() ([]byte, error) {
	var b strings.Builder
	for _, x := range f {
		if !nameRE.MatchString(x.Name) {
			return nil, fmt.Errorf("gateway: field name %q is not a word", x.Name)
		}
		if strings.ContainsAny(x.Value, "\r\n") {
			return nil, fmt.Errorf("gateway: field %s holds a line break", x.Name)
		}
		b.WriteString(x.Name)
		b.WriteByte('=')
		b.WriteString(x.Value)
		b.WriteString("\r\n")
	}
	out, err := charmap.Windows1251.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("gateway: text is not representable in windows-1251: %w", err)
	}
	return out, nil
}

// aliases maps names CyberPlat's kiosk also accepts to the usual ones.
var aliases = map[string]string{"ERROR_CODE": "ERROR", "ERROR_MSG": "ERRMSG"}

// ParseFields reads a message body strictly: lines split on CRLF (or LF),
// empty lines skipped, each line split at its first "=", names of word
// characters, values decoded from windows-1251. A line that is not
// NAME=value is an error (the simulator reads requests with it). Answers
// are read with ParseAnswerFields.
func ParseFields(body []byte) (Fields, error) {
	return parseFields(body, true)
}

// ParseAnswerFields reads the body of a verified answer as CyberPlat's own
// kiosk does (Response.cpp keeps only the lines matching ^(\w+)=(.*)$): as
// ParseFields, but a line that is not NAME=value is passed over, not an
// error. A name given twice is in the result twice; Fields.Get reads the
// first.
func ParseAnswerFields(body []byte) Fields {
	f, _ := parseFields(body, false)
	return f
}

// parseFields reads the lines of body; strict makes a line that is not
// NAME=value an error instead of skipping it.
func parseFields(body []byte, strict bool) (Fields, error) {
	text, err := charmap.Windows1251.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("gateway: body is not windows-1251: %w", err)
	}
	var f Fields
	for _, line := range bytes.Split(text, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		name, value, ok := bytes.Cut(line, []byte("="))
		if !ok || !nameRE.Match(name) {
			if strict {
				return nil, fmt.Errorf("gateway: line %q is not NAME=value", clip(string(line)))
			}
			continue
		}
		n := string(name)
		if a, ok := aliases[n]; ok {
			if _, dup := f.Lookup(a); dup {
				continue
			}
			n = a
		}
		f = append(f, Field{n, string(value)})
	}
	return f, nil
}

// urlDecoded returns the fields with the values of those named in encoded
// URL-decoded (DecodeURLValue); every other value is kept as it came, and f
// itself is not changed.
func urlDecoded(f Fields, encoded []string) Fields {
	if len(encoded) == 0 {
		return f
	}
	out := make(Fields, len(f))
	for i, x := range f {
		if slices.Contains(encoded, x.Name) {
			x.Value = DecodeURLValue(x.Value)
		}
		out[i] = x
	}
	return out
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// DecodeURLValue decodes a value some gateways URL-encode (ADDINFO, DATA):
// percent-escapes of windows-1251 bytes, "+" for a space. A value without
// "%" or "+", or one that is not valid URL-encoding, comes back unchanged.
// The client applies it only to the fields a provider's catalogue entry
// marks as encoded (Provider.Encoded).
func DecodeURLValue(v string) string {
	if !strings.ContainsAny(v, "%+") {
		return v
	}
	enc, err := charmap.Windows1251.NewEncoder().String(v)
	if err != nil {
		return v
	}
	raw, err := url.QueryUnescape(enc)
	if err != nil {
		return v
	}
	dec, err := charmap.Windows1251.NewDecoder().String(raw)
	if err != nil {
		return v
	}
	return dec
}

// FormBody returns the POST body for a signed document: "inputmessage="
// followed by every byte of the document percent-encoded except the
// unreserved A–Z a–z 0–9 - . _ ~ (so the windows-1251 bytes travel as they
// were signed).
func FormBody(doc []byte) []byte {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len("inputmessage=")+len(doc)*3)
	out = append(out, "inputmessage="...)
	for _, c := range doc {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			out = append(out, c)
		} else {
			out = append(out, '%', hex[c>>4], hex[c&15])
		}
	}
	return out
}

// ReadForm extracts the signed document from a form-encoded POST body (with
// %20 or + for spaces), byte for byte.
func ReadForm(body []byte) ([]byte, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("gateway: form body: %w", err)
	}
	v, ok := vals["inputmessage"]
	if !ok || len(v) != 1 {
		return nil, fmt.Errorf("gateway: form body has no single inputmessage")
	}
	return []byte(v[0]), nil
}

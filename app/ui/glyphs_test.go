package ui

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	"github.com/stretchr/testify/require"

	"paydesk/assets"
)

// TestCatalogueGlyphs: every character the window's texts use is in the
// theme's bundled fonts, so that drawing them never loads the system's
// fallback fonts (9 MB here, far more on a Windows PC's font folder).
func TestCatalogueGlyphs(t *testing.T) {
	var faces []*font.Face
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		f, err := font.ParseTTF(strings.NewReader(string(theme.DefaultTheme().Font(style).Content())))
		require.NoError(t, err)
		faces = append(faces, f)
	}
	for _, lang := range assets.Languages {
		m, err := assets.Messages(lang)
		require.NoError(t, err)
		missing := map[rune][]string{}
		for k, s := range m {
			_, s = cutSign(s) // a line draws it as an icon
			for _, r := range s {
				if r == '\n' || r == '\t' {
					continue
				}
				for _, f := range faces {
					if _, ok := f.NominalGlyph(r); !ok {
						missing[r] = append(missing[r], k)
						break
					}
				}
			}
		}
		var lines []string
		for r, keys := range missing {
			sort.Strings(keys)
			lines = append(lines, fmt.Sprintf("%q U+%04X in %d texts, e.g. %s", r, r, len(keys), keys[0]))
		}
		sort.Strings(lines)
		require.Empty(t, lines, "%s: characters the bundled font lacks", lang)
	}
	// The window's own strings: a sign only at the start of a line's text.
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var lines []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			if _, known := signs[strings.TrimSpace(s)]; known {
				return true // the signs themselves
			}
			_, s = cutSign(s)
			for _, r := range s {
				if r < ' ' {
					continue
				}
				for _, face := range faces {
					if _, ok := face.NominalGlyph(r); !ok {
						lines = append(lines, fmt.Sprintf("%s: %q U+%04X in %q", f, r, r, s))
						break
					}
				}
			}
			return true
		})
	}
	require.Empty(t, lines, "strings of the window the bundled font lacks")
}

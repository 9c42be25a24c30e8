package layers

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rules: a package matching a prefix must not import anything under the
// forbidden prefixes (checked on the full transitive dependency list).
var rules = []struct {
	pkgs      []string
	forbidden []string
	except    []string // packages allowed despite matching pkgs
}{
	{pkgs: []string{"paydesk/"}, forbidden: []string{"fyne.io/"}, except: []string{"paydesk/app/ui", "paydesk/cmd/paydesk"}},
	{pkgs: []string{"paydesk/protocol/", "paydesk/fiscal", "paydesk/receipts", "paydesk/store", "paydesk/money", "paydesk/internal/"},
		forbidden: []string{"paydesk/app", "paydesk/cmd/"}},
	{pkgs: []string{"paydesk/protocol/"}, forbidden: []string{"paydesk/fiscal", "paydesk/store", "paydesk/receipts"}},
	{pkgs: []string{"paydesk/fiscal"}, forbidden: []string{"paydesk/protocol/", "paydesk/store", "paydesk/receipts"}},
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasSuffix(p, "/") {
			if strings.HasPrefix(s, p) {
				return true
			}
		} else if s == p || strings.HasPrefix(s, p+"/") {
			return true
		}
	}
	return false
}

func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, "paydesk/...").Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Greater(t, len(lines), 5, "go list found the packages")
	checked := 0
	for _, line := range lines {
		pkg, deps, _ := strings.Cut(line, ":")
		for _, r := range rules {
			if !hasPrefix(pkg, r.pkgs) || hasPrefix(pkg, r.except) {
				continue
			}
			checked++
			for _, d := range strings.Fields(deps) {
				assert.False(t, hasPrefix(d, r.forbidden), "%s must not import %s", pkg, d)
			}
		}
	}
	assert.Positive(t, checked)
}

func TestHasPrefix(t *testing.T) {
	assert.True(t, hasPrefix("paydesk/app", []string{"paydesk/app"}))
	assert.True(t, hasPrefix("paydesk/app/config", []string{"paydesk/app"}))
	assert.False(t, hasPrefix("paydesk/apple", []string{"paydesk/app"}))
	assert.True(t, hasPrefix("fyne.io/fyne/v2", []string{"fyne.io/"}))
}

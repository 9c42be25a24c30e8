package layers

import (
	"os/exec"
	"slices"
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
	// The hub is another server: it knows the desks only by what they send.
	{pkgs: []string{"paydesk/hub", "paydesk/cmd/paydeskhub"}, forbidden: []string{"paydesk/app", "paydesk/store", "paydesk/fiscal", "paydesk/receipts"}},
	{pkgs: []string{"paydesk/store"}, forbidden: []string{"paydesk/hub"}},
}

// doors: a package matching a prefix must not import these itself (its
// own imports, tests aside): the window and the commands reach the books
// through the till core (app), which checks roles, never the store.
var doors = []struct {
	pkgs      []string
	exact     bool // pkgs are whole import paths, not prefixes
	forbidden []string
}{
	{pkgs: []string{"paydesk/app/ui", "paydesk/cmd/"}, forbidden: []string{"paydesk/store"}},
	// The till core knows no concrete driver and nothing of training: the
	// entry points link the driver in and hand it the training world.
	{pkgs: []string{"paydesk/app"}, exact: true, forbidden: []string{"paydesk/app/training", "paydesk/fiscal/shtrih",
		"paydesk/fiscal/emulator", "paydesk/protocol/gateway/sim"}},
	// Training is a world of its own: it does not reach into the core.
	{pkgs: []string{"paydesk/app/training", "paydesk/app/world"}, forbidden: []string{"paydesk/app", "paydesk/app/ui"}},
}

func TestDoors(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, "paydesk/...").Output()
	require.NoError(t, err)
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, r := range doors {
			if r.exact && !slices.Contains(r.pkgs, pkg) || !r.exact && !hasPrefix(pkg, r.pkgs) {
				continue
			}
			checked++
			for _, d := range strings.Fields(imports) {
				assert.False(t, slices.Contains(r.forbidden, d), "%s must not import %s", pkg, d)
			}
		}
	}
	assert.GreaterOrEqual(t, checked, 6, "the window, both commands, the core and training are checked")
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

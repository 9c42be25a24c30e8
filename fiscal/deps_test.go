package fiscal_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering: the fiscal packages import nothing from the app or from Fyne.
func TestLayering(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", "paydesk/fiscal/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "paydesk/app") || strings.HasPrefix(p, "fyne.io/") {
			t.Errorf("fiscal depends on %s", p)
		}
	}
}

package emulator

import (
	"os/exec"
	"strings"
	"testing"
)

// TestShareOnlyWire: the emulator shares nothing with the driver but the
// packet layer, so that a bug there cannot hide itself on both sides.
func TestShareOnlyWire(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", "paydesk/fiscal/atol/emulator").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "paydesk/") && p != "paydesk/fiscal/atol/wire" && p != "paydesk/fiscal/atol/emulator" {
			t.Errorf("the emulator depends on %s", p)
		}
	}
}

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPayFields: pay --field gives a described provider's fields; a field
// that does not pass, one the provider has not, or one given twice is
// refused and nothing is paid.
func TestPayFields(t *testing.T) {
	if raceDetector {
		t.Skip("runs without the race detector")
	}
	_, pins := cliTill(t)
	pay := func(extra ...string) []string {
		return append([]string{"pay", "--cashier", "kassir", "--pin-file", pins["kassir"], "--provider", "zhku",
			"--account", "1234567890", "--amount", "700.00"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		code int // the exit code when refused; -1 for any but 0
		want string
	}{
		{"no period", pay(), -1, "Период"},
		{"a bad period", pay("--field", "period=132026"), -1, "Период"},
		{"no such field", pay("--field", "period=112026", "--field", "colour=red"), -1, "colour"},
		{"twice", pay("--field", "period=112026", "--field", "period=122026"), exitUsage, "given twice"},
		{"not id=value", pay("--field", "period"), exitUsage, "is not id=value"},
		{"paid", pay("--field", "period=112026", "--field", "service=2", "--field", "meter=1500.5"), 0, "state=paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			out := r.stdout + r.stderr
			assert.Contains(t, out, tt.want)
			if tt.want == "state=paid" {
				require.Equal(t, 0, r.code, out)
				return
			}
			assert.NotEqual(t, 0, r.code, out)
			if tt.code >= 0 {
				assert.Equal(t, tt.code, r.code, out)
			}
			assert.NotContains(t, out, "session=", "nothing stored")
		})
	}
}

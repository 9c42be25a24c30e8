package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSoakATOL is TestSoak on an ATOL register (soak --driver atol): the
// same payments, faults and kills, the same reconciliation to the kopeck.
func TestSoakATOL(t *testing.T) {
	if testing.Short() {
		t.Skip("soak spawns processes")
	}
	n, life := "30", "700ms"
	if raceDetector {
		n, life = "12", "2s"
	}
	dir := trainingDir(t)
	t.Setenv("PAYDESKCTL_AS_MAIN", "1")
	r := runCLI(t, nil, "soak", "--driver", "atol", "--n", n, "--shift", "4", "--data", dir, "--seed", "7", "--max-life", life)
	require.Equal(t, 0, r.code, "%s\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "reconciliation=ok")
	assert.Regexp(t, `payments=`+n+` kills=\d+`, r.stdout)
	assert.Regexp(t, `shifts=([2-9]|[1-9][0-9]) `, r.stdout, "shifts closed with Z reports and opened again")
	assert.FileExists(t, dir+"/training/atol-state.json", "the register was the ATOL emulator")
}

// Package peakrss reads this process's peak resident memory, for the
// benchmarks that hold the workbook and the analysis to a memory target.
package peakrss

import (
	"os"
	"strconv"
	"strings"
)

// MiB is this process's own high-water mark of resident memory, in MiB;
// false where the system does not tell (it is read from Linux's
// /proc/self/status). getrusage's figure is not this process's own: under
// go test it starts at the size of the go command that started the test
// binary (about 30 MB), which it inherits across exec.
func MiB() (float64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024, err == nil
		}
	}
	return 0, false
}

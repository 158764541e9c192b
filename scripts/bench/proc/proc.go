// Package proc reads what the benchmarks report about the server process
// from /proc.
package proc

import (
	"fmt"
	"os"
	"strings"
)

// Status is one field (VmRSS, VmHWM, ...) of a process's /proc status,
// as written there ("123456 kB"); "?" when the process or field is unknown.
func Status(pid int, field string) string {
	if pid <= 0 {
		return "?"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

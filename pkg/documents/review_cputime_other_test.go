//go:build !unix

package documents_test

// cpuSeconds is unknown here; the benchmark then reports wall-clock rates only.
func cpuSeconds() float64 { return 0 }

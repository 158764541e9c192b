//go:build !race

package app_test

// raceBuild says the test binary runs with the race detector; the aduan
// processes of the multi-process test are built the same way.
const raceBuild = false

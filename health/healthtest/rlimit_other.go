//go:build !unix

package healthtest

// RaiseFileLimit does nothing where there is no such limit to raise.
func RaiseFileLimit() (uint64, error) { return 0, nil }

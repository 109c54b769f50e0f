//go:build !wpstack_embed_init

package initbin

// embedded is empty in a plain `go build`: Path then looks next to the
// executable.
func embedded() []byte { return nil }

//go:build wpstack_embed_init

package initbin

import _ "embed"

// program is wpstack-init as `make build` compiled it just before the CLI.
//
//go:embed wpstack-init
var program []byte

func embedded() []byte { return program }

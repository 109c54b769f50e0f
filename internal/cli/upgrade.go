package cli

import (
	"fmt"

	"github.com/wpstack/wpstack/internal/service"
)

// printUpgradeAvailable tells the user of an older stack how to move on;
// up never does it by itself.
func printUpgradeAvailable(g *globals, res service.UpResult) {
	if res.UpgradeAvailable == "" {
		return
	}
	fmt.Fprintf(g.stdout, "  Stack:          %s; upgrade available: wpstack upgrade %s --to %s\n", res.Stack, res.Name, res.UpgradeAvailable)
}

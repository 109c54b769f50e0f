package site

import "fmt"

// Stacks: the Debian release a site's images are built on.
const (
	StackTrixie   = "trixie"   // Debian 13: WordPress 6.8, PHP 8.4, MariaDB 11.8
	StackBookworm = "bookworm" // Debian 12: WordPress 6.1, PHP 8.2, MariaDB 10.11
	// DefaultStack is a new site's.
	DefaultStack = StackTrixie
	// LegacyStack is the stack of a site whose stored spec names none: it
	// was made before stacks existed, and keeps what it runs.
	LegacyStack = StackBookworm
)

// stackOrder lists the stacks, oldest first.
var stackOrder = []string{StackBookworm, StackTrixie}

// StackRelease is the site's stack, LegacyStack when its spec names none.
func (s *Spec) StackRelease() string {
	if s.Stack == "" {
		return LegacyStack
	}
	return s.Stack
}

// NewerStack is the newest stack when it is newer than the site's, else "".
func (s *Spec) NewerStack() string {
	newest := stackOrder[len(stackOrder)-1]
	if StackRank(s.StackRelease()) < StackRank(newest) {
		return newest
	}
	return ""
}

// StackRank orders stacks, oldest first; -1 for an unknown one.
func StackRank(stack string) int {
	for i, k := range stackOrder {
		if k == stack {
			return i
		}
	}
	return -1
}

// ValidateStack checks a stack name as given to --stack or --to.
func ValidateStack(stack string) error {
	if StackRank(stack) < 0 {
		return fmt.Errorf("unknown stack %q: use --stack trixie (Debian 13: WordPress 6.8, PHP 8.4, MariaDB 11.8, the default) or --stack bookworm (Debian 12: WordPress 6.1, PHP 8.2, MariaDB 10.11)", stack)
	}
	return nil
}

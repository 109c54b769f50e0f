// Package images makes the images wpstack runs: the Debian base (pulled, or
// bootstrapped offline with debootstrap and imported), and the web and db
// images built from the recipes embedded in the binary. Images are found by
// the hash of their recipe, so an unchanged recipe is never rebuilt.
// docs/internals.md is the contract for names, tags and labels.
package images

import "github.com/wpstack/wpstack/internal/images/dockerbuild"

// Engine is the part of the Docker Engine API that image work needs;
// *client.Client satisfies it.
type Engine = dockerbuild.Engine

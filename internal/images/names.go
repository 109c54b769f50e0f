package images

import (
	"regexp"
	"strings"
)

// Names and labels from docs/internals.md.
const (
	BaseTag = "wpstack/base:bookworm"
	WebRepo = "wpstack/web"
	DBRepo  = "wpstack/db"

	LabelRole       = "io.wpstack.role"
	LabelRecipe     = "io.wpstack.recipe"
	LabelBaseOrigin = "io.wpstack.base.origin"
	LabelWPVersion  = "io.wpstack.wordpress.version"
	LabelWPSource   = "io.wpstack.wordpress.source"

	OriginPull        = "pull"
	OriginDebootstrap = "debootstrap"
)

// Role is an image built from a recipe.
type Role string

const (
	RoleWeb Role = "web"
	RoleDB  Role = "db"
)

// Repo is the repository of a role's images.
func (r Role) Repo() string { return "wpstack/" + string(r) }

// resource names the image in progress events.
func (r Role) resource() string { return "image " + r.Repo() }

// Tag is the tag docs/internals.md gives a role's image.
func (r Role) Tag(recipeHash, wpVersion string) string {
	h := recipeHash
	if len(h) > 12 {
		h = h[:12]
	}
	if r == RoleWeb {
		return r.Repo() + ":" + tagSafe(wpVersion) + "-" + h
	}
	return r.Repo() + ":" + h
}

var tagUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// tagSafe makes a version usable in a tag (which allows [A-Za-z0-9_.-],
// not starting with . or -, at most 128 characters).
func tagSafe(v string) string {
	v = strings.TrimLeft(tagUnsafe.ReplaceAllString(v, "_"), ".-")
	if v == "" {
		v = "unknown"
	}
	if len(v) > 100 {
		v = v[:100]
	}
	return v
}

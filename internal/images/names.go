package images

import (
	"regexp"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
)

// Names and labels from docs/internals.md.
const (
	BaseTag       = "wpstack/base:bookworm" // the base of LegacyRelease; see BaseTagFor
	DefaultPrefix = "wpstack"               // images are <prefix>/web and <prefix>/db

	LabelRole       = contract.LabelRole
	LabelRecipe     = contract.LabelRecipe
	LabelBaseOrigin = contract.LabelBaseOrigin
	LabelWPVersion  = contract.LabelWPVersion
	LabelWPSource   = contract.LabelWPSource
	LabelRelease    = contract.LabelRelease

	OriginPull        = "pull"
	OriginDebootstrap = "debootstrap"
)

// Role is an image built from a recipe.
type Role string

const (
	RoleWeb Role = "web"
	RoleDB  Role = "db"
	// RoleAllInOne is web and db in one image, for the all-in-one layout.
	RoleAllInOne Role = "allinone"
)

// HasWordPress says whether the role's image carries a WordPress core,
// whose version is in its tag and whose tree is part of its recipe hash.
func (r Role) HasWordPress() bool { return r == RoleWeb || r == RoleAllInOne }

// Repo is the repository of a role's images under prefix.
func (r Role) Repo(prefix string) string { return prefix + "/" + string(r) }

// Tag is the tag docs/internals.md gives a role's image:
// <prefix>/web:<wordpress-version>-<recipe12>, <prefix>/db:<recipe12>.
func (r Role) Tag(prefix, recipeHash, wpVersion string) string {
	h := recipeHash
	if len(h) > 12 {
		h = h[:12]
	}
	if r.HasWordPress() {
		return r.Repo(prefix) + ":" + tagSafe(wpVersion) + "-" + h
	}
	return r.Repo(prefix) + ":" + h
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

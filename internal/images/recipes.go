package images

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// The recipes are embedded so the binary alone can build its images.
//
//go:embed all:recipes
var recipesFS embed.FS

// RecipeFile is one file of a recipe, at its path inside the build context.
type RecipeFile struct {
	Name string
	Data []byte
}

// Recipe returns the files of role's recipe, sorted by name. The
// all-in-one recipe is its own Dockerfile plus the web and db recipes'
// files under web/ and db/, so both layouts share one set of settings.
func Recipe(role Role) ([]RecipeFile, error) {
	files, err := recipeFrom(recipesFS, "recipes/"+string(role))
	if err != nil || role != RoleAllInOne {
		return files, err
	}
	for _, part := range []Role{RoleWeb, RoleDB} {
		more, err := recipeFrom(recipesFS, "recipes/"+string(part))
		if err != nil {
			return nil, err
		}
		for _, f := range more {
			files = append(files, RecipeFile{Name: string(part) + "/" + f.Name, Data: f.Data})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

func recipeFrom(fsys fs.FS, dir string) ([]RecipeFile, error) {
	var files []RecipeFile
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		rel := p[len(dir)+1:]
		files = append(files, RecipeFile{Name: path.Clean(rel), Data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded recipe %s: %w", dir, err)
	}
	if !hasDockerfile(files) {
		return nil, fmt.Errorf("embedded recipe %s has no Dockerfile; this binary was built without its recipes", dir)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

func hasDockerfile(files []RecipeFile) bool {
	for _, f := range files {
		if f.Name == "Dockerfile" {
			return true
		}
	}
	return false
}

// RecipeInputs is everything an image is built from.
type RecipeInputs struct {
	Role         Role
	Release      Release // "" is LegacyRelease
	Files        []RecipeFile
	BinarySHA256 string // of the wpstack binary copied in
	TreeHash     string // of the WordPress tree (web only)
}

// RecipeHash is the sha256 that names an image's inputs; equal inputs give
// an equal hash whatever the file order.
func RecipeHash(in RecipeInputs) string {
	files := append([]RecipeFile(nil), in.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	h := sha256.New()
	fmt.Fprintf(h, "wpstack-recipe-v1\x00role\x00%s\x00", in.Role)
	// Bookworm hashes as before stacks existed: its images keep their tags.
	if r := in.Release.or(); r != LegacyRelease {
		fmt.Fprintf(h, "release\x00%s\x00", r)
	}
	for _, f := range files {
		s := sha256.Sum256(f.Data)
		fmt.Fprintf(h, "file\x00%s\x00%x\x00", f.Name, s)
	}
	fmt.Fprintf(h, "binary\x00%s\x00", in.BinarySHA256)
	if in.Role.HasWordPress() {
		fmt.Fprintf(h, "wordpress\x00%s\x00", in.TreeHash)
	}
	return hex.EncodeToString(h.Sum(nil))
}

package images

import (
	"testing"
	"testing/fstest"
)

func TestEmbeddedRecipesHaveDockerfiles(t *testing.T) {
	for _, r := range []Role{RoleWeb, RoleDB} {
		files, err := Recipe(r)
		if err != nil {
			t.Fatal(err)
		}
		if !hasDockerfile(files) {
			t.Errorf("%s recipe has no Dockerfile", r)
		}
	}
}

func TestRecipeFromRequiresDockerfile(t *testing.T) {
	fsys := fstest.MapFS{"recipes/web/php.ini": {Data: []byte("x")}}
	if _, err := recipeFrom(fsys, "recipes/web"); err == nil {
		t.Fatal("a recipe without Dockerfile was accepted")
	}
}

func TestRecipeHash(t *testing.T) {
	files := []RecipeFile{{Name: "Dockerfile", Data: []byte("FROM x\n")}, {Name: "php.ini", Data: []byte("a=1\n")}}
	in := RecipeInputs{Role: RoleWeb, Files: files, BinarySHA256: "b1", TreeHash: "t1"}
	h := RecipeHash(in)
	if len(h) != 64 {
		t.Fatalf("hash %q is not a sha256", h)
	}
	if RecipeHash(in) != h {
		t.Error("same inputs, different hash")
	}
	swapped := in
	swapped.Files = []RecipeFile{files[1], files[0]}
	if RecipeHash(swapped) != h {
		t.Error("file order changed the hash")
	}

	changes := map[string]RecipeInputs{
		"file content": {Role: RoleWeb, Files: []RecipeFile{files[0], {Name: "php.ini", Data: []byte("a=2\n")}}, BinarySHA256: "b1", TreeHash: "t1"},
		"file name":    {Role: RoleWeb, Files: []RecipeFile{files[0], {Name: "php2.ini", Data: []byte("a=1\n")}}, BinarySHA256: "b1", TreeHash: "t1"},
		"added file":   {Role: RoleWeb, Files: append(append([]RecipeFile(nil), files...), RecipeFile{Name: "x", Data: nil}), BinarySHA256: "b1", TreeHash: "t1"},
		"binary":       {Role: RoleWeb, Files: files, BinarySHA256: "b2", TreeHash: "t1"},
		"tree":         {Role: RoleWeb, Files: files, BinarySHA256: "b1", TreeHash: "t2"},
		"role":         {Role: RoleDB, Files: files, BinarySHA256: "b1", TreeHash: "t1"},
	}
	for name, c := range changes {
		if RecipeHash(c) == h {
			t.Errorf("changing the %s kept the hash", name)
		}
	}

	// The db image does not contain WordPress, so its tree must not matter.
	db1 := RecipeHash(RecipeInputs{Role: RoleDB, Files: files, BinarySHA256: "b1", TreeHash: "t1"})
	db2 := RecipeHash(RecipeInputs{Role: RoleDB, Files: files, BinarySHA256: "b1", TreeHash: "t2"})
	if db1 != db2 {
		t.Error("the WordPress tree changed the db hash")
	}
}

func TestTags(t *testing.T) {
	h := "0123456789abcdef0123"
	if got := RoleWeb.Tag("wpstack", h, "6.7.1"); got != "wpstack/web:6.7.1-0123456789ab" {
		t.Errorf("web tag = %q", got)
	}
	if got := RoleDB.Tag("wpstack", h, "6.7.1"); got != "wpstack/db:0123456789ab" {
		t.Errorf("db tag = %q", got)
	}
	if got := RoleWeb.Tag("wpstack", h, "6.8+beta 1"); got != "wpstack/web:6.8_beta_1-0123456789ab" {
		t.Errorf("web tag with odd version = %q", got)
	}
}

package images

import (
	"strings"
	"testing"
)

func TestReleases(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Release
		wantErr string
	}{
		{"", Trixie, ""},
		{"trixie", Trixie, ""},
		{" Bookworm ", Bookworm, ""},
		{"sid", "", `unknown stack "sid"`},
	} {
		got, err := ParseRelease(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseRelease(%q) = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseRelease(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if BaseTagFor("") != BaseTag || BaseTagFor(Trixie) != "wpstack/base:trixie" {
		t.Errorf("base tags: %q, %q", BaseTagFor(""), BaseTagFor(Trixie))
	}
	if !Trixie.Newer(Bookworm) || Bookworm.Newer(Trixie) {
		t.Error("trixie is not newer than bookworm")
	}
	if Trixie.Theme() != "twentytwentyfive" || Release("").Theme() != "twentytwentythree" {
		t.Errorf("themes: %q, %q", Trixie.Theme(), Release("").Theme())
	}
	if !strings.Contains(sourcesList(Trixie, DefaultMirror), "deb http://deb.debian.org/debian-security trixie-security main") {
		t.Errorf("trixie sources:\n%s", sourcesList(Trixie, DefaultMirror))
	}
}

// One recipe builds every stack: the release is part of the hash (so each
// gets its own images), and bookworm hashes as before stacks existed.
func TestRecipeHashRelease(t *testing.T) {
	files := []RecipeFile{{Name: "Dockerfile", Data: []byte("FROM x\n")}}
	legacy := RecipeHash(RecipeInputs{Role: RoleDB, Files: files})
	bookworm := RecipeHash(RecipeInputs{Role: RoleDB, Release: Bookworm, Files: files})
	trixie := RecipeHash(RecipeInputs{Role: RoleDB, Release: Trixie, Files: files})
	if legacy != bookworm {
		t.Error("an explicit bookworm hashes unlike an empty release")
	}
	if trixie == bookworm {
		t.Error("trixie and bookworm images share a recipe hash")
	}
}

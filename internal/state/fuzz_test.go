package state

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzLoadSpec: any bytes in a site.yaml load without a panic; a spec that
// then validates saves and loads back unchanged.
func FuzzLoadSpec(f *testing.F) {
	for _, seed := range []string{
		"name: blog\nport: 8080\nlayout: split\ntarget: local\n",
		"name: shop\ndomains: [shop.test, www.shop.test]\ntls: local\n",
		"name: big\nport: 99999999999999999999\n",
		"name: x\nlayout: [1, 2]\n",
		"name: &a [*a]\n",
		"{{{{",
		"name: blog\ndata_dir: /srv\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		root := t.TempDir()
		st := Store{Root: root}
		dir := st.SiteDir("fz")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, specFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		spec, err := st.Load("fz")
		if err != nil {
			return
		}
		spec.Name = "fz"
		spec.ApplyDefaults()
		if spec.Validate() != nil {
			return
		}
		if err := st.Save(spec); err != nil {
			t.Fatalf("save a valid spec: %v", err)
		}
		back, err := st.Load("fz")
		if err != nil {
			t.Fatalf("load a saved spec: %v", err)
		}
		back.ApplyDefaults()
		if len(spec.Domains) == 0 && len(back.Domains) == 0 {
			spec.Domains, back.Domains = nil, nil // an empty list is written as none
		}
		if !reflect.DeepEqual(spec, back) {
			t.Fatalf("spec changed through save and load:\n%+v\n%+v", spec, back)
		}
	})
}

package state

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wpstack/wpstack/internal/site"
)

func TestSecretsGeneratedOnceAndPrivate(t *testing.T) {
	st := Store{Root: t.TempDir()}
	if err := st.EnsureSecrets("blog"); err != nil {
		t.Fatal(err)
	}
	first := map[string]string{}
	for _, k := range []string{SecretDBRoot, SecretDB, SecretAdmin, SecretWPSalts} {
		fi, err := os.Stat(st.SecretPath("blog", k))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", k, fi.Mode().Perm())
		}
		v, err := st.ReadSecret("blog", k)
		if err != nil {
			t.Fatal(err)
		}
		first[k] = v
	}
	if len(first[SecretAdmin]) != 24 || len(first[SecretDB]) != 32 {
		t.Errorf("password lengths: admin %d, db %d", len(first[SecretAdmin]), len(first[SecretDB]))
	}
	if first[SecretDB] == first[SecretDBRoot] {
		t.Error("two secrets are equal")
	}
	lines := strings.Split(first[SecretWPSalts], "\n")
	if len(lines) != 8 {
		t.Fatalf("salts: %d lines, want 8", len(lines))
	}
	for i, l := range lines {
		name, val, ok := strings.Cut(l, "=")
		if !ok || name != SaltNames[i] || len(val) != 64 || strings.ContainsAny(val, `'"\`) {
			t.Errorf("salt line %q is malformed", l)
		}
	}
	if err := st.EnsureSecrets("blog"); err != nil {
		t.Fatal(err)
	}
	for k, v := range first {
		if got, _ := st.ReadSecret("blog", k); got != v {
			t.Errorf("%s changed on the second call", k)
		}
	}
}

func TestSpecRoundTripAndList(t *testing.T) {
	st := Store{Root: t.TempDir()}
	if names, err := st.List(); err != nil || len(names) != 0 {
		t.Fatalf("empty store lists %v, %v", names, err)
	}
	if _, err := st.Load("nope"); !errors.Is(err, ErrNoSite) {
		t.Fatalf("Load of a missing site: %v", err)
	}
	s := site.Spec{Name: "blog", Title: "My Blog"}
	s.ApplyDefaults()
	if err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load("blog")
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, s)
	}
	names, _ := st.List()
	if len(names) != 1 || names[0] != "blog" {
		t.Fatalf("List = %v", names)
	}
	if err := st.Remove("blog"); err != nil || st.Exists("blog") {
		t.Fatalf("Remove: %v, exists=%v", err, st.Exists("blog"))
	}
}

func TestLockSerialises(t *testing.T) {
	st := Store{Root: t.TempDir()}
	unlock, err := st.Lock(context.Background(), "blog", nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{}, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	_, err = st.Lock(ctx, "blog", func() { waited <- struct{}{} })
	if err == nil {
		t.Fatal("second lock taken while the first is held")
	}
	select {
	case <-waited:
	default:
		t.Error("the waiting callback was not called")
	}
	unlock()
	unlock2, err := st.Lock(context.Background(), "blog", nil)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

func TestSeedSecretsValidates(t *testing.T) {
	salts, err := Salts()
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := Password(32)
	bad := map[string]string{
		SecretDB:      "x\"\n[client]\npassword=y",
		SecretDBRoot:  "short",
		SecretAdmin:   strings.Repeat("a", 200),
		SecretWPSalts: strings.Replace(salts, "=", "='", 1),
	}
	for name, v := range bad {
		t.Run(name, func(t *testing.T) {
			st := Store{Root: t.TempDir()}
			err := st.SeedSecrets("blog", map[string][]byte{name: []byte(v)})
			if err == nil || !strings.Contains(err.Error(), "refusing to adopt") {
				t.Fatalf("SeedSecrets(%s=%q) = %v, want a refusal", name, v, err)
			}
			if _, err := os.Stat(st.SecretsDir("blog")); !os.IsNotExist(err) {
				t.Errorf("secrets were written despite the refusal (%v)", err)
			}
		})
	}
	st := Store{Root: t.TempDir()}
	if err := st.SeedSecrets("blog", map[string][]byte{SecretDB: []byte(pw + "\n"), SecretWPSalts: []byte(salts + "\n")}); err != nil {
		t.Fatalf("generated secrets refused: %v", err)
	}
	if err := st.SeedSecrets("blog", map[string][]byte{"other": []byte(pw)}); err == nil {
		t.Error("an unknown secret was accepted")
	}
}

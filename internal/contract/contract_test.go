package contract_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/images"
)

// consts returns the contract's string constants by name, read from its
// source, so a constant added there is checked without touching this test.
func consts(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "contract.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("contract", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range pkg.Scope().Names() {
		if c, ok := pkg.Scope().Lookup(name).(*types.Const); ok && c.Val().Kind() == constant.String {
			out[name] = constant.StringVal(c.Val())
		}
	}
	return out
}

func withPrefix(all map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range all {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// recipeFiles is every embedded recipe file, by "role/name".
func recipeFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, role := range []images.Role{images.RoleWeb, images.RoleDB, images.RoleAllInOne, images.RoleEdge} {
		files, err := images.Recipe(role)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			out[string(role)+"/"+f.Name] = string(f.Data)
		}
	}
	return out
}

func readDocs(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "internals.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	envRE     = regexp.MustCompile(`\b(?:WORDPRESS|MARIADB|MYSQL|WPSTACK)_[A-Z_]+[A-Z]\b`)
	pathRE    = regexp.MustCompile(`/(?:var/www|var/lib/mysql|run|usr/src/wordpress|usr/local/bin|backups|docker-entrypoint-initdb\.d)(?:/[A-Za-z0-9_.-]*)*`)
	healthRE  = regexp.MustCompile(`(?m)^HEALTHCHECK (.*)\\\n\s+CMD (\[.*\])$`)
	entryRE   = regexp.MustCompile(`(?m)^ENTRYPOINT (\[.*\])$`)
	optionRE  = regexp.MustCompile(`--([a-z-]+)=(\S+)`)
	useraddRE = regexp.MustCompile(`useradd .*--uid (\d+) .* (\w+);`)
)

// TestRecipesEnvironment: every variable a recipe reads is the contract's
// (or the value a *_FILE variable of the contract is read into).
func TestRecipesEnvironment(t *testing.T) {
	known := map[string]bool{}
	for _, v := range withPrefix(consts(t), "Env") {
		known[v] = true
		if s, ok := strings.CutSuffix(v, "_FILE"); ok {
			known[s] = true
		}
	}
	for name, data := range recipeFiles(t) {
		for _, v := range envRE.FindAllString(data, -1) {
			if !known[v] {
				t.Errorf("%s reads %s, which internal/contract does not name", name, v)
			}
		}
	}
}

// TestContractEnvironmentUsed: every variable of the contract is read by a
// recipe or by the PID 1 program, or set by the plan; none is left over.
func TestContractEnvironmentUsed(t *testing.T) {
	var corpus strings.Builder
	for _, data := range recipeFiles(t) {
		corpus.WriteString(data)
	}
	for _, dir := range []string{"../container", "../plan"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			corpus.Write(b)
		}
	}
	text := corpus.String()
	for name, v := range withPrefix(consts(t), "Env") {
		if !strings.Contains(text, v) && !strings.Contains(text, "contract."+name) {
			t.Errorf("contract.%s (%s) is used by no recipe, no PID 1 code and no plan", name, v)
		}
	}
}

// TestRecipesPaths: every path a recipe uses on the image boundary is a
// contract path or lies under one.
func TestRecipesPaths(t *testing.T) {
	var roots []string
	for _, v := range consts(t) {
		if strings.HasPrefix(v, "/") {
			roots = append(roots, v)
		}
	}
	under := func(p string) bool {
		p = strings.TrimSuffix(p, "/")
		for _, r := range roots {
			if p == r || strings.HasPrefix(p, r+"/") {
				return true
			}
		}
		return false
	}
	for name, data := range recipeFiles(t) {
		for _, p := range pathRE.FindAllString(data, -1) {
			if !under(p) {
				t.Errorf("%s uses %s, which is under no internal/contract path", name, p)
			}
		}
	}
}

// TestRecipesPID1: each image copies the contract's PID 1 program to its
// path and runs it with a contract role, and its HEALTHCHECK is the
// contract's command with the contract's timings.
func TestRecipesPID1(t *testing.T) {
	roles := withPrefix(consts(t), "Role")
	isRole := map[string]bool{}
	for _, r := range roles {
		isRole[r] = true
	}
	healthRoles := map[string]string{"web": contract.RoleWeb, "db": contract.RoleDB, "allinone": contract.RoleAllInOne}
	for name, df := range recipeFiles(t) {
		if !strings.HasSuffix(name, "/Dockerfile") || strings.Count(name, "/") != 1 {
			continue
		}
		role := strings.TrimSuffix(name, "/Dockerfile")
		if want := "COPY " + contract.InitName + " " + contract.InitBinary + "\n"; !strings.Contains(df, want) {
			t.Errorf("%s: no %q", name, strings.TrimSpace(want))
		}
		m := entryRE.FindStringSubmatch(df)
		if m == nil {
			t.Errorf("%s: no ENTRYPOINT", name)
			continue
		}
		entry := jsonArray(t, m[1])
		if len(entry) < 2 || entry[0] != contract.InitBinary || !isRole[entry[1]] {
			t.Errorf("%s: ENTRYPOINT %v, want %s ROLE with a contract role", name, entry, contract.InitBinary)
		}
		hc := healthRE.FindStringSubmatch(df)
		want, hasHealth := healthRoles[role]
		if !hasHealth {
			if hc != nil {
				t.Errorf("%s: a HEALTHCHECK the plan does not know of", name)
			}
			continue
		}
		if hc == nil {
			t.Errorf("%s: no HEALTHCHECK", name)
			continue
		}
		if got := jsonArray(t, hc[2]); strings.Join(got, " ") != strings.Join(contract.HealthCommand(want), " ") {
			t.Errorf("%s: HEALTHCHECK CMD %v, want %v", name, got, contract.HealthCommand(want))
		}
		opts := map[string]string{}
		for _, o := range optionRE.FindAllStringSubmatch(hc[1], -1) {
			opts[o[1]] = o[2]
		}
		for opt, want := range map[string]string{
			"interval":     dur(contract.HealthInterval),
			"timeout":      dur(contract.HealthTimeout),
			"start-period": dur(contract.HealthStartPeriod(want)),
			"retries":      strconv.Itoa(contract.HealthRetries),
		} {
			if opts[opt] != want {
				t.Errorf("%s: HEALTHCHECK --%s=%s, contract says %s", name, opt, opts[opt], want)
			}
		}
	}
}

// TestRecipesUsers: the db image makes the contract's user with its uid.
func TestRecipesUsers(t *testing.T) {
	df := recipeFiles(t)["db/Dockerfile"]
	m := useraddRE.FindStringSubmatch(df)
	if m == nil {
		t.Fatal("db/Dockerfile: no useradd with --uid")
	}
	if m[1] != strconv.Itoa(contract.DBUID) || m[2] != contract.DBUser {
		t.Errorf("db image makes %s uid %s, contract says %s uid %d", m[2], m[1], contract.DBUser, contract.DBUID)
	}
}

// TestDocs: docs/internals.md names every contract value, and the PID 1
// path it gives is the contract's.
func TestDocs(t *testing.T) {
	docs := readDocs(t)
	var missing []string
	for name, v := range consts(t) {
		if name == "LabelDBNodePrefix" {
			v += "<site>"
		}
		if !strings.Contains(docs, v) {
			missing = append(missing, fmt.Sprintf("%s (%s)", name, v))
		}
	}
	for _, want := range []string{
		"interval " + dur(contract.HealthInterval), "timeout " + dur(contract.HealthTimeout),
		"retries " + strconv.Itoa(contract.HealthRetries),
		fmt.Sprintf("uid %d", contract.WebUID), fmt.Sprintf("uid %d", contract.DBUID),
	} {
		if !strings.Contains(docs, want) {
			missing = append(missing, want)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("docs/internals.md does not mention %s", m)
	}
	for _, p := range regexp.MustCompile(`/usr/local/bin/[a-z.-]+[a-z]`).FindAllString(docs, -1) {
		if p != contract.InitBinary && p != contract.HealthcheckScript {
			t.Errorf("docs/internals.md names %s as an in-image program; the contract's is %s", p, contract.InitBinary)
		}
	}
	if strings.Contains(docs, "wpstack container") {
		t.Error("docs/internals.md still says `wpstack container`; PID 1 is wpstack-init")
	}
}

// dur is a duration as the Dockerfiles write it (whole seconds).
func dur(d time.Duration) string { return fmt.Sprintf("%ds", int(d/time.Second)) }

func jsonArray(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return out
}

// TestNoLooseNames: outside this package no Go string literal spells the
// in-image program's path, a secrets folder or a label: they come from
// here, so the two sides cannot drift apart again.
func TestNoLooseNames(t *testing.T) {
	loose := []string{"/usr/local/bin/", contract.SecretsDir, contract.CopiedSecretsDir, "io.wpstack."}
	for _, root := range []string{filepath.Join("..", "..", "internal"), filepath.Join("..", "..", "cmd")} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && filepath.Base(p) == "contract" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fset := token.NewFileSet()
			var s scanner.Scanner
			s.Init(fset.AddFile(p, -1, len(src)), src, nil, 0)
			for {
				pos, tok, lit := s.Scan()
				if tok == token.EOF {
					break
				}
				if tok != token.STRING {
					continue
				}
				for _, l := range loose {
					if strings.Contains(lit, l) {
						t.Errorf("%s: %s spells %q; use internal/contract", fset.Position(pos), lit, l)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

package service

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/site"
)

// recipeFileDocs says what each recipe file is for; a file not listed is
// described by the Dockerfile line that copies it.
var recipeFileDocs = map[string]string{
	"Dockerfile":          "the image recipe: packages from Debian, then the files below. `ARG BASE` is the base image.",
	"wpstack-init":        "the PID 1 of the image (a static Linux program, not the CLI): fixes owners, copies the secrets to a tmpfs only the service user reads, drops root, runs the server as its child, and answers the healthcheck (`wpstack-init health`).",
	"wordpress":           "the WordPress core, copied to /usr/src/wordpress (packed as /usr/src/wordpress.tar.zst in the all-in-one image); PID 1 copies it into the webroot volume on first start, never over a newer core.",
	"mpm_prefork.conf":    "Apache's process limits, sized for a small container.",
	"wpstack-server.conf": "Apache server settings (logs to stdout/stderr, no server signature).",
	"wpstack-site.conf":   "the virtual host serving /var/www/html, and the health endpoint /.wpstack/health.",
	"php.ini":             "PHP settings (OPcache on, upload limits).",
	"wp-config.php":       "WordPress's configuration, one level above the webroot; it reads every setting from the environment (`NAME` or `NAME_FILE`), so no secret is in the image.",
	"env.php":             "the helper wp-config.php uses to read `NAME` / `NAME_FILE` settings.",
	"health.php":          "the health endpoint: 200 when Apache, PHP and the database answer.",
	"create-db.php":       "creates the database when it does not exist yet.",
	"99-wpstack.cnf":      "MariaDB settings: data in /var/lib/mysql/data, socket in /run/mysqld, small memory use.",
}

// dirREADME explains every file of a dir export and how to run it.
func dirREADME(spec site.Spec, exp images.Exported, refs map[string]string, external bool, secretsDir string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# WordPress site %q, as plain Docker build files\n\n", spec.Name)
	w("Made by `wpstack export %s --format dir`. Everything here builds and runs\n", spec.Name)
	w("with Docker and docker-compose (1.29) or Compose v2 alone: no wpstack binary is needed.\n\n")
	w("```sh\n")
	w("wpstack down %s                        # first, when wpstack runs the site: its port %d is taken\n", spec.Name, spec.Port)
	w("docker-compose -p %s up -d --build     # or: docker compose -p %s up -d --build\n", spec.Name, spec.Name)
	w("curl -I %s\n", spec.URL())
	w("docker-compose -p %s down              # stops it; the data stays\n", spec.Name)
	w("```\n\n")
	w("`-p %s` names the project, so containers, network and volumes keep the site's names.\n\n", spec.Name)

	w("## Files\n\n")
	w("| file | what it is |\n|---|---|\n")
	w("| `compose.yaml` | the site: services `db` and `web` built from `./db` and `./web`, their healthchecks, `web` starting once `db` is healthy, restart policies, the volumes, the secrets. It is the plan `wpstack up` applies, with `build:` sections added. |\n")
	w("| `README.md` | this file. |\n")
	w("| `%s` | what the folder was made from: WordPress version, source and tree hash, the sha256 of the wpstack binary, the recipe hashes and the tags wpstack gives the same images. |\n", dirManifest)
	w("| `%s` | the sha256 of every file here: `sha256sum -c %s` checks the folder. |\n", dirSums, dirSums)
	for _, c := range exp.Contexts {
		w("| `%s/` | the build context of the `%s` image (tagged `%s` by compose.yaml): exactly the files wpstack sends to the engine when it builds `%s`. |\n", c.Role, c.Role, refs[string(c.Role)], c.Ref)
		for _, f := range contextFiles(c.Role) {
			doc, ok := recipeFileDocs[strings.TrimSuffix(f, "/")]
			if !ok {
				doc = "copied into the image by the Dockerfile."
			}
			w("| `%s/%s` | %s |\n", c.Role, f, doc)
		}
	}
	w("\n## WordPress source\n\n")
	w("- version: %s\n", exp.WordPressVersion)
	w("- source: %s\n", exp.WordPressSource)
	w("- tree hash (wpstack's hash over the sorted paths, kinds and contents of `web/wordpress/`): `%s`\n", exp.WordPressTreeHash)
	w("- every file's sha256: `%s`\n\n", dirSums)

	w("## Base image\n\n")
	w("Both Dockerfiles start `FROM ${BASE}`; compose.yaml passes `BASE=${WPSTACK_BASE:-%s}`.\n", exp.BaseImage)
	w("`%s` is the Debian %s (%s) base wpstack made on this machine (pulled, or\n", exp.BaseImage, images.Release(spec.StackRelease()).DebianVersion(), spec.StackRelease())
	w("bootstrapped with debootstrap when no registry answers). Where a registry answers,\n")
	w("build on the official image instead:\n\n")
	w("```sh\nWPSTACK_BASE=debian:%s-slim docker-compose -p %s up -d --build\n```\n\n", spec.StackRelease(), spec.Name)

	w("## Data and secrets\n\n")
	if external {
		w("The volumes `%s` and `%s` hold the site's data and exist already: compose.yaml\n", spec.VolumeName("db"), spec.VolumeName("html"))
		w("declares them `external`, so compose uses them as they are and `down -v` never deletes them.\n")
	} else {
		w("The volumes `%s` and `%s` are created on first start; `wpstack up %s` later finds the same data.\n", spec.VolumeName("db"), spec.VolumeName("html"), spec.Name)
	}
	w("\nThe passwords and WordPress keys are files in `%s` (mode 0600), mounted\n", secretsDir)
	w("read-only at %s and read through `*_FILE` variables. No secret value is in\n", contract.SecretsDir)
	w("this folder, in the images or in their environment. To run the site elsewhere, copy\n")
	w("that folder too and change the `file:` paths under `secrets:` in compose.yaml.\n")
	return b.String()
}

// contextFiles lists a role's context as the README shows it.
func contextFiles(role images.Role) []string {
	files, err := images.Recipe(role)
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	out = append(out, contract.InitName)
	if role.HasWordPress() {
		out = append(out, "wordpress/")
	}
	sort.Strings(out)
	return out
}

package container

import (
	"fmt"
	"strings"
)

// dbAliases maps each MARIADB_* setting of the official mariadb image to
// the older names it also answers to, in the order they are tried. Most are
// MYSQL_ plus the same suffix; the empty-password flag is the exception
// (MYSQL_ALLOW_EMPTY_PASSWORD, no ROOT). MYSQL_ALLOW_EMPTY_ROOT_PASSWORD is
// what this image documented before, so it stays accepted.
var dbAliases = map[string][]string{
	"MARIADB_ROOT_PASSWORD":             {"MYSQL_ROOT_PASSWORD"},
	"MARIADB_ROOT_HOST":                 {"MYSQL_ROOT_HOST"},
	"MARIADB_DATABASE":                  {"MYSQL_DATABASE"},
	"MARIADB_USER":                      {"MYSQL_USER"},
	"MARIADB_PASSWORD":                  {"MYSQL_PASSWORD"},
	"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": {"MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_ALLOW_EMPTY_ROOT_PASSWORD"},
	"MARIADB_RANDOM_ROOT_PASSWORD":      {"MYSQL_RANDOM_ROOT_PASSWORD"},
	"MARIADB_INITDB_SKIP_TZINFO":        {"MYSQL_INITDB_SKIP_TZINFO"},
	// New in the MariaDB image, no MYSQL_ form.
	"MARIADB_HEALTHCHECK_GRANTS": nil,
}

// dbNames returns the names a setting is read from, the MARIADB_ one
// first: MARIADB_ wins when both are set. suffix is the name without
// MARIADB_ (e.g. "ALLOW_EMPTY_ROOT_PASSWORD").
func dbNames(suffix string) []string {
	name := "MARIADB_" + suffix
	aliases, ok := dbAliases[name]
	if !ok {
		aliases = []string{"MYSQL_" + suffix}
	}
	return append([]string{name}, aliases...)
}

// dbSetting reads a setting by any of its names, each also as NAME_FILE.
// It returns the value and the name it came from ("" when unset).
func dbSetting(env environ, suffix string) (value, from string, err error) {
	return env.first(dbNames(suffix)...)
}

// dbSettingSet reports whether any name of the setting is set.
func dbSettingSet(env environ, suffix string) bool {
	return env.has(dbNames(suffix)...)
}

// isOn reads a yes/no setting: on for any value but empty, 0, no, false
// and off (the official image takes any non-empty value as yes; an
// explicit "no" meaning yes surprises more than it helps).
func isOn(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "no", "false", "off":
		return false
	}
	return true
}

// dbFlag reads a yes/no setting by any of its names.
func dbFlag(env environ, suffix string) (bool, error) {
	v, _, err := dbSetting(env, suffix)
	return isOn(v), err
}

// healthcheckGrants is MARIADB_HEALTHCHECK_GRANTS (default USAGE): the
// privileges of the healthcheck users, e.g. "REPLICA MONITOR". Only
// privilege names are accepted, since the value goes into a GRANT.
func healthcheckGrants(env environ) (string, error) {
	v, _, err := dbSetting(env, "HEALTHCHECK_GRANTS")
	if err != nil {
		return "", err
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "USAGE", nil
	}
	for _, r := range v {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r == ' ', r == ',', r == '_':
		default:
			return "", fmt.Errorf("MARIADB_HEALTHCHECK_GRANTS=%q: only privilege names separated by commas (e.g. \"REPLICA MONITOR\")", v)
		}
	}
	return v, nil
}

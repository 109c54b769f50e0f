package container

import (
	"strings"
	"testing"
)

// debianEnvvars is /etc/apache2/envvars as Debian bookworm ships it.
const debianEnvvars = `# envvars - default environment variables for apache2ctl

# this won't be correct after changing uid
unset HOME

# for supporting multiple apache2 instances
if [ "${APACHE_CONFDIR##/etc/apache2-}" != "${APACHE_CONFDIR}" ] ; then
	SUFFIX="-${APACHE_CONFDIR##/etc/apache2-}"
else
	SUFFIX=
fi

# Since there is no sane way to get the parsed apache2 config in scripts, some
# settings are defined via environment variables and then used in apache2ctl,
# /etc/init.d/apache2, /etc/logrotate.d/apache2, etc.
export APACHE_RUN_USER=www-data
export APACHE_RUN_GROUP=www-data
# temporary state file location. This might be changed to /run in Wheezy+1
export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid
export APACHE_RUN_DIR=/var/run/apache2$SUFFIX
export APACHE_LOCK_DIR=/var/lock/apache2$SUFFIX
# Only /var/log/apache2 is handled by /etc/logrotate.d/apache2.
export APACHE_LOG_DIR=/var/log/apache2$SUFFIX

## The locale used by some modules like mod_dav
export LANG=C
## Uncomment the following line to use the system default locale instead:
#. /etc/default/locale

export LANG

## The command to get the status for 'apache2ctl status'.
## Some packages providing 'www-browser' need '--dump' instead of '-dump'.
#export APACHE_LYNX='www-browser -dump'
`

func TestParseEnvvars(t *testing.T) {
	got, err := parseEnvvars(strings.NewReader(debianEnvvars), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"APACHE_RUN_USER":  "www-data",
		"APACHE_RUN_GROUP": "www-data",
		"APACHE_PID_FILE":  "/var/run/apache2/apache2.pid",
		"APACHE_RUN_DIR":   "/var/run/apache2",
		"APACHE_LOCK_DIR":  "/var/lock/apache2",
		"APACHE_LOG_DIR":   "/var/log/apache2",
		"LANG":             "C",
	}
	if len(got) != len(want) {
		t.Errorf("got %d variables, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestParseEnvvarsQuotingAndExpansion(t *testing.T) {
	src := `export A=one
export B="$A two"
export C='$A literal'
export D=${A}-${OUTER}
export 1BAD=x
   export E=indented
`
	got, err := parseEnvvars(strings.NewReader(src), func(n string) string {
		if n == "OUTER" {
			return "out"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "one", "B": "one two", "C": "$A literal", "D": "one-out", "E": "indented"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["1BAD"]; ok {
		t.Error("invalid name accepted")
	}
}

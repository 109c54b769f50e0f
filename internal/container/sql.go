package container

import (
	"errors"
	"fmt"
	"strings"
)

// sqlString quotes s as a MariaDB string literal. Backslash escapes are on
// in the server's default sql_mode, which --bootstrap uses.
func sqlString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// sqlIdent quotes s as an identifier.
func sqlIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// sqlGrantDB quotes a database name for GRANT ... ON `db`.*, where _ and %
// are wildcards unless escaped.
func sqlGrantDB(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "_", `\_`, "%", `\%`)
	return sqlIdent(r.Replace(s))
}

// initConfig is what the first start puts in a new data directory.
type initConfig struct {
	RootPassword string
	// RootHost is the host part of a second root account ('%' by default,
	// as the official image does); "" or "localhost" creates none.
	RootHost string
	Database string
	User     string
	Password string
	// SocketUser is the unix user the health check runs as, let in over
	// the socket without a password; "" means mysql.
	SocketUser string
}

func (c initConfig) validate() error {
	for name, v := range map[string]string{
		"root password": c.RootPassword, "root host": c.RootHost,
		"database": c.Database, "user": c.User, "password": c.Password,
	} {
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("the %s contains a NUL byte", name)
		}
	}
	if c.User == "root" {
		return errors.New("MARIADB_USER=root: root is already created; choose another user name")
	}
	if len(c.Database) > 64 {
		return fmt.Errorf("database name %q is longer than 64 characters", c.Database)
	}
	if c.Database != "" && strings.HasSuffix(c.Database, " ") {
		return fmt.Errorf("database name %q ends with a space", c.Database)
	}
	return nil
}

// bootstrapSQL is fed to `mariadbd --bootstrap`, one statement per line.
// FLUSH PRIVILEGES comes before any account statement: bootstrap mode
// starts without the grant tables loaded, and those statements need them.
func bootstrapSQL(c initConfig) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\n")
	}
	// mariadb-install-db also makes password-less root accounts for
	// 127.0.0.1, ::1 and the build host's name; only root@localhost stays.
	// These run before the grant tables are loaded, so plain DELETEs do.
	line("DELETE FROM mysql.global_priv WHERE Host <> 'localhost' OR User = '';")
	line("DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';")
	line("FLUSH PRIVILEGES;")
	line("DROP DATABASE IF EXISTS test;")
	line("ALTER USER 'root'@'localhost' IDENTIFIED BY %s;", sqlString(c.RootPassword))
	if c.RootHost != "" && c.RootHost != "localhost" {
		h := sqlString(c.RootHost)
		line("CREATE USER 'root'@%s IDENTIFIED BY %s;", h, sqlString(c.RootPassword))
		line("GRANT ALL PRIVILEGES ON *.* TO 'root'@%s WITH GRANT OPTION;", h)
	}
	// The health check logs in as the service's unix user over the socket, with
	// no password and no privilege beyond connecting.
	socketUser := c.SocketUser
	if socketUser == "" {
		socketUser = dbUser
	}
	line("CREATE USER IF NOT EXISTS %s@'localhost' IDENTIFIED VIA unix_socket;", sqlString(socketUser))
	if c.Database != "" {
		line("CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;", sqlIdent(c.Database))
	}
	if c.User != "" {
		u := sqlString(c.User)
		line("CREATE USER %s@'%%' IDENTIFIED BY %s;", u, sqlString(c.Password))
		if c.Database != "" {
			line("GRANT ALL PRIVILEGES ON %s.* TO %s@'%%';", sqlGrantDB(c.Database), u)
		}
	}
	return b.String()
}

package config

import (
	"os"
	"path/filepath"
)

// EnvFile is the environment variable naming the configuration file.
const EnvFile = EnvPrefix + "_CONFIG"

// FileName is the configuration file's name in the user's PayDesk folder.
const FileName = "paydesk.yaml"

// LocateOption changes the rule Locate follows.
type LocateOption int

const (
	// NamedOnly stops the lookup after $PAYDESK_CONFIG: the user's
	// paydesk.yaml is not looked for, and "" means that nothing named a
	// file (not training mode). paydeskctl gw uses it: a request signed
	// with the point's key and sent to the real network must be given its
	// configuration, never fall back to a file or to training defaults.
	NamedOnly LocateOption = iota + 1
)

// Locate returns the configuration file to load, by the one rule every
// PayDesk command follows:
//
//  1. flag, the --config flag, when it is not empty;
//  2. else $PAYDESK_CONFIG, when set and not empty;
//  3. else the user's paydesk.yaml (~/.config/paydesk/paydesk.yaml,
//     %AppData%\paydesk\paydesk.yaml: DefaultFile) when it exists;
//  4. else "": no file, which Load turns into training mode.
//
// NamedOnly leaves out step 3. A named file is returned as given, whether
// or not it exists: Load reports a missing one.
func Locate(flag string, opts ...LocateOption) string {
	if flag != "" {
		return flag
	}
	if f := os.Getenv(EnvFile); f != "" {
		return f
	}
	for _, o := range opts {
		if o == NamedOnly {
			return ""
		}
	}
	return DefaultFile()
}

// UserFile returns the path of the user's configuration file (paydesk.yaml
// in UserDir), whether or not it exists.
func UserFile() (string, error) {
	d, err := UserDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, FileName), nil
}

// Target returns the file a change to c is saved in (Settings): the file c
// was loaded from, else (training mode without a file) the user's
// paydesk.yaml, which Locate finds on the next start; "paydesk.yaml" in the
// working folder when the user's folder is unknown.
func Target(c *Config) string {
	if c != nil && c.File != "" {
		return c.File
	}
	f, err := UserFile()
	if err != nil {
		return FileName
	}
	return f
}

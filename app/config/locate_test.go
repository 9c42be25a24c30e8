package config

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLocate: the --config flag, else $PAYDESK_CONFIG, else the user's
// paydesk.yaml when it exists, else "" (training); NamedOnly stops before
// the user's file. Every combination.
func TestLocate(t *testing.T) {
	const flag, env = "/etc/flag.yaml", "/etc/env.yaml"
	tests := []struct {
		flag, env string
		userFile  bool
		opts      []LocateOption
		want      string // "user": the user's paydesk.yaml
	}{
		{"", "", false, nil, ""},
		{"", "", true, nil, "user"},
		{"", env, false, nil, env},
		{"", env, true, nil, env},
		{flag, "", false, nil, flag},
		{flag, "", true, nil, flag},
		{flag, env, false, nil, flag},
		{flag, env, true, nil, flag},
		{"", "", false, []LocateOption{NamedOnly}, ""},
		{"", "", true, []LocateOption{NamedOnly}, ""},
		{"", env, false, []LocateOption{NamedOnly}, env},
		{"", env, true, []LocateOption{NamedOnly}, env},
		{flag, "", false, []LocateOption{NamedOnly}, flag},
		{flag, "", true, []LocateOption{NamedOnly}, flag},
		{flag, env, false, []LocateOption{NamedOnly}, flag},
		{flag, env, true, []LocateOption{NamedOnly}, flag},
	}
	for _, tt := range tests {
		name := "flag=" + tt.flag + ",env=" + tt.env
		if tt.userFile {
			name += ",user file"
		}
		if tt.opts != nil {
			name += ",NamedOnly"
		}
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", home)
			t.Setenv("HOME", home)
			t.Setenv("AppData", home)
			t.Setenv(EnvFile, tt.env)
			user := filepath.Join(home, "paydesk", "paydesk.yaml")
			if tt.userFile {
				write(t, home, "paydesk/paydesk.yaml", "training: true\n")
			}
			want := tt.want
			if want == "user" {
				want = user
			}
			assert.Equal(t, want, Locate(tt.flag, tt.opts...))
			got, err := UserFile()
			require.NoError(t, err)
			assert.Equal(t, user, got, "UserFile names the file whether or not it exists")
		})
	}

	t.Run("no user folder", func(t *testing.T) {
		t.Setenv("XDG_CONFIG_HOME", "")
		t.Setenv("HOME", "")
		t.Setenv("AppData", "")
		t.Setenv(EnvFile, "")
		if _, err := UserDir(); err == nil {
			t.Skip("this system finds a configuration folder without HOME")
		}
		assert.Equal(t, "", Locate(""))
		assert.Equal(t, "/f.yaml", Locate("/f.yaml"))
		assert.Equal(t, FileName, Target(&Config{}), "Target falls back to the working folder")
	})
}

// TestTarget: Settings saves to the file loaded, else to the user's file,
// which Locate then finds.
func TestTarget(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("HOME", home)
	t.Setenv(EnvFile, "")
	tests := []struct {
		name string
		c    *Config
		want string
	}{
		{"loaded from a file", &Config{File: "/srv/paydesk.yaml"}, "/srv/paydesk.yaml"},
		{"training without a file", &Config{Training: true}, filepath.Join(home, "paydesk", "paydesk.yaml")},
		{"nil", nil, filepath.Join(home, "paydesk", "paydesk.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Target(tt.c))
		})
	}
	c, err := Load(Locate(""))
	require.NoError(t, err)
	require.True(t, c.Training)
	require.NoError(t, Save(Target(c), c))
	assert.Equal(t, Target(c), Locate(""), "the file Settings writes is the one the next start loads")
}

package config

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/safeyaml"
)

// User is the person's own settings, in $XDG_CONFIG_HOME/datatui/config.yml (not committed
// to any repository).
type User struct {
	// Theme is auto (follow the terminal's background), dark or light.
	Theme string `yaml:"theme"`
	// DefaultScreen is the screen the app opens on (home, guides, lineage…).
	DefaultScreen string `yaml:"default_screen"`
	// Keys rebinds actions: action name → keys ("down: [j, ctrl+n]" or "palette: ctrl+p").
	// The app checks the names and clashes (see `?` for the actions) and keeps its defaults,
	// with a message, when an override is wrong.
	Keys map[string]KeyList `yaml:"keys"`
}

// KeyList is one key or a list of keys.
type KeyList []string

// UnmarshalYAML accepts a single key as well as a list.
func (k *KeyList) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*k = KeyList{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return errors.New("a key binding is a key name or a list of key names")
	}
	*k = many
	return nil
}

// KeyOverrides is Keys as plain lists, for the UI's keymap.
func (u User) KeyOverrides() map[string][]string {
	if len(u.Keys) == 0 {
		return nil
	}
	out := make(map[string][]string, len(u.Keys))
	for name, ks := range u.Keys {
		out[name] = ks
	}
	return out
}

// UserConfigPath is where the personal settings live.
func UserConfigPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "datatui", "config.yml")
}

// LoadUser reads the personal settings; a missing file gives the defaults and no error.
func LoadUser(path string) (User, error) {
	u := User{Theme: "auto"}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) || path == "" {
		return u, nil
	}
	if err != nil {
		return u, err
	}
	data = TrimBOM(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return u, nil
	}
	if err := safeyaml.Decode(data, &u, yaml.Strict()); errors.Is(err, io.EOF) {
		return u, nil // only comments
	} else if err != nil {
		return User{Theme: "auto"}, yamlError(path, data, err)
	}
	switch u.Theme {
	case "", "auto":
		u.Theme = "auto"
	case "dark", "light":
	default:
		return User{Theme: "auto"}, &Error{File: path, Line: lineOfKey(data, "theme"), Key: "theme", Msg: "must be auto, dark or light"}
	}
	return u, nil
}

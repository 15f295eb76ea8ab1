package engine

import (
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/registrar"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// LoadConfig reads and validates the configuration at path, with the
// settings of each DNS provider and registrar checked by its own package.
func LoadConfig(path string) (*config.Config, error) {
	return config.Load(path, config.Options{DNSSettings: providers.CheckDNSSettings, RegistrarSettings: registrar.Check})
}

// LoadConfigNoEnv is LoadConfig for checking a configuration without its
// secrets (validate --no-env): env() of an unset variable yields a
// placeholder, the variables are named in Config.UnsetEnv (or
// config.Error.UnsetEnv), and what depends on their value is not checked.
func LoadConfigNoEnv(path string) (*config.Config, error) {
	return config.Load(path, config.Options{DNSSettings: providers.CheckDNSSettings, RegistrarSettings: registrar.Check, EnvPlaceholders: true})
}

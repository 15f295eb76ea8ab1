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

package engine

import (
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/registrar"
)

// openRegistrar builds the registrar of a registrar block.
func openRegistrar(g *config.Registrar) (executor.Delegator, error) {
	return registrar.New(g.Type, g.Settings)
}

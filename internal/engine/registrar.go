package engine

import (
	"errors"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// openRegistrar builds the registrar of a registrar block.
var openRegistrar = func(g *config.Registrar) (Delegator, error) {
	return nil, errors.New("registrar type " + g.Type + " is not implemented")
}

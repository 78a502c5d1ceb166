package slo

import (
	"fmt"
	"strings"
)

// ResolveComponents names each component that a spec names bare (an SLO
// of the journey's own service) by its full ID, service/name. It does
// nothing before the SLO's service is known.
func (c *Composite) ResolveComponents(service string) {
	if c == nil || service == "" {
		return
	}
	for i, comp := range c.Components {
		if comp.SLO != "" && !strings.Contains(comp.SLO, "/") {
			c.Components[i].SLO = service + "/" + comp.SLO
		}
	}
}

// ComponentField is the Origins key under which a spec reader records
// where a journey's i-th component names its SLO; ComponentField(i) +
// ".weight" is where its weight is. The other keys of a journey are
// "composite", "composite.components", "composite.maxDelay" and
// "composite.whenDelayed". Checks made on the model point there.
func ComponentField(i int) string { return fmt.Sprintf("composite.components[%d]", i) }

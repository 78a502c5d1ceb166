// Command pyrracheck reads each file as Pyrra's filesystem mode does —
// strict unmarshalling, the admission webhook's validation, then the
// conversion to Pyrra's internal objective — and prints VALID or INVALID
// with the reason. It is built against a checkout of pyrra-dev/pyrra by
// tools/corpus/check.sh; it is no part of Accord.
package main

import (
	"context"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"

	"github.com/pyrra-dev/pyrra/kubernetes/api/v1alpha1"
)

func main() {
	for _, f := range os.Args[1:] {
		fmt.Println(f, check(f))
	}
}

func check(file string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return "INVALID " + err.Error()
	}
	var o v1alpha1.ServiceLevelObjective
	if err := yaml.UnmarshalStrict(b, &o); err != nil {
		return "INVALID " + err.Error()
	}
	if _, err := o.ValidateCreate(context.Background(), &o); err != nil {
		return "INVALID " + err.Error()
	}
	if _, err := o.Internal(); err != nil {
		return "INVALID " + err.Error()
	}
	return "VALID"
}

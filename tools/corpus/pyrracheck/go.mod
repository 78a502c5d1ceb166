module pyrracheck

go 1.26

require (
	github.com/pyrra-dev/pyrra v0.0.0
	sigs.k8s.io/yaml v1.6.0
)

module github.com/accord-slo/accord

go 1.26.8

require (
	github.com/prometheus/common v0.72.1
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/prometheus/client_model v0.6.3 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

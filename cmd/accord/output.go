package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// outputFormats are what -o takes on commands that print API answers.
var outputFormats = []string{"table", "json", "yaml"}

// addOutputFlag adds -o/--output table|json|yaml, as kubectl has it.
func addOutputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "output", "o", "table", "output format: table, json or yaml")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(outputFormats, cobra.ShellCompDirectiveNoFileComp))
}

func checkOutput(output string) error {
	if slices.Contains(outputFormats, output) {
		return nil
	}
	return fmt.Errorf("--output %q: must be table, json or yaml", output)
}

// writeStructured prints v as indented JSON, or as YAML with the same
// field names in the same order.
func writeStructured(w io.Writer, format string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	if format == "json" {
		_, err := fmt.Fprintf(w, "%s\n", b)
		return err
	}
	// JSON is YAML: read it as a node tree, which keeps the order of the
	// fields, and write it in block style.
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("convert output to YAML: %w", err)
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("write YAML: %w", err)
	}
	return enc.Close()
}

// blockStyle drops the flow style and quotes JSON gave the nodes, so YAML
// writes them its own way (quoting only the strings that need it).
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

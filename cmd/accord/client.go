package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/client"
)

// apiClient holds the --server and --token flags of the commands that ask
// or tell a running Accord something.
type apiClient struct {
	server    string
	token     string
	tokenFile string
	caFile    string
}

// addClientFlags adds --server and --token to a command.
func addClientFlags(cmd *cobra.Command, c *apiClient) {
	cmd.Flags().StringVar(&c.server, "server", "http://127.0.0.1:8080", "Accord's URL")
	cmd.Flags().StringVar(&c.token, "token", "", "bearer token: writes need one, reads under --read-auth (default: ./accord-data/token)")
	cmd.Flags().StringVar(&c.tokenFile, "token-file", "", "file holding the bearer token (instead of --token, which ps shows)")
	cmd.Flags().StringVar(&c.caFile, "ca-file", "", "PEM CA certificate to verify an https:// --server with (default: the system's roots)")
}

// refuseBy adds the retired --by flag, hidden, so that scripts still
// passing it learn why it is gone.
func refuseBy(cmd *cobra.Command) {
	cmd.Flags().String("by", "", "retired: who did it is the token's name")
	_ = cmd.Flags().MarkHidden("by")
}

// checkNoBy fails when --by is given.
func checkNoBy(cmd *cobra.Command) error {
	if cmd.Flags().Changed("by") {
		return fmt.Errorf("--by is gone: Accord records who did it from the token that asks (--token, ACCORD_TOKEN); " +
			"an admin gives each person or pipeline its own: accord token create NAME --role operator")
	}
	return nil
}

// client returns the API client: the token is --token, else the one in
// --token-file, else the one accord serve generated into ./accord-data.
func (c *apiClient) client() (*client.Client, error) {
	if c.token != "" && c.tokenFile != "" {
		return nil, fmt.Errorf("--token and --token-file: give one")
	}
	token := c.token
	if c.tokenFile != "" {
		t, err := readSecretFile("--token-file", c.tokenFile)
		if err != nil {
			return nil, err
		}
		token = t
	}
	if token == "" {
		if b, err := os.ReadFile("accord-data/token"); err == nil {
			token = strings.TrimSpace(string(b))
		}
	}
	hc, err := client.NewHTTP(c.caFile)
	if err != nil {
		return nil, err
	}
	return &client.Client{Server: c.server, Token: token, HTTP: hc}, nil
}

// do sends a request and decodes a 2xx answer into out.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	return cl.Do(ctx, method, path, body, out)
}

// readSecretFile reads a secret kept in a file (a token, a URL with a key
// in it): its content without surrounding whitespace. Errors name the flag
// and the file, never the content.
func readSecretFile(flag, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s %s: the file is empty", flag, path)
	}
	return s, nil
}

package notify

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func readSnippet(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return strings.TrimSpace(string(b))
}

func defaultClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

// Command opa is the Open Policy Agent CLI and server, built from its Go module: mtvweb's
// production policy engine (`opa run --server`) and the checker for custom rules (`opa check`).
package main

import (
	"os"

	"github.com/open-policy-agent/opa/cmd"
)

func main() {
	if err := cmd.RootCommand.Execute(); err != nil {
		os.Exit(1)
	}
}

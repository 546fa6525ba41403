// Command packages prints the integration test packages (itest.Packages), one a line, in the order
// scripts/test.sh runs them.
package main

import (
	"fmt"

	"github.com/ipledger/ipledger/network/itest"
)

func main() {
	for _, p := range itest.Packages {
		fmt.Println(p)
	}
}

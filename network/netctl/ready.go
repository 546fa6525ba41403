package netctl

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// waitReady submits a real transaction through the IP office's peer gateway until one commits. It
// proves what a direct peer query cannot: discovery can plan a cross-organization endorsement, the
// chaincode server answers every endorsing peer, and the orderers order and the peers commit.
func (n *Network) waitReady(ctx context.Context, sys *System, timeout time.Duration) error {
	org := n.chaincodeTLSOrg()
	return waitFor(timeout, 500*time.Millisecond, func() error {
		gw, conn, err := sys.Dial(org.MSPID, "admin")
		if err != nil {
			return err
		}
		defer conn.Close()
		defer gw.Close()
		contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, commit, err := contract.SubmitAsync("Ping")
		if err != nil {
			return fmt.Errorf("not ready: %w", err)
		}
		status, err := commit.StatusWithContext(cctx)
		if err != nil {
			return fmt.Errorf("not ready: %w", err)
		}
		if !status.Successful {
			return fmt.Errorf("not ready: transaction %s committed with %s", status.TransactionID, status.Code)
		}
		return nil
	})
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }

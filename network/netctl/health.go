package netctl

import (
	"fmt"
	"net/http"
	"sync"
)

// ProcessHealth is what status found for one component.
type ProcessHealth struct {
	Pid     int
	Healthy bool
	State   string // "healthy", "stopped", "running, not healthy: ..."
}

// Health checks every process of a description: its pid, and its operations /healthz where it has one
// (the chaincode server has none: it counts as healthy while it accepts connections).
func (n *Network) Health(sys *System) map[string]ProcessHealth {
	client := n.opsClient()
	out := make(map[string]ProcessHealth, len(sys.Processes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, pi := range sys.Processes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := ProcessHealth{State: "stopped"}
			p := &Process{Name: pi.Name, Bin: pi.Binary}
			if h.Pid = n.Pid(p); h.Pid != 0 {
				h.Healthy, h.State = true, "healthy"
				if pi.Health != "" {
					resp, err := client.Get(pi.Health)
					switch {
					case err != nil:
						h.Healthy, h.State = false, "running, not healthy: "+err.Error()
					case resp.StatusCode != http.StatusOK:
						h.Healthy, h.State = false, fmt.Sprintf("running, not healthy: %s", resp.Status)
					}
					if resp != nil {
						resp.Body.Close()
					}
				}
			}
			mu.Lock()
			out[pi.Name] = h
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// Component finds one process of the network by name.
func (n *Network) Component(sys *System, name string) (*Process, error) {
	for _, p := range n.processes(sys.Chaincode.PackageID) {
		if p.Name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no component %q; `status` lists them", name)
}

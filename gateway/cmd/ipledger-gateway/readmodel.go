package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/metrics"
	"github.com/ipledger/ipledger/gateway/readmodel"
)

// startReadModel opens the read model the configuration names and starts following the peer's
// blocks into it; stop ends the follower and closes the store. With driver off it returns nil (every
// read goes to the chaincode).
func startReadModel(cfg *gateway.Config, ledger *fabric.Ledger, m *metrics.Metrics, log *slog.Logger) (*readmodel.Model, func(), error) {
	if cfg.ReadModel.Driver == gateway.ReadModelOff {
		log.Info("read model off: every read goes to the chaincode")
		return nil, func() {}, nil
	}
	store, err := readmodel.Open(context.Background(), cfg.ReadModel)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (readModel in the gateway's configuration; driver: off serves every read from the chaincode)", err)
	}
	// One writer: the gateway holds its read model while it runs (a rebuild or a second gateway on the
	// same database is refused).
	unlock, err := store.Lock(context.Background(), cfg.ReadModel)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	f := readmodel.NewFollower(store, ledger, log, m)
	model, err := readmodel.NewModel(f, cfg)
	if err != nil {
		unlock()
		store.Close()
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx) // it logs why it stopped
	}()
	log.Info("read model", "driver", store.Driver(), "height", store.Height())
	return model, func() {
		cancel()
		<-done
		unlock()
		store.Close()
	}, nil
}

package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

var lastEventID = regexp.MustCompile(`^([0-9]+):([0-9a-f]*)$`)

// eventData is the data line of one server-sent event.
type eventData struct {
	BlockNumber uint64          `json:"blockNumber"`
	TxID        string          `json:"txId"`
	Type        string          `json:"type"`
	Payload     json.RawMessage `json:"payload"`
}

// events streams chaincode events as server-sent events. The id of each is "<block>:<txId>", so that
// Last-Event-ID resumes right after it; a named stream keeps its position in a file checkpoint.
//
// A key holds at most limits.streamsPerKey streams at once (429 beyond), and a stream starts at most
// limits.maxReplayBlocks behind the ledger's height (422 beyond). Each write has its own deadline
// (limits.streamWriteTimeout) in place of the server's WriteTimeout: a stream lasts as long as its
// client reads it.
func (s *Server) events(c *gin.Context) {
	caller := callerOf(c)
	// The cap first: a key at its cap opens no checkpoint file and asks the peer nothing.
	release, ok := s.openStream(c)
	if !ok {
		return
	}
	defer release()
	from, cp, err := s.eventsFrom(c, caller)
	if err != nil {
		abort(c, err)
		return
	}
	if cp != nil {
		defer cp.Close()
	}
	if err := s.replayBound(c, caller, from); err != nil {
		abort(c, err)
		return
	}
	ctx, cancel := context.WithCancel(c.Request.Context())
	defer cancel()
	stop := context.AfterFunc(s.opts.Streams, cancel)
	defer stop()
	events, err := s.opts.Ledger.Events(ctx, caller.Name, from)
	if err != nil {
		abort(c, err)
		return
	}
	w := c.Writer
	extend := s.writeDeadline(w)
	extend()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, ": ipledger events\n\n")
	w.Flush()
	tick := time.NewTicker(s.opts.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			extend()
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			w.Flush()
		case ev, ok := <-events:
			extend()
			if !ok || !s.sendEvent(c, w, ev, cp) {
				return
			}
		}
	}
}

// eventsFrom is where a stream starts: after Last-Event-ID, else at block ?from=, else after the
// named stream's checkpoint (?stream=, opened here), else at the next block (nil).
func (s *Server) eventsFrom(c *gin.Context, caller gateway.Caller) (*gateway.Checkpoint, gateway.Checkpointer, error) {
	var from *gateway.Checkpoint
	var cp gateway.Checkpointer
	if stream := c.Query("stream"); stream != "" {
		var err error
		if cp, err = s.opts.Ledger.OpenCheckpoint(caller.Name, stream); err != nil {
			return nil, nil, err
		}
		if pos := cp.Checkpoint(); !pos.IsZero() {
			from = &pos
		}
	}
	if q := c.Query("from"); q != "" {
		n, _ := strconv.ParseUint(q, 10, 64) // validated against the document
		from = &gateway.Checkpoint{BlockNumber: n}
	}
	if m := lastEventID.FindStringSubmatch(c.GetHeader("Last-Event-ID")); m != nil {
		n, _ := strconv.ParseUint(m[1], 10, 64)
		from = &gateway.Checkpoint{BlockNumber: n, TransactionID: m[2]}
	}
	return from, cp, nil
}

// sendEvent writes one event and saves the named stream's checkpoint; false ends the stream.
func (s *Server) sendEvent(c *gin.Context, w gin.ResponseWriter, ev gateway.Event, cp gateway.Checkpointer) bool {
	payload := json.RawMessage(ev.Payload)
	if !json.Valid(payload) {
		payload, _ = json.Marshal(string(ev.Payload))
	}
	data, _ := json.Marshal(eventData{BlockNumber: ev.BlockNumber, TxID: ev.TransactionID, Type: ev.Name, Payload: payload})
	if _, err := fmt.Fprintf(w, "id: %d:%s\nevent: %s\ndata: %s\n\n", ev.BlockNumber, ev.TransactionID, ev.Name, data); err != nil {
		return false
	}
	w.Flush()
	if cp != nil {
		if err := cp.Save(ev); err != nil {
			s.log.Error("event checkpoint", "err", err, "stream", c.Query("stream"))
			return false
		}
	}
	return true
}

// replayBound refuses a start the client chose (from=, Last-Event-ID) further back than
// limits.maxReplayBlocks from the ledger's height: a replay from block 0 would make the peer read and
// send the whole ledger. A named stream's own checkpoint is not bounded: the gateway saved it.
func (s *Server) replayBound(c *gin.Context, caller gateway.Caller, from *gateway.Checkpoint) error {
	limit := s.opts.Limits.MaxReplayBlocks
	var field string
	switch {
	case lastEventID.MatchString(c.GetHeader("Last-Event-ID")):
		field = "Last-Event-ID"
	case c.Query("from") != "":
		field = "from"
	}
	if limit == 0 || from == nil || field == "" {
		return nil
	}
	height, err := s.opts.Ledger.Height(c.Request.Context(), caller.Name)
	if err != nil {
		return err
	}
	if height <= limit || from.BlockNumber >= height-limit {
		return nil
	}
	e := api.Invalid(field, fmt.Sprintf("block %d is %d blocks behind the ledger's height %d; this gateway replays at most %d "+
		"blocks (limits.maxReplayBlocks): start at block %d or later", from.BlockNumber, height-from.BlockNumber, height, limit, height-limit))
	e.Details["oldestBlock"] = strconv.FormatUint(height-limit, 10)
	return e
}

// writeDeadline returns the function that gives the stream's next write its own deadline
// (limits.streamWriteTimeout; none when unset), in place of the server's WriteTimeout.
func (s *Server) writeDeadline(w http.ResponseWriter) func() {
	rc := http.NewResponseController(w)
	return func() {
		if d := s.opts.Limits.StreamWriteTimeout; d > 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(d))
		} else {
			_ = rc.SetWriteDeadline(time.Time{})
		}
	}
}

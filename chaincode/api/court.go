package api

// Court measures on an IP right (C1–C3): the freezes (查封/冻结, 保全) that courts order through the
// registering authority, kept in their order of arrival (轮候查封).

// MeasureFreeze is the kind of court measure a right can carry: a freeze.
const MeasureFreeze = "freeze"

// MeasureStatus is the status of a court measure on a right.
type MeasureStatus string

// Statuses of a court measure: the first freeze received is in effect, later ones wait in their order
// of arrival, and one that a court lifted (or that ended with the court's transfer of the right) is
// lifted.
const (
	MeasureEffective MeasureStatus = "effective"
	MeasureWaiting   MeasureStatus = "waiting"
	MeasureLifted    MeasureStatus = "lifted"
)

// CourtMeasure is one court's freeze of a right, as the IP office recorded it (C1). N numbers the
// measures of a right in their order of arrival, from 1, and names one in its route; Priority is its
// place in the queue now (1 for the measure in effect, 2… for those waiting; none once lifted).
// EffectiveFrom is when it took effect: on arrival, or when the one before it was lifted (C2).
// LiftedByTransferID names the court-ordered transfer whose recording ended it (C3).
type CourtMeasure struct {
	Court              string        `json:"court"`
	EffectiveFrom      string        `json:"effectiveFrom,omitempty"`
	Kind               string        `json:"kind"`
	LiftedAt           string        `json:"liftedAt,omitempty"`
	LiftedByTransferID string        `json:"liftedByTransferId,omitempty"`
	LiftedRef          string        `json:"liftedRef,omitempty"`
	LiftedTxID         string        `json:"liftedTxId,omitempty"`
	N                  int           `json:"n"`
	Priority           int           `json:"priority,omitempty"`
	ReceivedAt         string        `json:"receivedAt"`
	Ref                string        `json:"ref"`
	Status             MeasureStatus `json:"status"`
	TxID               string        `json:"txId"`
}

// FreezeInput is the payload of RecordFreeze (C1): the court and the reference of its decision
// (保全裁定 or 执行裁定 with its 协助执行通知书).
type FreezeInput struct {
	Court string `json:"court"`
	Ref   string `json:"ref"`
}

// LiftInput is the payload of LiftFreeze (C2): the reference of the court's decision lifting the freeze.
type LiftInput struct {
	Ref string `json:"ref"`
}

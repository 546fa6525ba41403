package gateway

import (
	"strings"
	"testing"
	"time"
)

func TestConfig_LimitsDefaultsAndAWriteTimeoutThatOutlastsASubmission(t *testing.T) {
	none := func(string) string { return "" }
	c, err := LoadConfig(writeConfig(t, configYAML), none)
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits != DefaultLimits {
		t.Errorf("limits of a configuration that sets none: %+v, want %+v", c.Limits, DefaultLimits)
	}
	c, err = LoadConfig(writeConfig(t, configYAML+"limits:\n  perKey: {rate: 500}\n  streamsPerKey: 1\n"), none)
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.PerKey.Rate != 500 || c.Limits.PerKey.Burst != 1000 || c.Limits.StreamsPerKey != 1 || c.Limits.PerAddress != DefaultLimits.PerAddress {
		t.Errorf("limits set in part: %+v", c.Limits)
	}
	// commitTimeout 30s + 2 × endorseTimeout 15s + the 10s after-block wait = 70s.
	_, err = LoadConfig(writeConfig(t, configYAML+"limits:\n  writeTimeout: 60s\n"), none)
	if err == nil || !strings.Contains(err.Error(), "limits.writeTimeout") || !strings.Contains(err.Error(), (70*time.Second).String()) {
		t.Errorf("a write timeout shorter than a submission: %v", err)
	}
	if _, err := LoadConfig(writeConfig(t, configYAML+"limits:\n  perAddress: {rate: -1}\n"), none); err == nil {
		t.Error("a negative rate was accepted")
	}
}

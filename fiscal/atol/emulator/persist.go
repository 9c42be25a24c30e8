package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// saved is the state file's content: the register's memory and its clock's
// offset. The task buffer and the mode are not in it: a restart is a power
// cycle.
type saved struct {
	State  State `json:"state"`
	Offset int64 `json:"offset_ns"`
}

// Open is New with the state file and the tape file cfg names: a register
// whose state file exists is that register again (its shift, open receipt,
// journal, drawer and registration), as a restart of a real one would be.
func Open(cfg Config) (*Emulator, error) {
	e := New(cfg)
	if cfg.StatePath == "" {
		return e, nil
	}
	b, err := os.ReadFile(cfg.StatePath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if cfg.Initial != nil {
			e.st = cfg.Initial.clone()
		}
		return e, e.save()
	case err != nil:
		return nil, fmt.Errorf("atol emulator: state: %w", err)
	}
	var s saved
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("atol emulator: state %s: %w", cfg.StatePath, err)
	}
	e.st, e.offset = s.State, timeDuration(s.Offset)
	e.powerCycle()
	return e, nil
}

// save writes the state file (a new file renamed over the old one, so a
// crash leaves the one or the other whole). Called with e.mu held.
func (e *Emulator) save() error {
	if e.cfg.StatePath == "" {
		return nil
	}
	b, err := json.Marshal(saved{State: e.st, Offset: int64(e.offset)})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(e.cfg.StatePath), ".atol-state-*")
	if err != nil {
		return fmt.Errorf("atol emulator: state: %w", err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), e.cfg.StatePath)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("atol emulator: state: %w", err)
	}
	return nil
}

// persist saves the state after a change, logging a failure: the
// protocol has no way to say it.
func (e *Emulator) persist() {
	if err := e.save(); err != nil {
		e.log.Error("atol emulator: state not saved", "err", err)
	}
}

// appendTape appends a printed line to the tape file.
func (e *Emulator) appendTape(line string) {
	if e.cfg.TapePath == "" {
		return
	}
	f, err := os.OpenFile(e.cfg.TapePath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = f.WriteString(line + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		e.log.Error("atol emulator: tape not written", "err", err)
	}
}

package wire

import "fmt"

// Task buffer commands: the first byte of a host packet's data.
const (
	Add    byte = 0xC1 // add a task: C1 flags tid command…
	Ack    byte = 0xC2 // acknowledge a task's result: C2 tid
	Req    byte = 0xC3 // ask a task's state: C3 tid
	Abort  byte = 0xC4 // cancel every task, empty the buffer
	AckAdd byte = 0xC5 // acknowledge tid and add a task: C5 tid flags tid2 command…
)

// Task flags of Add.
const (
	NeedResult  byte = 0x01 // keep the result until it is acknowledged
	IgnoreError byte = 0x02 // go on with later tasks after this one fails
	Async       byte = 0x04 // answer when done with an asynchronous packet
)

// Task states and buffer errors: the first byte of a register's answer.
const (
	Pending     byte = 0xA1 // waiting in the buffer
	InProgress  byte = 0xA2 // being executed
	Result      byte = 0xA3 // done; the command's answer follows
	Error       byte = 0xA4 // failed; the command's answer (55h code ext) follows
	Stopped     byte = 0xA5 // not executed: an earlier task failed
	AsyncResult byte = 0xA6 // asynchronous: tid, then the answer
	AsyncError  byte = 0xA7 // asynchronous failure: tid, then the answer
	Waiting     byte = 0xA8 // waiting for an external device
	Overflow    byte = 0xB1 // the buffer is full
	Exists      byte = 0xB2 // a task with this id is in the buffer already
	NotFound    byte = 0xB3 // no task with this id
	BadValue    byte = 0xB4 // a bad value in the buffer command
)

// StateName names a task state or buffer error in English.
func StateName(s byte) string {
	switch s {
	case Pending:
		return "pending"
	case InProgress:
		return "in progress"
	case Result:
		return "result"
	case Error:
		return "error"
	case Stopped:
		return "stopped"
	case AsyncResult:
		return "async result"
	case AsyncError:
		return "async error"
	case Waiting:
		return "waiting"
	case Overflow:
		return "buffer overflow"
	case Exists:
		return "task id exists"
	case NotFound:
		return "task not found"
	case BadValue:
		return "bad value"
	}
	return fmt.Sprintf("state %02Xh", s)
}

// AddTask is the data of an Add packet.
func AddTask(flags, tid byte, cmd []byte) []byte {
	return append([]byte{Add, flags, tid}, cmd...)
}

// AckTask is the data of an Ack packet.
func AckTask(tid byte) []byte { return []byte{Ack, tid} }

// ReqTask is the data of a Req packet.
func ReqTask(tid byte) []byte { return []byte{Req, tid} }

// Answer is a register's answer to a buffer command: the task's state and,
// once it is done, the command's own answer.
type Answer struct {
	State byte
	TID   byte // asynchronous answers and answers to Req only
	Data  []byte
}

// Done reports whether the task has finished (well or not).
func (a Answer) Done() bool { return a.State == Result || a.State == Error }

// ParseAnswer reads the data of a register's packet. Asynchronous answers
// (A6h, A7h) carry the task id after the state and come back as Result and
// Error with TID set; an answer to Req carries the task id too (withTID).
func ParseAnswer(data []byte, withTID bool) (Answer, error) {
	if len(data) == 0 {
		return Answer{}, fmt.Errorf("%w: empty answer", ErrFrame)
	}
	a := Answer{State: data[0], Data: data[1:]}
	switch a.State {
	case AsyncResult, AsyncError:
		withTID = true
		if a.State == AsyncResult {
			a.State = Result
		} else {
			a.State = Error
		}
	case Pending, InProgress, Result, Error, Stopped, Waiting:
	case Overflow, Exists, NotFound, BadValue:
		return a, nil
	default:
		return a, fmt.Errorf("%w: task state %02X", ErrFrame, a.State)
	}
	if withTID {
		if len(a.Data) == 0 {
			return a, fmt.Errorf("%w: no task id", ErrFrame)
		}
		a.TID, a.Data = a.Data[0], a.Data[1:]
	}
	return a, nil
}

//! The connection state machine. Owned by issue #3 (core); see the agreed
//! surface in the prompt. Stub until then.

package httpapi

import "github.com/aduan/aduan/pkg/intake"

// callRequest is the body of POST /tickets; its rules live with the
// intake (intake.Call), shared with the console's call form.
type callRequest = intake.Call

// maxIdemKey bounds an Idempotency-Key.
const maxIdemKey = 200

func joinValues[T ~string](vs []T) string { return intake.JoinValues(vs) }

package server

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/awserr"
)

// notEmulated answers a request for a service kiln local does not emulate (or one this
// stack was built without) in the protocol the request speaks, naming the service and the
// operation, so the caller's SDK reports a readable error instead of failing to parse
// another service's answer. Nothing is read beyond what routing read, and nothing changes.
func notEmulated(w http.ResponseWriter, r *http.Request, req request) {
	name := req.unknown
	p := awserr.RESTJSON
	if req.svc != nil {
		name, p = req.svc.name, req.svc.protocol
	}
	op := r.Method + " " + r.URL.Path
	switch target := r.Header.Get("X-Amz-Target"); {
	case target != "":
		_, op, _ = strings.Cut(target, ".")
		p = awserr.JSON11
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-amz-json-1.0" {
			p = awserr.JSON10
		}
	case req.form:
		op = req.action
		if p != awserr.EC2 {
			p = awserr.Query
		}
	}
	what := "does not emulate " + name
	if req.svc != nil && req.svc.handler != nil {
		what = "serves " + name + ", but this stack was built without it"
	}
	msg := fmt.Sprintf("kiln local %s (operation %s); it emulates %s", what, op, emulated())
	code, status := "UnknownOperationException", http.StatusBadRequest
	switch p {
	case awserr.Query, awserr.EC2:
		code = "InvalidAction"
	case awserr.RESTXML:
		code, status = "InvalidAction", http.StatusNotFound
	case awserr.RESTJSON:
		status = http.StatusNotFound
	case awserr.S3:
		code, status = "NotImplemented", http.StatusNotImplemented
	}
	awserr.Write(w, p, status, code, msg)
}

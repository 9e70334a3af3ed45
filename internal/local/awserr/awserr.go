// Package awserr writes error responses the way AWS services write them, one writer per wire
// protocol, so an SDK or the aws CLI reads the error code and message kiln local means:
//
//   - JSON 1.0 and 1.1 (Step Functions, SageMaker, CloudWatch Logs, DynamoDB ...): a JSON body
//     {"__type", "message"} and the X-Amzn-ErrorType header;
//   - REST-JSON (Lambda, Scheduler, API Gateway ...): the X-Amzn-ErrorType header and a JSON
//     body {"Type", "message"};
//   - query (SNS, STS, IAM, CloudFormation ...) and REST-XML other than S3: an XML
//     <ErrorResponse> with Type, Code and Message;
//   - EC2's query dialect: an XML <Response><Errors><Error>;
//   - S3: an XML <Error> with Code and Message.
//
// The functions only write; they keep no state and are safe for concurrent use.
package awserr

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// Protocol is an AWS wire protocol, which decides how an error is written.
type Protocol int

// The protocols kiln local answers in.
const (
	// JSON10 is awsJson1_0 (Step Functions, DynamoDB, SQS ...).
	JSON10 Protocol = iota
	// JSON11 is awsJson1_1 (SageMaker, EventBridge, CloudWatch Logs, KMS, ECR ...).
	JSON11
	// RESTJSON is restJson1 (Lambda, Scheduler, API Gateway ...).
	RESTJSON
	// Query is awsQuery (SNS, STS, IAM, CloudFormation, CloudWatch's query form ...).
	Query
	// EC2 is ec2Query.
	EC2
	// RESTXML is restXml other than S3 (Route 53, CloudFront).
	RESTXML
	// S3 is S3's restXml dialect.
	S3
)

// String names the protocol as the Smithy traits do.
func (p Protocol) String() string {
	switch p {
	case JSON10:
		return "awsJson1_0"
	case JSON11:
		return "awsJson1_1"
	case RESTJSON:
		return "restJson1"
	case Query:
		return "awsQuery"
	case EC2:
		return "ec2Query"
	case RESTXML:
		return "restXml"
	case S3:
		return "restXml (S3)"
	}
	return fmt.Sprintf("Protocol(%d)", int(p))
}

var requests atomic.Uint64

// RequestID returns a fresh request ID shaped like AWS's (a UUID-like string).
func RequestID() string {
	n := requests.Add(1)
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(time.Now().Unix()), n&0xffffffffffff)
}

// Write answers with status and the error code and message in protocol p's shape, with
// the request ID header AWS sends (x-amzn-RequestId, or x-amz-request-id for S3).
func Write(w http.ResponseWriter, p Protocol, status int, code, message string) {
	id := RequestID()
	h := w.Header()
	switch p {
	case JSON10, JSON11:
		h.Set("Content-Type", map[Protocol]string{JSON10: "application/x-amz-json-1.0", JSON11: "application/x-amz-json-1.1"}[p])
		h.Set("X-Amzn-ErrorType", code)
		h.Set("X-Amzn-RequestId", id)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
	case RESTJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-ErrorType", code)
		h.Set("X-Amzn-RequestId", id)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": message})
	case EC2:
		writeXML(w, status, ec2Response{Errors: []xmlError{{Code: code, Message: message}}, RequestID: id})
	case S3:
		h.Set("X-Amz-Request-Id", id)
		writeXML(w, status, s3Error{Code: code, Message: message, RequestID: id})
	default: // Query, RESTXML
		h.Set("X-Amzn-RequestId", id)
		writeXML(w, status, errorResponse{Error: xmlError{Type: "Sender", Code: code, Message: message}, RequestID: id})
	}
}

type xmlError struct {
	Type    string `xml:"Type,omitempty"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Error     xmlError `xml:"Error"`
	RequestID string   `xml:"RequestId"`
}

type ec2Response struct {
	XMLName   xml.Name   `xml:"Response"`
	Errors    []xmlError `xml:"Errors>Error"`
	RequestID string     `xml:"RequestID"`
}

type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(v)
}

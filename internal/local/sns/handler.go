package sns

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

const xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"

type publishResponse struct {
	XMLName   xml.Name `xml:"PublishResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	MessageID string   `xml:"PublishResult>MessageId"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// ServeHTTP answers one query-protocol request: Publish; any other Action gets InvalidAction.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", "parse form: "+err.Error())
		return
	}
	action := r.Form.Get("Action")
	if action != "Publish" {
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("the action %s is not implemented by the kiln local SNS", action))
		return
	}
	m := Message{TopicARN: r.Form.Get("TopicArn"), Message: r.Form.Get("Message"), Subject: r.Form.Get("Subject")}
	if m.TopicARN == "" {
		if r.Form.Get("TargetArn") != "" || r.Form.Get("PhoneNumber") != "" {
			writeError(w, http.StatusBadRequest, "InvalidParameter", "only TopicArn targets are supported locally")
			return
		}
		writeError(w, http.StatusBadRequest, "InvalidParameter", "TopicArn is required")
		return
	}
	for i := 1; ; i++ {
		p := "MessageAttributes.entry." + strconv.Itoa(i) + "."
		name := r.Form.Get(p + "Name")
		if name == "" {
			break
		}
		a := Attribute{DataType: r.Form.Get(p + "Value.DataType"), StringValue: r.Form.Get(p + "Value.StringValue")}
		if bv := r.Form.Get(p + "Value.BinaryValue"); bv != "" {
			b, err := base64.StdEncoding.DecodeString(bv)
			if err != nil {
				writeError(w, http.StatusBadRequest, "InvalidParameterValue", "message attribute "+name+": the binary value is not base64")
				return
			}
			a.BinaryValue = b
		}
		if a.DataType == "" {
			writeError(w, http.StatusBadRequest, "ParameterValueInvalid", "message attribute "+name+" has no DataType")
			return
		}
		if m.Attributes == nil {
			m.Attributes = map[string]Attribute{}
		}
		m.Attributes[name] = a
	}
	id, err := s.Publish(r.Context(), m)
	switch {
	case errors.Is(err, ErrTopicNotFound):
		writeError(w, http.StatusNotFound, "NotFound", "Topic does not exist")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(publishResponse{Xmlns: xmlns, MessageID: id, RequestID: s.opts.NewID()})
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(errorResponse{Xmlns: xmlns, Type: "Sender", Code: code, Message: msg, RequestID: randomUUID()})
}

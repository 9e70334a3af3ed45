package sns

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
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

// Actions are the SNS actions the service answers.
var Actions = []string{"Publish", "CreateTopic", "ListTopics", "GetTopicAttributes", "Subscribe",
	"Unsubscribe", "ListSubscriptions", "ListSubscriptionsByTopic"}

// ServeHTTP answers one query-protocol request: one of [Actions]; any other Action gets
// InvalidAction naming it.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", "parse form: "+err.Error())
		return
	}
	action := r.Form.Get("Action")
	switch action {
	case "Publish":
		s.publish(w, r)
	case "CreateTopic":
		arn, err := s.CreateTopic(r.Form.Get("Name"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
			return
		}
		writeResult(w, action, elem("TopicArn", arn))
	case "ListTopics":
		topics, err := s.Topics()
		if err != nil {
			writeError(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		var b strings.Builder
		for _, t := range topics {
			b.WriteString("<member>" + elem("TopicArn", t) + "</member>")
		}
		writeResult(w, action, "<Topics>"+b.String()+"</Topics>")
	case "GetTopicAttributes":
		s.topicAttributes(w, r.Form.Get("TopicArn"))
	case "Subscribe":
		arn, err := s.Subscribe(r.Form.Get("TopicArn"), r.Form.Get("Protocol"), r.Form.Get("Endpoint"))
		switch {
		case errors.Is(err, ErrTopicNotFound):
			writeError(w, http.StatusNotFound, "NotFound", "Topic does not exist")
		case err != nil:
			writeError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
		default:
			writeResult(w, action, elem("SubscriptionArn", arn))
		}
	case "Unsubscribe":
		if err := s.Unsubscribe(r.Form.Get("SubscriptionArn")); err != nil {
			writeError(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		writeResult(w, action, "")
	case "ListSubscriptions", "ListSubscriptionsByTopic":
		topic := r.Form.Get("TopicArn")
		if action == "ListSubscriptionsByTopic" {
			if ok, _ := s.topicExists(topic); !ok {
				writeError(w, http.StatusNotFound, "NotFound", "Topic does not exist")
				return
			}
		}
		subs, err := s.Subscriptions(topic)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		var b strings.Builder
		for _, sub := range subs {
			b.WriteString("<member>" + elem("SubscriptionArn", sub.ARN) + elem("Owner", sub.Owner) + elem("Protocol", sub.Protocol) +
				elem("Endpoint", sub.Endpoint) + elem("TopicArn", sub.TopicARN) + "</member>")
		}
		writeResult(w, action, "<Subscriptions>"+b.String()+"</Subscriptions>")
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("the action %s is not implemented by the kiln local SNS (it serves %s)", action, strings.Join(Actions, ", ")))
	}
}

func (s *Service) topicAttributes(w http.ResponseWriter, topic string) {
	if ok, err := s.topicExists(topic); err != nil || !ok {
		writeError(w, http.StatusNotFound, "NotFound", "Topic does not exist")
		return
	}
	subs, err := s.Subscriptions(topic)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	_, account := s.arnParts()
	attrs := map[string]string{"TopicArn": topic, "Owner": account, "DisplayName": "",
		"SubscriptionsConfirmed": strconv.Itoa(len(subs)), "SubscriptionsPending": "0", "SubscriptionsDeleted": "0",
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"numRetries":0}}}`}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("<entry>" + elem("key", k) + elem("value", attrs[k]) + "</entry>")
	}
	writeResult(w, "GetTopicAttributes", "<Attributes>"+b.String()+"</Attributes>")
}

// elem writes <name>value</name> with value escaped.
func elem(name, value string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(value))
	return "<" + name + ">" + b.String() + "</" + name + ">"
}

// writeResult answers action with result as its <ActionResult> element's content.
func writeResult(w http.ResponseWriter, action, result string) {
	w.Header().Set("Content-Type", "text/xml")
	_, _ = fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`,
		action, xmlns, action, result, action, randomUUID(), action)
}

func (s *Service) publish(w http.ResponseWriter, r *http.Request) {
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

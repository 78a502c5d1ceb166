package openslo

import (
	"fmt"

	"github.com/accord-slo/accord/internal/slo"
)

// Annotations on the alert objects Accord writes.
const (
	// annDefaultRules marks a policy holding the burn-rate alerts Accord
	// applies by default: a reader takes the SLO as having no alerts of
	// its own.
	annDefaultRules = "accord.dev/default-rules"
	// annImplied marks the notification target written because OpenSLO
	// needs one: Accord always pages the owners' on-call route.
	annImplied = "accord.dev/implied"
)

// onCallTarget is the notification target of policies whose SLO names
// none: the owners' on-call route, where Accord sends every page.
var onCallTarget = document{Kind: kindTarget,
	Metadata: metadata{Name: "accord-on-call", Annotations: map[string]string{annImplied: "true"}},
	Spec:     map[string]string{"target": "alertmanager", "description": "Accord sends alerts to each SLO's owners' on-call route"}}

// sloWriter writes SLOs with their alert objects, naming each object once.
type sloWriter struct {
	// rules returns the burn-rate alerts of an SLO without its own; nil
	// writes an SLO's own only.
	rules func(*slo.SLO) []slo.BurnRateAlert
	// targets are the notification targets written, by name.
	targets map[string]slo.NotificationTarget
}

// alertPolicies writes an SLO's burn-rate alerts as OpenSLO objects: one
// AlertPolicy per condition (OpenSLO allows one), each with its
// AlertCondition, notifying the SLO's targets. It returns the references
// for the SLO's spec and the documents to write after it.
func (wr *sloWriter) alertPolicies(s slo.SLO, name string) ([]policyRef, []document) {
	rules, defaults := s.Alerting.BurnRates, false
	if len(rules) == 0 && wr.rules != nil {
		rules, defaults = wr.rules(&s), true
	}
	if len(rules) == 0 && len(s.Alerting.Targets) == 0 {
		return nil, nil
	}
	var docs []document
	var targets []map[string]string
	for _, t := range s.Alerting.Targets {
		tname, doc := wr.target(t, name)
		if doc != nil {
			docs = append(docs, *doc)
		}
		targets = append(targets, map[string]string{"targetRef": tname})
	}
	if len(targets) == 0 {
		if _, done := wr.targets[onCallTarget.Metadata.Name]; !done {
			wr.targets[onCallTarget.Metadata.Name] = slo.NotificationTarget{}
			docs = append(docs, onCallTarget)
		}
		targets = append(targets, map[string]string{"targetRef": onCallTarget.Metadata.Name})
	}
	var refs []policyRef
	policy := func(pname string, conditions []map[string]string) {
		md := metadata{Name: pname}
		if defaults {
			md.Annotations = map[string]string{annDefaultRules: "true"}
		}
		spec := map[string]any{"alertWhenBreaching": true, "notificationTargets": targets}
		if conditions != nil {
			spec["conditions"] = conditions
		}
		docs = append(docs, document{Kind: kindAlertPolicy, Metadata: md, Spec: spec})
		refs = append(refs, policyRef{AlertPolicyRef: pname})
	}
	for i, br := range rules {
		suffix := br.Name
		if suffix == "" {
			suffix = fmt.Sprint(i + 1)
		}
		cname := name + "-" + suffix
		md := metadata{Name: cname, Annotations: map[string]string{annName: br.Name}}
		if br.ShortWindow != br.LongWindow/shortWindowRatio {
			md.Annotations[annShortWindow] = slo.FormatDuration(br.ShortWindow)
		}
		cond := map[string]any{"kind": "burnrate", "op": "gte", "threshold": br.Factor, "lookbackWindow": slo.FormatDuration(br.LongWindow)}
		if br.For > 0 {
			cond["alertAfter"] = slo.FormatDuration(br.For)
		}
		docs = append(docs, document{Kind: kindCondition, Metadata: md, Spec: map[string]any{"severity": string(br.Severity), "condition": cond}})
		policy(cname, []map[string]string{{"conditionRef": cname}})
	}
	if len(rules) == 0 {
		policy(name+"-alerts", nil) // only targets: kept, though OpenSLO asks for a condition
	}
	return refs, docs
}

// target returns the name a notification target is written under and its
// document when it was not written yet. Targets are named once across the
// catalog; a different target of a name already taken is renamed after
// the SLO, its name kept in an annotation.
func (wr *sloWriter) target(t slo.NotificationTarget, sloName string) (string, *document) {
	name := t.Name
	if prev, taken := wr.targets[name]; taken {
		if prev == t {
			return name, nil
		}
		name = sloName + "-" + t.Name
	}
	wr.targets[name] = t
	md := metadata{Name: name}
	if name != t.Name {
		md.Annotations = map[string]string{annName: t.Name}
	}
	spec := map[string]string{"target": t.Target}
	if t.Description != "" {
		spec["description"] = t.Description
	}
	return name, &document{Kind: kindTarget, Metadata: md, Spec: spec}
}

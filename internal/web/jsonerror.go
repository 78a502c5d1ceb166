package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// jsonProblem says what is wrong with a JSON body in the client's terms:
// the field, the type it wants and the JSON it got, not Go's types and
// struct names.
func jsonProblem(err error) error {
	var typ *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	var tm *time.ParseError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if n, ok := strings.CutPrefix(typ.Value, "number "); ok {
			// A number the field's type cannot hold, such as 1e309.
			return fmt.Errorf("field %q: %s is out of range", field, n)
		}
		if field == "" {
			return fmt.Errorf("want %s, got a JSON %s", jsonKind(typ.Type), typ.Value)
		}
		return fmt.Errorf("field %q: want %s, got a JSON %s", field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &tm):
		return fmt.Errorf("field \"time\": want an RFC 3339 time such as 2026-01-02T15:04:05Z, got %q", tm.Value)
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("JSON ends in the middle of a value")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s", f)
	}
	return errors.New(strings.TrimPrefix(msg, "json: "))
}

// jsonKind names a Go type as the JSON a client should send.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(time.Time{}) {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "another type"
}

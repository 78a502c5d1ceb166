package otlp

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// jsoniterError is how the OTLP/JSON decoder words a problem: its reading
// function, what it expected, and the bytes around the problem.
var jsoniterError = regexp.MustCompile(`^(Read\w*|\w+): (.*), error found in #\d+ byte of \.\.\.\|(.*)\|\.\.\., bigger context \.\.\.\|(.*)\|\.\.\.$`)

// jsonWants names the JSON a reading function of the decoder wanted.
var jsonWants = map[string]string{
	"ReadString": "a string", "ReadArray": "an array", "ReadArrayCB": "an array",
	"ReadObject": "an object", "ReadObjectCB": "an object", "ReadBool": "true or false",
	"ReadUint64": "an unsigned integer (a number or a string of digits)", "ReadUint32": "an unsigned integer",
	"ReadInt64": "an integer (a number or a string of digits)", "ReadInt32": "an integer",
	"ReadFloat64": "a number", "ReadFloat32": "a number",
}

// jsonProblem rewords an OTLP/JSON decoding error without the decoder's
// function names and Go parse errors: what was wanted, and where.
func jsonProblem(err error) error {
	m := jsoniterError.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	near := m[4]
	if near == "" {
		near = m[3]
	}
	if want, ok := jsonWants[m[1]]; ok {
		return fmt.Errorf("want %s near %s", want, strings.TrimSpace(near))
	}
	return errors.New("not valid OTLP JSON near " + strings.TrimSpace(near))
}

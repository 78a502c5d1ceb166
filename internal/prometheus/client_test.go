package prometheus

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestSamplesDecode(t *testing.T) {
	var ss []rawSeries
	in := `[{"metric":{"store":"s1"},"values":[ [1700000000, "42"] ,[1700000060.4,"NaN"],[1700000120,"+Inf"],[1700000180,"-1.5e3"]]},
	        {"metric":{},"values":[]}]`
	if err := json.Unmarshal([]byte(in), &ss); err != nil {
		t.Fatal(err)
	}
	got := ss[0].Values
	if len(got) != 4 || got[0] != (point{1700000000, 42}) || got[1].t != 1700000060 || !math.IsNaN(got[1].v) ||
		!math.IsInf(got[2].v, 1) || got[3] != (point{1700000180, -1500}) || len(ss[1].Values) != 0 {
		t.Errorf("decoded %+v", ss)
	}
	for _, bad := range []string{`{"a":1}`, `[[1700000000, 42]]`, `[[1700000000]]`, `[[1700000000,"4\"2"]]`, `[[1700000000,"x"]]`, `[[1,"1"] [2,"2"]]`} {
		var s samples
		if err := s.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s decoded as %+v", bad, s)
		} else if !strings.Contains(err.Error(), "sample") {
			t.Errorf("%s: error %q does not say which sample", bad, err)
		}
	}
}

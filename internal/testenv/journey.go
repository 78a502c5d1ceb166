package testenv

// JourneyAnswer is what the tests of journeys read of the API's answer
// for a journey (GET /api/v1/slos/{service}/{name}): its status and the
// share of its spent budget each component caused.
type JourneyAnswer struct {
	Journey bool `json:"journey"`
	Status  struct {
		SLI    *float64 `json:"sli"`
		Counts struct{ Good, Total float64 }
		Budget struct {
			Total    float64 `json:"total"`
			Consumed float64 `json:"consumed"`
		} `json:"budget"`
		BurnRates []struct {
			Window  string  `json:"window"`
			Rate    float64 `json:"rate"`
			HasData bool    `json:"hasData"`
		} `json:"burnRates"`
	} `json:"status"`
	Components []struct {
		SLO        string   `json:"slo"`
		Weight     float64  `json:"weight"`
		Good       float64  `json:"good"`
		Total      float64  `json:"total"`
		SLI        *float64 `json:"sli"`
		SpentShare float64  `json:"spentShare"`
	} `json:"components"`
}

package testenv

// WeeklyQueriedSLO is a catalog of one 7-day SLO of 99% measured by
// Prometheus from shop_requests_total (bad: code="500"), as the tests of
// how late a queried source's windows end read it in the engine and in
// replay alike.
const WeeklyQueriedSLO = `apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web}
  slos:
    - name: requests
      objective: 99
      window: 7d
      indicator:
        ratio:
          bad: {counter: 'shop_requests_total{code="500"}'}
          total: {counter: 'shop_requests_total'}
`

"""Input validation and output shapes of the contracts API, one module per resource: `queries`,
`saved_queries`, `events`, `analytics`, `dashboards`; `fields` holds what they share."""

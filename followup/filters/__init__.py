"""FilterSets of the follow-up app, shared by the HTML lists and the API, one module per aggregate."""

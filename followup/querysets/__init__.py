"""Chainable querysets of the follow-up app, one module per aggregate."""

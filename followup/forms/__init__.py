"""Forms of the follow-up app (input parsing only), one module per aggregate."""

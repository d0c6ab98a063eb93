"""Email kinds, their rendering, and the ways of sending them."""

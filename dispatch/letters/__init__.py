"""Deadline letters (问题限期受理函告): `services` moves a letter through its steps and reminds on
deadlines; `pdf` renders the formal letter."""

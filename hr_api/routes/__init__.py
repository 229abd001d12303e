"""One router per resource; each route parses, calls hr_core and shapes the answer."""

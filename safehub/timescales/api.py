"""REST API endpoints of the timescales app."""

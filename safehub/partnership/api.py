"""REST API endpoints of the partnership app."""

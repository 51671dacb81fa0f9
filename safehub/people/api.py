"""REST API endpoints of the people app."""

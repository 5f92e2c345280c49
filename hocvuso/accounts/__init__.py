"""Users, roles, role assignments scoped to a unit subtree or an organisation, and the one access module."""

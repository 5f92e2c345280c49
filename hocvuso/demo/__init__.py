"""The demo province and one demo account per role, for `make run`."""

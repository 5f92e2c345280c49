"""Administrative units — province → commune → village — effective-dated, so mergers keep their history."""

"""Pages of the population registry: finding people, households, residents, one's own data, roster imports."""

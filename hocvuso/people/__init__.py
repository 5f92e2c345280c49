"""Households, residents, organisations and their rosters — the registry the plan's targets are counted over."""

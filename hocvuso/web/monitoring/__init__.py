"""Monitoring pages: the unit and organisation dashboards with their XLSX exports (views.py, dashboards.py,
display.py, exports.py); the emulation ranking, the "leave no one behind" list and the public page (rankings.py)."""

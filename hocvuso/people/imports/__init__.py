"""Roster imports: residents with their households, and organisation rosters (staff, students, workers).

readers (CSV/XLSX, hostile-file checks) → validation (every problem of every row) → commit (one transaction,
bulk writes) — run by services as a background job (tasks), from pages or `manage.py import_roster`.
"""

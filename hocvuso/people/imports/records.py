"""The layout of a validated row as it travels from the checking pass, through the spool, to the writer.

Plain tuples keep a million rows cheap (marshal writes them fastest); these names say what each place holds.
Residents: row, national_id, id_hash, full_name, birth_date, sex, ethnicity, phone, village_id, household_code,
address, is_head. Organisation rosters: row, national_id, id_hash, full_name, birth_date, sex, ethnicity (or
None), phone, village_id (or None), position. The hash is "" until the registry check (registry.py) fills it.
"""

R_ROW, R_ID, R_HASH, R_NAME, R_BIRTH, R_SEX, R_ETHNICITY, R_PHONE, R_VILLAGE = range(9)
R_HOUSEHOLD, R_ADDRESS, R_HEAD = 9, 10, 11
R_POSITION = 9

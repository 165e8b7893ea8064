-- DuckDB views over a `shenbao export --format csv` folder, every column
-- typed (nothing inferred): amounts DECIMAL(18,2), exact to the fen; dates
-- DATE; flags BOOLEAN. Made by `shenbao schema --duckdb` for the templates
-- shanghai-2019, national-project: a store ingested with other templates needs its own.
--
--   duckdb archive.duckdb
--   SET VARIABLE shenbao_export = 'tables';   -- the export folder
--   .read sql/duckdb.sql
--   SELECT unit, year, count(*) FROM forms_latest GROUP BY ALL;
--
-- The views read the files when queried: export again and the views see
-- the new tables. `forms_latest` counts each form once when the archive
-- holds it more than once (a PDF, its scan, a text dump: the same
-- template, `form_key` and year); it keeps the copy `shenbao` ranks first
-- (text layer over OCR over text dump, then fewer warnings), the one
-- exported with `counted`. `forms_unkeyed`: the forms whose key fields or
-- year are null or warned (no `form_key`), counted in neither: look at
-- them. `template` tells the forms of each template apart; a template's
-- fields are null in the others' rows. A Parquet export (`--format
-- parquet`) needs none of this: its files carry the types.
-- tests/analytics.rs checks this file is `schema --duckdb`'s output and
-- runs it over an export, checking every type.

CREATE OR REPLACE VIEW files AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/files.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'sha256': 'VARCHAR', 'size': 'BIGINT', 'pages': 'BIGINT',
    'status': 'VARCHAR', 'error_code': 'VARCHAR', 'error': 'VARCHAR', 'forms': 'BIGINT',
    'extractor_version': 'VARCHAR'});

CREATE OR REPLACE VIEW forms AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/forms.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'sha256': 'VARCHAR', 'pages': 'VARCHAR',
    'template': 'VARCHAR', 'form_key': 'VARCHAR', 'source_kind': 'VARCHAR',
    'ocr': 'BOOLEAN', 'copies': 'BIGINT', 'counted': 'BOOLEAN', 'title': 'VARCHAR',
    'year': 'BIGINT', 'unit': 'VARCHAR', 'project_name': 'VARCHAR',
    'project_type': 'VARCHAR', 'fund_use': 'VARCHAR', 'start_date': 'DATE',
    'end_date': 'DATE', 'overview': 'VARCHAR', 'basis': 'VARCHAR', 'necessity': 'VARCHAR',
    'safeguards': 'VARCHAR', 'total_budget': 'DECIMAL(18,2)',
    'current_year_budget': 'DECIMAL(18,2)', 'prior_year_budget': 'DECIMAL(18,2)',
    'prior_year_spent': 'DECIMAL(18,2)', 'implementation_plan': 'VARCHAR',
    'overall_goal': 'VARCHAR', 'annual_goal': 'VARCHAR', 'remarks': 'VARCHAR',
    'project_attribute': 'VARCHAR', 'department': 'VARCHAR', 'department_code': 'VARCHAR',
    'implementing_unit': 'VARCHAR', 'project_leader': 'VARCHAR', 'phone': 'VARCHAR',
    'project_period': 'VARCHAR', 'total_funds': 'DECIMAL(18,2)',
    'fiscal_funds': 'DECIMAL(18,2)', 'fiscal_own_level': 'DECIMAL(18,2)',
    'fiscal_higher_level': 'DECIMAL(18,2)', 'own_funds': 'DECIMAL(18,2)',
    'other_funds': 'DECIMAL(18,2)', 'unit_functions': 'VARCHAR', 'feasibility': 'VARCHAR',
    'long_term_goal': 'VARCHAR', 'n_funding_components': 'BIGINT', 'n_indicators': 'BIGINT',
    'n_schedule': 'BIGINT', 'n_long_term_indicators': 'BIGINT',
    'n_annual_indicators': 'BIGINT', 'n_warnings': 'BIGINT', 'provenance': 'VARCHAR'});

CREATE OR REPLACE VIEW forms_latest AS
SELECT * EXCLUDE (counted) FROM forms WHERE counted;

CREATE OR REPLACE VIEW forms_unkeyed AS
SELECT * EXCLUDE (counted) FROM forms WHERE form_key IS NULL;

CREATE OR REPLACE VIEW funding_components AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/funding_components.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'form_key': 'VARCHAR', 'position': 'BIGINT',
    'name': 'VARCHAR', 'amount': 'DECIMAL(18,2)', 'page': 'BIGINT', 'x0': 'DOUBLE',
    'top': 'DOUBLE', 'x1': 'DOUBLE', 'bottom': 'DOUBLE', 'line': 'BIGINT',
    'line_end': 'BIGINT'});

CREATE OR REPLACE VIEW indicators AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/indicators.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'form_key': 'VARCHAR', 'position': 'BIGINT',
    'level1': 'VARCHAR', 'level2': 'VARCHAR', 'level3': 'VARCHAR', 'target': 'VARCHAR',
    'target_op': 'VARCHAR', 'target_value': 'DOUBLE', 'target_unit': 'VARCHAR',
    'remark': 'VARCHAR', 'page': 'BIGINT', 'x0': 'DOUBLE', 'top': 'DOUBLE', 'x1': 'DOUBLE',
    'bottom': 'DOUBLE', 'line': 'BIGINT', 'line_end': 'BIGINT'});

CREATE OR REPLACE VIEW schedule AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/schedule.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'form_key': 'VARCHAR', 'position': 'BIGINT',
    'task': 'VARCHAR', 'start_date': 'VARCHAR', 'end_date': 'VARCHAR', 'page': 'BIGINT',
    'x0': 'DOUBLE', 'top': 'DOUBLE', 'x1': 'DOUBLE', 'bottom': 'DOUBLE', 'line': 'BIGINT',
    'line_end': 'BIGINT'});

CREATE OR REPLACE VIEW long_term_indicators AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/long_term_indicators.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'form_key': 'VARCHAR', 'position': 'BIGINT',
    'level1': 'VARCHAR', 'level2': 'VARCHAR', 'level3': 'VARCHAR', 'target': 'VARCHAR',
    'target_op': 'VARCHAR', 'target_value': 'DOUBLE', 'target_unit': 'VARCHAR',
    'remark': 'VARCHAR', 'page': 'BIGINT', 'x0': 'DOUBLE', 'top': 'DOUBLE', 'x1': 'DOUBLE',
    'bottom': 'DOUBLE', 'line': 'BIGINT', 'line_end': 'BIGINT'});

CREATE OR REPLACE VIEW annual_indicators AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/annual_indicators.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'form_key': 'VARCHAR', 'position': 'BIGINT',
    'level1': 'VARCHAR', 'level2': 'VARCHAR', 'level3': 'VARCHAR', 'target': 'VARCHAR',
    'target_op': 'VARCHAR', 'target_value': 'DOUBLE', 'target_unit': 'VARCHAR',
    'remark': 'VARCHAR', 'page': 'BIGINT', 'x0': 'DOUBLE', 'top': 'DOUBLE', 'x1': 'DOUBLE',
    'bottom': 'DOUBLE', 'line': 'BIGINT', 'line_end': 'BIGINT'});

CREATE OR REPLACE VIEW warnings AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/warnings.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'form_key': 'VARCHAR', 'position': 'BIGINT',
    'field': 'VARCHAR', 'code': 'VARCHAR', 'message': 'VARCHAR'});

-- Each project's years side by side (the same form_key, year Y beside Y-1)
-- and the checks across them; `project_year_mismatches`: the rows where a
-- check failed, with both forms' paths.
CREATE OR REPLACE VIEW project_years AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/project_years.csv',
  header = true, auto_detect = false, columns = {
    'form_key': 'VARCHAR', 'unit': 'VARCHAR', 'project_name': 'VARCHAR', 'year': 'BIGINT',
    'path': 'VARCHAR', 'form_index': 'BIGINT', 'current_year_budget': 'DECIMAL(18,2)',
    'prior_year_budget': 'DECIMAL(18,2)', 'prior_year_spent': 'DECIMAL(18,2)',
    'last_path': 'VARCHAR', 'last_form_index': 'BIGINT',
    'last_current_year_budget': 'DECIMAL(18,2)', 'prior_budget_matches': 'BOOLEAN',
    'spent_within_budget': 'BOOLEAN', 'budget_growth': 'DOUBLE', 'mismatch': 'BOOLEAN'});

CREATE OR REPLACE VIEW project_year_mismatches AS
SELECT * FROM project_years WHERE mismatch;

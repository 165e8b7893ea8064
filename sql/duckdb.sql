-- DuckDB views over a `shenbao export --format csv` folder, every column
-- typed (nothing inferred): amounts DECIMAL(18,2), exact to the fen; dates
-- DATE; flags BOOLEAN. For the built-in template (templates/form.toml).
--
--   duckdb archive.duckdb
--   SET VARIABLE shenbao_export = 'tables';   -- the export folder
--   .read sql/duckdb.sql
--   SELECT unit, year, count(*), sum(current_year_budget) FROM forms_latest GROUP BY ALL;
--
-- The views read the files when queried: export again and the views see
-- the new tables. `forms_latest` counts each form once when the archive
-- holds it more than once (a PDF, its scan, a text dump: the same
-- `form_key` and year); it keeps the copy `shenbao` ranks first (text layer over OCR
-- over text dump, then fewer warnings), the one exported with `counted`.
-- `forms_unkeyed`: the forms whose unit, year or project name is null or
-- warned (no `form_key`), counted in neither: look at them. A Parquet
-- export (`--format parquet`) needs none of this: its files carry the types.
-- tests/analytics.rs runs this file over an export and checks every type.

CREATE OR REPLACE VIEW files AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/files.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'sha256': 'VARCHAR', 'size': 'BIGINT', 'pages': 'INTEGER',
    'status': 'VARCHAR', 'error_code': 'VARCHAR', 'error': 'VARCHAR',
    'forms': 'INTEGER', 'extractor_version': 'VARCHAR'});

CREATE OR REPLACE VIEW forms AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/forms.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'INTEGER', 'sha256': 'VARCHAR', 'pages': 'VARCHAR',
    'form_key': 'VARCHAR', 'source_kind': 'VARCHAR', 'ocr': 'BOOLEAN',
    'copies': 'INTEGER', 'counted': 'BOOLEAN',
    'title': 'VARCHAR', 'year': 'INTEGER', 'unit': 'VARCHAR', 'project_name': 'VARCHAR',
    'project_type': 'VARCHAR', 'fund_use': 'VARCHAR',
    'start_date': 'DATE', 'end_date': 'DATE',
    'overview': 'VARCHAR', 'basis': 'VARCHAR', 'necessity': 'VARCHAR', 'safeguards': 'VARCHAR',
    'total_budget': 'DECIMAL(18,2)', 'current_year_budget': 'DECIMAL(18,2)',
    'prior_year_budget': 'DECIMAL(18,2)', 'prior_year_spent': 'DECIMAL(18,2)',
    'implementation_plan': 'VARCHAR', 'overall_goal': 'VARCHAR', 'annual_goal': 'VARCHAR',
    'remarks': 'VARCHAR',
    'n_funding_components': 'INTEGER', 'n_indicators': 'INTEGER', 'n_warnings': 'INTEGER',
    'provenance': 'VARCHAR'});

CREATE OR REPLACE VIEW forms_latest AS
SELECT * EXCLUDE (counted) FROM forms WHERE counted;

CREATE OR REPLACE VIEW forms_unkeyed AS
SELECT * EXCLUDE (counted) FROM forms WHERE form_key IS NULL;

CREATE OR REPLACE VIEW funding_components AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/funding_components.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'INTEGER', 'form_key': 'VARCHAR', 'position': 'INTEGER',
    'name': 'VARCHAR', 'amount': 'DECIMAL(18,2)',
    'page': 'INTEGER', 'x0': 'DOUBLE', 'top': 'DOUBLE', 'x1': 'DOUBLE', 'bottom': 'DOUBLE',
    'line': 'INTEGER', 'line_end': 'INTEGER'});

CREATE OR REPLACE VIEW indicators AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/indicators.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'INTEGER', 'form_key': 'VARCHAR', 'position': 'INTEGER',
    'level1': 'VARCHAR', 'level2': 'VARCHAR', 'level3': 'VARCHAR', 'target': 'VARCHAR',
    'target_op': 'VARCHAR', 'target_value': 'DOUBLE', 'target_unit': 'VARCHAR',
    'page': 'INTEGER', 'x0': 'DOUBLE', 'top': 'DOUBLE', 'x1': 'DOUBLE', 'bottom': 'DOUBLE',
    'line': 'INTEGER', 'line_end': 'INTEGER'});

CREATE OR REPLACE VIEW warnings AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/warnings.csv',
  header = true, auto_detect = false, columns = {
    'path': 'VARCHAR', 'form_index': 'INTEGER', 'form_key': 'VARCHAR', 'position': 'INTEGER',
    'field': 'VARCHAR', 'code': 'VARCHAR', 'message': 'VARCHAR'});

-- Each project's years side by side (the same form_key, year Y beside Y-1)
-- and the checks across them; `project_year_mismatches`: the rows where a
-- check failed, with both forms' paths.
CREATE OR REPLACE VIEW project_years AS
SELECT * FROM read_csv(getvariable('shenbao_export') || '/project_years.csv',
  header = true, auto_detect = false, columns = {
    'form_key': 'VARCHAR', 'unit': 'VARCHAR', 'project_name': 'VARCHAR', 'year': 'INTEGER',
    'path': 'VARCHAR', 'form_index': 'INTEGER',
    'current_year_budget': 'DECIMAL(18,2)', 'prior_year_budget': 'DECIMAL(18,2)',
    'prior_year_spent': 'DECIMAL(18,2)',
    'last_path': 'VARCHAR', 'last_form_index': 'INTEGER',
    'last_current_year_budget': 'DECIMAL(18,2)',
    'prior_budget_matches': 'BOOLEAN', 'spent_within_budget': 'BOOLEAN',
    'budget_growth': 'DOUBLE', 'mismatch': 'BOOLEAN'});

CREATE OR REPLACE VIEW project_year_mismatches AS
SELECT * FROM project_years WHERE mismatch;

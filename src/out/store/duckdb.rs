//! `sql/duckdb.sql`: DuckDB views over a CSV export, every column typed as
//! the export's tables declare it ([`super::tables`]), for a set of
//! templates (`shenbao schema --duckdb`; the committed file is the
//! built-in set's, and `tests/analytics.rs` checks it is).

use super::export::{Kind, tables};
use crate::template::Templates;

const HEADER: &str = "\
-- DuckDB views over a `shenbao export --format csv` folder, every column
-- typed (nothing inferred): amounts DECIMAL(18,2), exact to the fen; dates
-- DATE; flags BOOLEAN. Made by `shenbao schema --duckdb` for the templates
-- {TEMPLATES}: a store ingested with other templates needs its own.
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
";

/// The DuckDB type of a column kind.
fn duck_type(k: Kind) -> &'static str {
    match k {
        Kind::Int => "BIGINT",
        Kind::Bool => "BOOLEAN",
        Kind::Real => "DOUBLE",
        Kind::Money => "DECIMAL(18,2)",
        Kind::Date => "DATE",
        Kind::Text | Kind::Json => "VARCHAR",
    }
}

/// The views over an export of a store of `t`'s templates.
pub fn duckdb_sql(t: &Templates) -> String {
    let names: Vec<&str> = t.names().collect();
    let mut out = HEADER.replace("{TEMPLATES}", &names.join(", "));
    for spec in tables(t, false) {
        let cols: Vec<String> = spec
            .columns
            .iter()
            .map(|(n, k)| format!("'{n}': '{}'", duck_type(*k)))
            .collect();
        let mut lines = vec![String::new()];
        for c in cols {
            let line = lines.last_mut().expect("a line");
            if !line.is_empty() && line.len() + c.len() > 86 {
                lines.push(String::new());
            }
            let line = lines.last_mut().expect("a line");
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&c);
            line.push(',');
        }
        let body = lines
            .iter()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        let body = body.strip_suffix(',').unwrap_or(&body);
        if spec.name == "project_years" {
            out.push_str(
                "\n-- Each project's years side by side (the same form_key, year Y beside Y-1)\n\
                 -- and the checks across them; `project_year_mismatches`: the rows where a\n\
                 -- check failed, with both forms' paths.",
            );
        }
        out.push_str(&format!(
            "\nCREATE OR REPLACE VIEW {name} AS\n\
             SELECT * FROM read_csv(getvariable('shenbao_export') || '/{name}.csv',\n\
             \x20 header = true, auto_detect = false, columns = {{\n{body}}});\n",
            name = spec.name
        ));
        match spec.name.as_str() {
            "forms" => out.push_str(
                "\nCREATE OR REPLACE VIEW forms_latest AS\n\
                 SELECT * EXCLUDE (counted) FROM forms WHERE counted;\n\
                 \nCREATE OR REPLACE VIEW forms_unkeyed AS\n\
                 SELECT * EXCLUDE (counted) FROM forms WHERE form_key IS NULL;\n",
            ),
            "project_years" => out.push_str(
                "\nCREATE OR REPLACE VIEW project_year_mismatches AS\n\
                 SELECT * FROM project_years WHERE mismatch;\n",
            ),
            _ => {}
        }
    }
    out
}

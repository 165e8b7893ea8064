//! The SQL that ties forms together, written once for every engine that
//! runs it: the store's views (SQLite), the export's queries, and the
//! Spark job (`shenbao schema --tables` prints it). Plain SQL that SQLite
//! and Spark SQL in ANSI mode both read: windows written out (no `WINDOW`
//! clause), no `||` on numbers, no division by zero, flags as 0/1, amounts
//! compared in whole fen.
//!
//! - [`copies_select`]: each form's copies (the same `form_key` and year:
//!   a PDF, its scan, a text dump) and the copy that counts.
//! - [`project_years_select`]: each counted project-year beside the same
//!   project's year before, with the checks across them.

use crate::template::Templates;

/// `SELECT` of one row per `forms` row: `path`, `form_index`,
/// `form_key`, the year (the templates' `form_year`), `source_kind`,
/// `copies` (rows of this template with this key and year; 1 for a form
/// without a key) and `copy_rank` (1 for the copy that counts:
/// a text layer over OCR over a text dump, then fewer warnings, then path
/// and form index). `id` names a column of `forms` to put first (the
/// store's `form_id`).
pub fn copies_select(t: &Templates, id: Option<&str>) -> String {
    let key = match t.form_year() {
        Some(y) => format!("template, form_key, {y}"),
        None => "template, form_key".to_string(),
    };
    let id = id.map_or(String::new(), |c| format!("{c}, "));
    format!(
        "SELECT {id}path, form_index, {key}, source_kind,\n\
         \x20 CASE WHEN form_key IS NULL THEN 1\n\
         \x20      ELSE count(*) OVER (PARTITION BY {key}) END AS copies,\n\
         \x20 CASE WHEN form_key IS NULL THEN 1\n\
         \x20      ELSE row_number() OVER (PARTITION BY {key} ORDER BY\n\
         \x20        CASE source_kind WHEN 'text_layer' THEN 0 WHEN 'ocr' THEN 1 ELSE 2 END,\n\
         \x20        n_warnings, path, form_index) END AS copy_rank\n\
         FROM forms"
    )
}

/// The columns of [`project_years_select`], in order: the project
/// (`form_key`, its fields), the year and its form, the `[years]`
/// amounts, last year's form and budget, the checks. Names only; the
/// export gives their kinds.
pub fn project_years_columns(set: &Templates) -> Option<Vec<String>> {
    let t = set.years_template()?;
    let y = t.years.as_ref()?;
    let year = t.form_year.as_ref()?;
    let mut cols = vec!["form_key".to_string()];
    cols.extend(t.form_key.iter().cloned());
    cols.extend([year.clone(), "path".into(), "form_index".into()]);
    cols.extend([
        y.budget.clone(),
        y.prior_budget.clone(),
        y.prior_spent.clone(),
    ]);
    cols.extend([
        "last_path".into(),
        "last_form_index".into(),
        format!("last_{}", y.budget),
    ]);
    cols.extend([
        "prior_budget_matches".into(),
        "spent_within_budget".into(),
        "budget_growth".into(),
        "mismatch".into(),
    ]);
    Some(cols)
}

/// `SELECT` of `project_years` over `forms_latest` (each form once): one
/// row per project and year, beside it the same project's form of the
/// year before when there is one (`last_*`), and the checks:
/// `prior_budget_matches` (this year's declared prior-year budget equals
/// last year's budget, to the fen), `spent_within_budget` (the declared
/// prior-year spending is not above last year's budget, or with no form
/// of last year the prior-year budget declared), `budget_growth` (this
/// year's budget over last year's, less 1, 4 decimals), `mismatch` (a
/// check failed). A check is NULL when an amount it needs is. Over the
/// forms of the templates with `[years]` (one `[years]` for all of them,
/// checked when the set loads); `None` when none has it.
pub fn project_years_select(set: &Templates) -> Option<String> {
    let t = set.years_template()?;
    let y = t.years.as_ref()?;
    let names: Vec<String> = set
        .list()
        .iter()
        .filter(|t| t.years.is_some())
        .map(|t| format!("'{}'", t.name.replace('\'', "''")))
        .collect();
    let names = names.join(", ");
    let year = t.form_year.as_ref()?;
    let (b, pb, ps) = (&y.budget, &y.prior_budget, &y.prior_spent);
    let fen = |e: &str| format!("round(({e}) * 100)");
    let limit = format!("coalesce(last.{b}, cur.{pb})");
    let matches = format!(
        "CASE WHEN cur.{pb} IS NULL OR last.{b} IS NULL THEN NULL \
         WHEN {} = {} THEN 1 ELSE 0 END",
        fen(&format!("cur.{pb}")),
        fen(&format!("last.{b}"))
    );
    let within = format!(
        "CASE WHEN cur.{ps} IS NULL OR {limit} IS NULL THEN NULL \
         WHEN {} <= {} THEN 1 ELSE 0 END",
        fen(&format!("cur.{ps}")),
        fen(&limit)
    );
    let key_fields: String = t.form_key.iter().map(|k| format!("cur.{k}, ")).collect();
    Some(format!(
        "SELECT cur.form_key, {key_fields}cur.{year}, cur.path, cur.form_index,\n\
         \x20 cur.{b}, cur.{pb}, cur.{ps},\n\
         \x20 last.path AS last_path, last.form_index AS last_form_index, last.{b} AS last_{b},\n\
         \x20 {matches} AS prior_budget_matches,\n\
         \x20 {within} AS spent_within_budget,\n\
         \x20 CASE WHEN last.{b} > 0 AND cur.{b} IS NOT NULL\n\
         \x20      THEN round(cur.{b} / last.{b} - 1, 4) END AS budget_growth,\n\
         \x20 CASE WHEN ({matches}) = 0 OR ({within}) = 0 THEN 1 ELSE 0 END AS mismatch\n\
         FROM forms_latest cur\n\
         LEFT JOIN forms_latest last\n\
         \x20 ON last.template = cur.template AND last.form_key = cur.form_key\n\
         \x20 AND last.{year} = cur.{year} - 1\n\
         WHERE cur.template IN ({names})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_template_has_project_years_and_its_columns_match_the_select() {
        let t = Templates::builtin().unwrap();
        let sql = project_years_select(&t).unwrap();
        let cols = project_years_columns(&t).unwrap();
        assert_eq!(cols.len(), 16);
        for c in &cols {
            assert!(sql.contains(c.as_str()), "{c} in {sql}");
        }
        assert!(sql.contains("last.year = cur.year - 1"));
        assert!(copies_select(&t, None).contains("PARTITION BY template, form_key, year"));
    }
}

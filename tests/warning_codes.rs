//! The README's warning table and the codes the library can write
//! ([`shenbao::WarningCode`]) are the same list.

use std::collections::BTreeSet;

use shenbao::WarningCode;

#[test]
fn readme_warning_table_lists_every_code_and_no_other() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### Warning codes")
        .nth(1)
        .expect("a Warning codes section")
        .split("\n## ")
        .next()
        .unwrap();
    let mut in_table = BTreeSet::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = row.split('|').nth(1).unwrap();
        for code in first_cell.split('`').skip(1).step_by(2) {
            in_table.insert(code.to_string());
        }
    }
    let all: BTreeSet<String> = WarningCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    assert_eq!(in_table, all);
}

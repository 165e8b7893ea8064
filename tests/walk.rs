//! Folder walking: links, loops, hidden folders, each file once.

use std::os::unix::fs::symlink;
use std::path::PathBuf;

use shenbao::{collect_inputs, collect_inputs_with};

fn names(files: &[PathBuf], root: &std::path::Path) -> Vec<String> {
    files
        .iter()
        .map(|f| f.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect()
}

/// a.pdf, sub/b.txt, .git/c.pdf, notes.doc, and the links given.
fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    std::fs::create_dir_all(r.join("sub")).unwrap();
    std::fs::create_dir_all(r.join(".git")).unwrap();
    for f in ["a.pdf", "sub/b.txt", ".git/c.pdf", "notes.doc"] {
        std::fs::write(r.join(f), b"x").unwrap();
    }
    d
}

#[test]
fn a_link_to_its_own_folder_gives_each_file_once() {
    let d = tree();
    symlink(".", d.path().join("self")).unwrap();
    let files = collect_inputs(&[d.path().to_path_buf()]).unwrap();
    assert_eq!(names(&files, d.path()), ["a.pdf", "sub/b.txt"]);
    // Followed on request: the loop is detected, still each file once.
    let files = collect_inputs_with(&[d.path().to_path_buf()], true).unwrap();
    assert_eq!(names(&files, d.path()), ["a.pdf", "sub/b.txt"]);
}

#[test]
fn two_links_into_each_other_end() {
    let d = tree();
    std::fs::create_dir_all(d.path().join("x")).unwrap();
    std::fs::create_dir_all(d.path().join("y")).unwrap();
    symlink("../y", d.path().join("x/to_y")).unwrap();
    symlink("../x", d.path().join("y/to_x")).unwrap();
    let files = collect_inputs_with(&[d.path().to_path_buf()], true).unwrap();
    assert_eq!(names(&files, d.path()), ["a.pdf", "sub/b.txt"]);
}

#[test]
fn a_linked_folder_is_walked_only_with_follow() {
    let d = tree();
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("z.pdf"), b"x").unwrap();
    symlink(other.path(), d.path().join("linked")).unwrap();
    let root = d.path().to_path_buf();
    assert_eq!(
        names(
            &collect_inputs(std::slice::from_ref(&root)).unwrap(),
            d.path()
        ),
        ["a.pdf", "sub/b.txt"]
    );
    assert_eq!(
        names(&collect_inputs_with(&[root], true).unwrap(), d.path()),
        ["a.pdf", "linked/z.pdf", "sub/b.txt"]
    );
}

#[test]
fn a_file_given_twice_or_inside_a_folder_given_is_listed_once() {
    let d = tree();
    let r = d.path().to_path_buf();
    let files = collect_inputs(&[r.join("a.pdf"), r.clone(), r.join("a.pdf")]).unwrap();
    assert_eq!(names(&files, d.path()), ["a.pdf", "sub/b.txt"]);
    // A hidden file given by name is read.
    let files = collect_inputs(&[r.join(".git/c.pdf")]).unwrap();
    assert_eq!(names(&files, d.path()), [".git/c.pdf"]);
}

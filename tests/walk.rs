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
    let files = collect_inputs(&[d.path().to_path_buf()]);
    assert_eq!(names(&files, d.path()), ["a.pdf", "sub/b.txt"]);
    // Followed on request: the loop is detected, still each file once.
    let files = collect_inputs_with(&[d.path().to_path_buf()], true);
    assert_eq!(names(&files, d.path()), ["a.pdf", "sub/b.txt"]);
}

#[test]
fn two_links_into_each_other_end() {
    let d = tree();
    std::fs::create_dir_all(d.path().join("x")).unwrap();
    std::fs::create_dir_all(d.path().join("y")).unwrap();
    symlink("../y", d.path().join("x/to_y")).unwrap();
    symlink("../x", d.path().join("y/to_x")).unwrap();
    let files = collect_inputs_with(&[d.path().to_path_buf()], true);
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
        names(&collect_inputs(std::slice::from_ref(&root)), d.path()),
        ["a.pdf", "sub/b.txt"]
    );
    assert_eq!(
        names(&collect_inputs_with(&[root], true), d.path()),
        ["a.pdf", "linked/z.pdf", "sub/b.txt"]
    );
}

#[test]
fn a_file_given_twice_or_inside_a_folder_given_is_listed_once() {
    let d = tree();
    let r = d.path().to_path_buf();
    let files = collect_inputs(&[r.join("a.pdf"), r.clone(), r.join("a.pdf")]);
    assert_eq!(names(&files, d.path()), ["a.pdf", "sub/b.txt"]);
    // A hidden file given by name is read.
    let files = collect_inputs(&[r.join(".git/c.pdf")]);
    assert_eq!(names(&files, d.path()), [".git/c.pdf"]);
}

/// A chain of folders below `dir` whose path passes PATH_MAX (4096 bytes):
/// listing its deepest folders fails (ENAMETOOLONG) for root too, which
/// lists a folder without permissions all the same.
fn too_deep(dir: &std::path::Path) {
    let name = "d".repeat(200);
    let script = format!(
        "cd '{}' && for i in $(seq 24); do mkdir {name} && cd {name} || exit 1; done; echo x > e.pdf",
        dir.display()
    );
    // bash: its cd goes on past PATH_MAX, dash's does not
    let ok = std::process::Command::new("bash")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn a_folder_that_cannot_be_listed_is_listed_itself_and_the_walk_goes_on() {
    let d = tree();
    std::fs::create_dir(d.path().join("deep")).unwrap();
    too_deep(&d.path().join("deep"));
    let files = collect_inputs(&[d.path().to_path_buf()]);
    let n = names(&files, d.path());
    assert_eq!(n.len(), 3, "{n:?}");
    assert_eq!((n[0].as_str(), n[2].as_str()), ("a.pdf", "sub/b.txt"));
    assert!(n[1].starts_with("deep/ddd"), "{n:?}");
    // reading it fails, for it alone, with the reason it could not be listed
    match shenbao::run::extract::read_input(&files[1], 1 << 20) {
        Err(shenbao::Error::Io { file, source }) => {
            assert_eq!(file, files[1]);
            assert_eq!(source.raw_os_error(), Some(libc::ENAMETOOLONG), "{source}");
        }
        other => panic!("{other:?}"),
    }
}

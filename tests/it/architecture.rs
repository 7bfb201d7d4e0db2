//! The shape of the house: no file in `src/` imports itself back through
//! other files (every import cycle is named with the lines that make it),
//! and `pull` does not depend on `push`. The checker's graph logic is
//! proven on small in-memory crates, so a passing run means "no cycle", not
//! "nothing was parsed".

mod imports;
mod lex;

use std::collections::BTreeSet;
use std::path::Path;

use imports::{Graph, Sources, cycles, describe, graph, read_sources};

/// Cycles tolerated: none. (A listed component would be excused only as
/// exactly those files; keep this empty.)
const ALLOWED_CYCLES: &[&[&str]] = &[];

fn src_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = read_sources(&src).expect("read src/");
    assert!(files.len() > 50, "src/ looks empty: {} files", files.len());
    graph(&files)
}

fn sources(files: &[(&str, &str)]) -> Sources {
    files
        .iter()
        .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
        .collect()
}

fn edges_of(g: &Graph, file: &str) -> BTreeSet<String> {
    g.get(file)
        .map(|e| e.keys().cloned().collect())
        .unwrap_or_default()
}

fn set(files: &[&str]) -> BTreeSet<String> {
    files.iter().map(|f| (*f).to_owned()).collect()
}

#[test]
fn src_has_no_import_cycles() {
    let g = src_graph();
    let report: String = cycles(&g)
        .iter()
        .filter(|c| !ALLOWED_CYCLES.iter().any(|a| a == c))
        .map(|c| describe(&g, c))
        .collect();
    assert!(
        report.is_empty(),
        "import cycles between files in src/ (move the shared part down into \
         a module both can use):\n{report}"
    );
}

#[test]
fn pull_does_not_import_push() {
    let g = src_graph();
    let bad: Vec<String> = g
        .iter()
        .filter(|(from, _)| from.starts_with("pull/"))
        .flat_map(|(from, to)| {
            to.iter()
                .filter(|(t, _)| t.starts_with("push/"))
                .map(move |(t, line)| format!("src/{from}:{line} imports src/{t}"))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "pull must not depend on push:\n{}",
        bad.join("\n")
    );
}

#[test]
fn cli_modules_import_no_sibling_command() {
    // Each command's library side lives in `ops`; a CLI module (demo
    // included) only parses, validates and prints, so it never needs
    // another command's module. `cli/mod.rs` and the shared flags in
    // `cli/common.rs` are the only CLI files others may use.
    let g = src_graph();
    let bad: Vec<String> = g
        .iter()
        .filter(|(from, _)| from.starts_with("cli/"))
        .flat_map(|(from, to)| {
            to.iter()
                .filter(|(t, _)| {
                    t.starts_with("cli/") && !matches!(t.as_str(), "cli/mod.rs" | "cli/common.rs")
                })
                .map(move |(t, line)| format!("src/{from}:{line} imports src/{t}"))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "CLI modules importing sibling commands:\n{}",
        bad.join("\n")
    );
    let demo = edges_of(&g, "cli/demo.rs");
    assert!(
        demo.iter().all(|t| !t.starts_with("cli/")),
        "demo must call the library only: {demo:?}"
    );
}

#[test]
fn the_real_graph_has_the_edges_it_should() {
    // Guards against a checker that silently parses nothing.
    let g = src_graph();
    assert!(edges_of(&g, "pull/fetch.rs").contains("api/throttle.rs"));
    assert!(edges_of(&g, "sheet/summary.rs").contains("sheet/cells.rs"));
    assert!(edges_of(&g, "api/client.rs").contains("api/auth.rs"));
    assert!(edges_of(&g, "push/settle.rs").contains("push/outcomes.rs"));
    assert!(edges_of(&g, "cli/push.rs").contains("cli/common.rs"));
}

#[test]
fn checker_finds_a_cycle_through_grouped_multiline_and_inline_paths() {
    let files = sources(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("a/mod.rs", "pub mod x;\npub mod y;\n"),
        // x -> y through `super::` and an inline call path.
        (
            "a/x.rs",
            "use super::y::Thing;\npub fn run() { crate::a::y::helper(); }\n",
        ),
        // y -> x and y -> b through a grouped, multi-line `use crate::{…}`.
        (
            "a/y.rs",
            "use crate::{\n    a::x::{self as ex, run},\n    b::Leaf,\n};\npub struct Thing;\n",
        ),
        ("b.rs", "pub struct Leaf;\n"),
        ("c.rs", "use crate::b::Leaf;\n"),
    ]);
    let g = graph(&files);
    assert_eq!(edges_of(&g, "a/x.rs"), set(&["a/y.rs"]));
    assert_eq!(edges_of(&g, "a/y.rs"), set(&["a/x.rs", "b.rs"]));
    assert_eq!(edges_of(&g, "c.rs"), set(&["b.rs"]));
    let found = cycles(&g);
    assert_eq!(found, vec![vec!["a/x.rs".to_owned(), "a/y.rs".to_owned()]]);
    let text = describe(&g, &found[0]);
    assert!(text.contains("src/a/x.rs:1 imports src/a/y.rs"), "{text}");
    assert!(text.contains("src/a/y.rs:2 imports src/a/x.rs"), "{text}");
}

#[test]
fn checker_finds_a_three_file_cycle_and_resolves_super_chains() {
    let files = sources(&[
        (
            "lib.rs",
            "pub mod p;\npub const VERSION: u32 = crate::p::q::deep::N;\n",
        ),
        ("p/mod.rs", "pub mod q;\npub mod r;\n"),
        ("p/q/mod.rs", "pub mod deep;\n"),
        // deep -> r through `super::super`, r -> lib root, lib root -> deep.
        (
            "p/q/deep.rs",
            "use super::super::r::f;\npub const N: u32 = 1;\n",
        ),
        ("p/r.rs", "pub fn f() -> u32 { crate::VERSION }\n"),
    ]);
    let g = graph(&files);
    assert_eq!(edges_of(&g, "p/q/deep.rs"), set(&["p/r.rs"]));
    assert_eq!(edges_of(&g, "p/r.rs"), set(&["lib.rs"]));
    assert_eq!(
        cycles(&g),
        vec![vec![
            "lib.rs".to_owned(),
            "p/q/deep.rs".to_owned(),
            "p/r.rs".to_owned()
        ]]
    );
}

#[test]
fn checker_ignores_tests_comments_strings_and_macro_paths() {
    let files = sources(&[
        ("lib.rs", "pub mod d;\npub mod e;\n"),
        ("e.rs", "pub fn f() { crate::d::g(); }\n"),
        // Every mention of `crate::e` below is one the compiler would not
        // follow from non-test code, so d -> e must not exist.
        (
            "d.rs",
            r##"//! Uses [`crate::e::f`] in docs only.
pub fn g() {
    // crate::e::f();
    /* crate::e::f(); /* nested */ crate::e::f(); */
    let _ = "crate::e::f";
    let _ = r#"crate::e::f "quoted""#;
    let _ = '"';
    let _ = 'x';
}
#[derive(serde::Deserialize)]
struct W<'a> { #[serde(deserialize_with = "crate::e::f")] v: &'a str }
macro_rules! m { () => { $crate::e::f() }; }
#[cfg(test)]
mod tests {
    use crate::e::f;
    mod inner { use crate::e::f; }
}
#[cfg(test)]
#[path = "d_tests.rs"]
mod more_tests;
pub fn after() {}
"##,
        ),
        ("d_tests.rs", "use crate::e::f;\n"),
    ]);
    let g = graph(&files);
    assert_eq!(edges_of(&g, "d.rs"), BTreeSet::new());
    assert!(!g.contains_key("d_tests.rs"), "a test-only file is skipped");
    assert_eq!(edges_of(&g, "e.rs"), set(&["d.rs"]));
    assert!(cycles(&g).is_empty());

    // The same file with the import moved out of the test module: a cycle.
    let mut cyclic = files.clone();
    cyclic.insert(
        "d.rs".to_owned(),
        "#[cfg(test)]\nmod tests {}\npub fn g() { crate::e::f(); }\n".to_owned(),
    );
    assert_eq!(
        cycles(&graph(&cyclic)),
        vec![vec!["d.rs".to_owned(), "e.rs".to_owned()]]
    );
}

#[test]
fn binary_modules_resolve_crate_to_the_binary_root() {
    let files = sources(&[
        ("lib.rs", "pub mod m;\n"),
        ("m.rs", "pub fn f() {}\n"),
        (
            "main.rs",
            "mod cli;\nfn main() { cli::run() }\nconst X: u8 = 1;\n",
        ),
        ("cli/mod.rs", "mod run;\npub use run::run;\n"),
        (
            "cli/run.rs",
            "pub fn run() { let _ = crate::X; crate::cli::helper(); }\n",
        ),
    ]);
    let g = graph(&files);
    assert_eq!(edges_of(&g, "cli/run.rs"), set(&["cli/mod.rs", "main.rs"]));
}

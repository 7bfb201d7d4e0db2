//! The file-level import graph of a crate's sources, and its cycles.
//!
//! A deliberately small reader of Rust, enough for module paths: comments,
//! strings and char literals are skipped, then every `crate::…`,
//! `super::…` and `self::…` path (in `use` trees, grouped and multi-line,
//! or inline in code) is resolved to the file it names. A module `a::b` is
//! `a/b.rs` or `a/b/mod.rs`; an item path (`a::b::Thing`) resolves to the
//! deepest module that exists as a file, or to the crate root. Code inside
//! `#[cfg(test)]` modules is skipped (tests may import anything), and so
//! are whole files that are only test modules (`#[cfg(test)] mod tests;`).
//!
//! Not followed: paths without `crate`/`super`/`self` (`use child::X` in a
//! `mod.rs`, other crates) and paths inside strings (serde attributes).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::lex::{Tok, lex};

/// Source files by path relative to `src/`, with `/` separators.
pub type Sources = BTreeMap<String, String>;

/// For each file, the files it imports, each with the first line naming it.
pub type Graph = BTreeMap<String, BTreeMap<String, usize>>;

/// Read every `*.rs` under `dir`.
pub fn read_sources(dir: &Path) -> std::io::Result<Sources> {
    let mut out = Sources::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let key = rel.to_string_lossy().replace('\\', "/");
                out.insert(key, std::fs::read_to_string(&path)?);
            }
        }
    }
    Ok(out)
}

/// The module path a file defines: `a/b.rs` and `a/b/mod.rs` are `a::b`;
/// `lib.rs` and `main.rs` are the crate root.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    let mut segs: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if segs.last().is_some_and(|s| s == "mod") {
        segs.pop();
    }
    if segs == ["lib"] || segs == ["main"] {
        segs.clear();
    }
    segs
}

/// What one file imports, as module paths with the line they appear on,
/// and the files it declares as test-only modules.
struct Scan {
    paths: Vec<(Vec<String>, usize)>,
    test_files: Vec<String>,
}

fn word(t: Option<&(Tok, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Ident(w), _)) => Some(w),
        _ => None,
    }
}

fn punct(t: Option<&(Tok, usize)>, p: char) -> bool {
    matches!(t, Some((Tok::Punct(q), _)) if *q == p)
}

fn scan(file: &str, text: &str) -> Scan {
    let toks = lex(text);
    let base = module_of(file);
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut scan = Scan {
        paths: Vec::new(),
        test_files: Vec::new(),
    };
    // Inline modules entered: (name, brace depth inside it, is test code).
    let mut stack: Vec<(String, usize, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut cfg_test = false;
    let mut path_attr: Option<String> = None;
    let mut i = 0;
    while i < toks.len() {
        let in_test = stack.last().is_some_and(|s| s.2);
        let attr: Vec<&str> = toks[i..]
            .iter()
            .take(7)
            .map(|(t, _)| match t {
                Tok::Ident(w) => w.as_str(),
                Tok::Punct('#') => "#",
                Tok::Punct('[') => "[",
                Tok::Punct('(') => "(",
                Tok::Punct(')') => ")",
                Tok::Punct(']') => "]",
                Tok::Punct('=') => "=",
                _ => "?",
            })
            .collect();
        if attr == ["#", "[", "cfg", "(", "test", ")", "]"] {
            cfg_test = true;
            i += 7;
            continue;
        }
        if attr.starts_with(&["#", "[", "path", "="])
            && let Some((Tok::Str(p), _)) = toks.get(i + 4)
        {
            path_attr = Some(p.clone());
            i += 5;
            continue;
        }
        match &toks[i].0 {
            Tok::Ident(w) if w == "mod" => {
                if let Some(name) = word(toks.get(i + 1)) {
                    let name = name.to_owned();
                    if punct(toks.get(i + 2), '{') {
                        depth += 1;
                        stack.push((name, depth, in_test || cfg_test));
                        i += 3;
                    } else {
                        if cfg_test {
                            let mut module: Vec<String> = base.clone();
                            module.extend(stack.iter().map(|s| s.0.clone()));
                            module.push(name);
                            match &path_attr {
                                Some(p) if dir.is_empty() => scan.test_files.push(p.clone()),
                                Some(p) => scan.test_files.push(format!("{dir}/{p}")),
                                None => {
                                    let m = module.join("/");
                                    scan.test_files.push(format!("{m}.rs"));
                                    scan.test_files.push(format!("{m}/mod.rs"));
                                }
                            }
                        }
                        i += 2;
                    }
                    cfg_test = false;
                    path_attr = None;
                    continue;
                }
            }
            Tok::Ident(w)
                if matches!(
                    w.as_str(),
                    "fn" | "struct"
                        | "enum"
                        | "impl"
                        | "use"
                        | "const"
                        | "static"
                        | "type"
                        | "trait"
                        | "let"
                        | "macro_rules"
                        | "extern"
                ) =>
            {
                cfg_test = false;
                path_attr = None;
            }
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                if stack.last().is_some_and(|s| s.1 == depth) {
                    stack.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(w)
                if matches!(w.as_str(), "crate" | "super" | "self")
                    && matches!(toks.get(i + 1), Some((Tok::Sep, _)))
                    && !punct(i.checked_sub(1).and_then(|p| toks.get(p)), '$')
                    && !matches!(
                        i.checked_sub(1).and_then(|p| toks.get(p)),
                        Some((Tok::Sep, _))
                    ) =>
            {
                let mut current = base.clone();
                current.extend(stack.iter().map(|s| s.0.clone()));
                let mut found = Vec::new();
                let next = tree(&toks, i, Vec::new(), true, &current, &mut found);
                if !in_test {
                    scan.paths.extend(found);
                }
                i = next.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    scan
}

/// Parse one path or use tree at `i` (prefix `segs`), pushing every module
/// path it names into `out`; returns the index after it.
fn tree(
    toks: &[(Tok, usize)],
    mut i: usize,
    mut segs: Vec<String>,
    top: bool,
    current: &[String],
    out: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    let line = toks.get(i).map_or(0, |t| t.1);
    let mut first = top;
    loop {
        match toks.get(i) {
            Some((Tok::Punct('{'), _)) => {
                i += 1;
                while i < toks.len() && !punct(toks.get(i), '}') {
                    i = tree(toks, i, segs.clone(), false, current, out);
                    // Past the `,` (or a token this reader does not know).
                    if !punct(toks.get(i), '}') {
                        i += 1;
                    }
                }
                return i + 1;
            }
            Some((Tok::Punct('*'), _)) => {
                out.push((segs, line));
                return i + 1;
            }
            Some((Tok::Ident(w), _)) => {
                i += 1;
                match w.as_str() {
                    "crate" if first => segs.clear(),
                    "self" if first => segs = current.to_vec(),
                    "super" => {
                        if first {
                            segs = current.to_vec();
                        }
                        segs.pop();
                    }
                    "self" => {}
                    _ => segs.push(w.clone()),
                }
                first = false;
                if matches!(toks.get(i), Some((Tok::Sep, _))) {
                    i += 1;
                    continue;
                }
                if word(toks.get(i)) == Some("as") {
                    i += 2;
                }
                out.push((segs, line));
                return i;
            }
            _ => {
                out.push((segs, line));
                return i;
            }
        }
    }
}

/// The file a module path names: the deepest prefix that is a file, else
/// the crate root.
fn resolve(files: &Sources, segs: &[String], root: &str) -> String {
    for k in (1..=segs.len()).rev() {
        let m = segs[..k].join("/");
        for candidate in [format!("{m}.rs"), format!("{m}/mod.rs")] {
            if files.contains_key(&candidate) {
                return candidate;
            }
        }
    }
    root.to_owned()
}

/// The file-level import graph of `files` (paths relative to `src/`).
/// Files under a top-level module that `main.rs` declares belong to the
/// binary, whose root is `main.rs`; all others to `lib.rs`.
pub fn graph(files: &Sources) -> Graph {
    let scans: BTreeMap<&String, Scan> = files.iter().map(|(f, t)| (f, scan(f, t))).collect();
    let test_only: BTreeSet<&String> = scans.values().flat_map(|s| &s.test_files).collect();
    let binary: BTreeSet<String> = files
        .get("main.rs")
        .map(|t| {
            let toks = lex(t);
            toks.windows(3)
                .filter(|w| word(Some(&w[0])) == Some("mod") && punct(Some(&w[2]), ';'))
                .filter_map(|w| word(Some(&w[1])).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut g = Graph::new();
    for (file, s) in &scans {
        if test_only.contains(file) {
            continue;
        }
        let top = module_of(file).first().cloned().unwrap_or_default();
        let root = if file.as_str() == "main.rs" || binary.contains(&top) {
            "main.rs"
        } else {
            "lib.rs"
        };
        let edges = g.entry((*file).clone()).or_default();
        for (segs, line) in &s.paths {
            let to = resolve(files, segs, root);
            if &to != *file && !test_only.contains(&to) {
                edges.entry(to).or_insert(*line);
            }
        }
    }
    g
}

/// The import cycles: strongly connected components of more than one
/// file, each sorted, in a stable order (Tarjan's algorithm).
pub fn cycles(g: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.g.get(v).into_iter().flat_map(|e| e.keys()) {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out.sort();
    t.out
}

/// A cycle as text: its files, then each edge inside it with the line
/// that makes it.
pub fn describe(g: &Graph, component: &[String]) -> String {
    let mut s = format!("cycle among {}:\n", component.join(", "));
    for from in component {
        for (to, line) in g.get(from).into_iter().flatten() {
            if component.contains(to) {
                s.push_str(&format!("    src/{from}:{line} imports src/{to}\n"));
            }
        }
    }
    s
}
